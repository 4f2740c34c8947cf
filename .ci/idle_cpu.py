"""CI check (not a unit test): an idle ``app.next_event(timeout=2)`` must not spin.

Run by .ci/windows under Wine (any OS works): opens an app on the bundled
simulator with no traffic, waits 2 s for an event that never comes and
measures the process's CPU time around the wait. A waiter that really
blocks uses almost none; one that polls burns CPU for the whole wait.

    python .ci/idle_cpu.py [--limit 0.1] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import pytapi2
from pytapi2.simulator import Simulator


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=0.1, help="CPU seconds allowed")
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    pytapi2.load("simulator")
    sim = Simulator()
    sim.reset()
    with pytapi2.TapiApp(app_name="idle-cpu") as app, app.open_line(0):
        wall0, cpu0 = time.monotonic(), time.process_time()
        event = app.next_event(timeout=args.timeout)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    ok = event is None and cpu < args.limit and wall >= args.timeout * 0.95
    print(json.dumps({"event": repr(event), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                      "limit_s": args.limit, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
