"""A/B of the many-threads row: 8 threads at 0 ms latency, this checkout
against another one (the reference of the "≥ 3x today's" target).

    python -m benchmarks.threads_ab OTHER_CHECKOUT [--rounds 5] [--seconds 1.5]

Each round runs one fresh interpreter per checkout (order alternated), each
timing 8 threads that refresh their own session for ``--seconds``; prints
both aggregate rates per round and the median ratio. Both checkouts must be
built (``python setup.py build_ext --inplace``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, threading, time
from uuid import UUID
import pytapi2
from pytapi2.simulator import Simulator
threads, seconds = int(sys.argv[1]), float(sys.argv[2])
group = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
sim = Simulator(); sim.reset(); sim.use_virtual_clock(); sim.set_reply_latency(0)
sim.add_group(group, "Sales")
for i in range(threads):
    sim.add_agent(f"a{i}", "1")
with pytapi2.TapiApp(timeout=60) as app:
    line = app.open_line(0)
    sessions = [line.create_agent(f"a{i}", pin="1").create_session(group)
                for i in range(threads)]
    counts = [0] * threads
    stop = threading.Event()
    start = threading.Barrier(threads + 1)
    def work(i):
        info = sessions[i].info
        start.wait()
        n = 0
        while not stop.is_set():
            for _ in range(100):
                info()
            n += 100
        counts[i] = n
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    start.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
print(json.dumps({"ops_per_s": sum(counts) / elapsed}))
"""


def run(checkout: Path, threads: int, seconds: float) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, str(threads), str(seconds)],
                         cwd=checkout, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"})
    return float(json.loads(out.stdout.strip().splitlines()[-1])["ops_per_s"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    ratios = []
    for r in range(args.rounds):
        pair = {}
        for name, path in (("this", HERE), ("other", args.other))[:: 1 if r % 2 else -1]:
            pair[name] = run(path, args.threads, args.seconds)
        ratios.append(pair["this"] / pair["other"])
        print(f"round {r + 1}: this {pair['this']:,.0f}/s, other {pair['other']:,.0f}/s, "
              f"ratio {ratios[-1]:.2f}x", flush=True)
    print(f"median ratio (this / other): {statistics.median(ratios):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
