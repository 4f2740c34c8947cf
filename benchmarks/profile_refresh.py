"""Where the time of one refresh goes: ``python -m benchmarks.profile_refresh``.

Times the layers of ``session.info()`` separately (interleaved, medians), the
same split for the ctypes peer, and prints a cProfile of ``session.info()``
sorted by own time. Layers:

* ``cffi round trip``: ``lib.lineGetAgentSessionInfo`` then ``lib.lineGetMessage``
  until the reply, straight through pytapi2's cffi module -- the floor of any
  Python binding built on it;
* ``core call``: one ``lib.pt_call`` into the C request core with a reused
  request (issue, record, pump, dispatch), no copy-out;
* ``channel round trip``: the line's channel (``Channel.fixed``, what
  ``session.info()`` uses: pooled request, the core call, copy-out) without
  decoding;
* ``decode``: ``decode_session_info`` over a filled buffer (the Python values);
* ``session.info()``: the public call, everything included.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import io
import pstats
from collections.abc import Callable, Sequence
from typing import Any

import pytapi2
from benchmarks.harness import calibrate, interleave, loop_block
from benchmarks.peer_ctypes import LINEAGENTSESSIONINFO, CtypesPeer
from benchmarks.run import FULL, GROUP, PIN, Config, give_history, setup
from pytapi2._native import ffi, lib
from pytapi2._structs import SESSION_INFO_SIZE, decode_session_info


def layers(bench_session: pytapi2.AgentSession, peer: CtypesPeer,
           peer_session: int) -> dict[str, Callable[[], Any]]:
    line = bench_session.line
    app = line.app
    hline, hsession, happ = line.handle, bench_session.handle, app.handle
    buffer = ffi.new("LINEAGENTSESSIONINFO *")
    message = ffi.new("LINEMESSAGE *")
    reply = lib.LINE_REPLY

    def cffi_round_trip() -> None:
        buffer.dwTotalSize = SESSION_INFO_SIZE
        rid = lib.lineGetAgentSessionInfo(hline, hsession, buffer)
        while True:
            lib.lineGetMessage(happ, message, 1000)
            if message.dwMessageID == reply and message.dwParam1 == rid:
                break

    channel = line._channel
    core = app._core.ptr
    req = app._core.new_request()
    op = lib.PT_OP_SESSION_INFO

    def core_call() -> int:
        return int(lib.pt_call(core, req, op, hline, hsession, 0, 0, SESSION_INFO_SIZE, 200))

    def channel_round_trip() -> bytes:
        return channel.fixed(op, SESSION_INFO_SIZE, hsession, 120.0)

    data = channel_round_trip()
    filled = LINEAGENTSESSIONINFO()
    filled.dwTotalSize = ctypes.sizeof(filled)

    def ctypes_round_trip() -> None:
        info = LINEAGENTSESSIONINFO()
        info.dwTotalSize = ctypes.sizeof(LINEAGENTSESSIONINFO)
        rid = peer.tapi.lineGetAgentSessionInfo(peer.line, peer_session, ctypes.byref(info))
        peer._wait_reply(rid, "lineGetAgentSessionInfo")

    return {
        "cffi round trip (floor)": cffi_round_trip,
        "pytapi2 core call (pt_call)": core_call,
        "pytapi2 channel round trip": channel_round_trip,
        "pytapi2 decode_session_info": lambda: decode_session_info(data),
        "pytapi2 session.info()": bench_session.info,
        "ctypes round trip (peer)": ctypes_round_trip,
        "ctypes peer refresh()": lambda: peer.refresh(peer_session),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_refresh",
                                     description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--top", type=int, default=25, help="cProfile rows")
    args = parser.parse_args(argv)
    config = Config(**{**FULL.__dict__, "sizes": (1,)})
    bench = setup(config)
    peer = CtypesPeer(pytapi2.backend().path)
    try:
        peer_session = peer.create_session("1001", PIN, GROUP)
        give_history(bench.sim, [bench.session.handle, peer_session])
        ops = layers(bench.session, peer, peer_session)
        blocks = {name: loop_block(op) for name, op in ops.items()}
        loops = {name: calibrate(block, 0.05) for name, block in blocks.items()}
        samples = interleave(blocks, args.rounds, loops)
        print(f"{'layer':34}{'median':>12}{'q1':>10}{'q3':>10}")
        for name, sample in samples.items():
            q1, q3 = sample.quartiles
            print(f"{name:34}{sample.median * 1e6:>10.2f} µs{q1 * 1e6:>8.2f}{q3 * 1e6:>10.2f}")

        profiler = cProfile.Profile()
        info = bench.session.info
        profiler.enable()
        for _ in range(20_000):
            info()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print("\ncProfile of 20 000 session.info() calls (sorted by own time):")
        print("\n".join(out.getvalue().splitlines()[3:]))
    finally:
        peer.close()
        bench.app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
