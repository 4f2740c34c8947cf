"""``python -m benchmarks.cli_bench``: the acceptance figures of ``pytapi2 bench``.

Runs the command against the simulator three times and checks the targets
of issue 13 (timing targets live here, not in the unit tests):

1. closed loop, 1 ms reply latency: p50 within 10% of 1 ms;
2. one reply in 100 delayed by 50 ms: it shows at p99 (open loop) — the
   closed loop hides it below p99 (coordinated omission), shown for contrast;
3. open loop above capacity (2000/s, one worker at >= 1 ms a request): the
   latency grows through the run, tenth by tenth.

Prints the figures and [MET]/[MISSED]; exit status 1 if a target is missed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def bench(*args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTAPI2_LIBRARY"}
    out = subprocess.run([sys.executable, "-m", "pytapi2", "bench", "--json", "--no-progress",
                          *args], env=env, capture_output=True, text=True, check=True,
                         timeout=600).stdout
    document: dict[str, Any] = json.loads(out)
    return document


def main() -> int:
    ok = True

    def target(met: bool, text: str) -> None:
        nonlocal ok
        ok &= met
        print(f"   [{'MET   ' if met else 'MISSED'}] {text}")

    print("pytapi2 bench acceptance (simulator)")
    doc = bench("--latency", "1ms", "--duration", "5s", "--mode", "closed")
    closed = doc["results"][0]
    p50 = closed["latency_us"]["p50"]
    print(f"1. closed loop, 1 ms latency: p50 {p50:.0f} µs, p99 {closed['latency_us']['p99']:.0f}"
          f" µs, {closed['throughput_per_s']:.0f} req/s; harness overhead "
          f"{doc['overhead']['per_request_us']} µs/request, timer slack 1 ns: "
          f"{doc['overhead']['timer_slack_1ns']}")
    target(abs(p50 - 1000) <= 100, f"p50 within 10% of 1 ms: {p50:.0f} µs")

    doc = bench("--latency", "1ms", "--delay-every", "100", "--delay", "50ms",
                "--duration", "5s", "--rate", "200")
    closed, opened = doc["results"]
    print(f"2. every 100th reply +50 ms: closed p99 {closed['latency_us']['p99']:.0f} µs, "
          f"p99.9 {closed['latency_us']['p99.9']:.0f} µs; open (200/s) p90 "
          f"{opened['latency_us']['p90']:.0f} µs, p99 {opened['latency_us']['p99']:.0f} µs")
    target(opened["latency_us"]["p99"] >= 25_000,
           f"the delay shows at p99 (open loop): {opened['latency_us']['p99']:.0f} µs")

    doc = bench("--latency", "1ms", "--duration", "2s", "--rate", "2000", "--mode", "open")
    (opened,) = doc["results"]
    medians = [t["p50_us"] for t in opened["timeline"] if t["requests"]]
    print("3. open loop at 2000/s (capacity < 1000/s): p50 by tenth of the run (ms): "
          + ", ".join(f"{m / 1000:.1f}" for m in medians)
          + f"; sent {opened['requests']} of {opened['scheduled']}")
    target(medians == sorted(medians) and medians[-1] > 2 * medians[0],
           "latency grows through the run")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
