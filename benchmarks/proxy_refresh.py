"""Benchmark row: one session refresh (``session.info()``) answered by a
Python agent handler (pytapi2.proxy, the example ACD's answer) against the
same refresh answered by the simulator's built-in ACD model.

    python -m benchmarks.proxy_refresh [--rounds N] [--block-s S]

The handler runs in a thread of the same process, as a proxy would run
beside a TSP; the figure is the round trip a client sees: request, the
handler's wake-up, its answer and encoding, lineProxyResponse, LINE_REPLY.
Interleaved rounds (benchmarks.harness), median and quartiles per refresh.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytapi2
from benchmarks.harness import calibrate, interleave, loop_block
from pytapi2 import AgentSessionInfo, AgentSessionState
from pytapi2.proxy import AgentHandler, ProxyRequest, ProxyRequestType

GROUP = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
INFO = AgentSessionInfo(
    state=AgentSessionState.READY, next_state=None, start_time=datetime(2026, 1, 5, 9),
    duration=timedelta(minutes=30), number_of_calls=3, total_talk_time=timedelta(minutes=9),
    average_talk_time=timedelta(minutes=3), total_call_time=timedelta(minutes=12),
    average_call_time=timedelta(minutes=4), total_wrapup_time=timedelta(minutes=3),
    average_wrapup_time=timedelta(minutes=1), acd_call_rate=Decimal(6),
    longest_time_to_answer=timedelta(seconds=20), average_time_to_answer=timedelta(seconds=8))


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:8.1f} µs"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.proxy_refresh")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--block-s", type=float, default=0.2)
    args = parser.parse_args(argv)
    from pytapi2.simulator import Simulator

    sim = Simulator()
    sim.reset()
    sim.configure_lines(2)
    sim.use_virtual_clock()
    sim.add_group(GROUP, "Sales")
    sim.add_agent("1001", "4321")
    # device 0: the built-in model answers; device 1: a Python handler does
    handler = AgentHandler(1, [ProxyRequestType.GET_AGENT_SESSION_INFO])

    def answer(request: ProxyRequest) -> object:
        return INFO

    thread = threading.Thread(target=handler.serve, args=(answer,),
                              kwargs={"timeout": float("inf")}, daemon=True)
    thread.start()
    try:
        with pytapi2.TapiApp(app_name="bench") as app, app.open_line(0) as builtin_line, \
                app.open_line(1) as proxied_line:
            session = builtin_line.create_agent("1001", pin="4321").create_session(GROUP)
            # the same session seen through device 1's line (no public
            # constructor: the line's object cache, as the request core spells it)
            objects = getattr(proxied_line, "_objects", None)
            proxied = (objects.session(session.handle) if objects is not None
                       else proxied_line._session(session.handle))
            blocks = {"built-in model": loop_block(session.info),
                      "Python handler": loop_block(proxied.info)}
            loops = {name: calibrate(block, args.block_s) for name, block in blocks.items()}
            samples = interleave(blocks, args.rounds, loops)
    finally:
        handler.close()
        thread.join()
        sim.reset()
    print("session.info() refresh, one session, reply latency 0")
    for name, sample in samples.items():
        q1, q3 = sample.quartiles
        print(f"  {name:15s} {_fmt(sample.median)}  (IQR {_fmt(q1).strip()} to {_fmt(q3).strip()},"
              f" {len(sample.values)} rounds of {sample.loops})")
    ratio = samples["Python handler"].median / samples["built-in model"].median
    print(f"  served by the Python handler: {ratio:.1f}x the built-in model's time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
