"""Stress: 8 threads refresh 8 distinct sessions while events flow and the
virtual clock advances; every reply reaches its own caller, nothing deadlocks
(watchdog), no request slot is left over.

Size: PYTAPI2_STRESS_REFRESHES refreshes per thread, default 10 000 (about
15 s here); the sanitizer run uses a smaller size, a soak a larger one:
``PYTAPI2_STRESS_REFRESHES=100000 pytest tests/hardening/test_stress.py``.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from datetime import timedelta
from typing import Any

import pytest
from _hardening import AGENT_IDS, GROUP, GROUP2, PIN, drain

import pytapi2
from pytapi2 import AgentSessionState
from pytapi2.simulator import Fault

THREADS = 8
REFRESHES = int(os.environ.get("PYTAPI2_STRESS_REFRESHES", "10000"))
# Generous: the bound only decides "deadlocked", it is not a timing assertion.
WATCHDOG_S = 120 + REFRESHES * THREADS * 0.005


def test_refreshes_events_and_clock_together(sim: Any, app: pytapi2.TapiApp,
                                             line: pytapi2.Line) -> None:
    # Eight sessions whose identity is visible in every reply: session i has i calls.
    sessions = []
    for calls, agent_id in enumerate(AGENT_IDS[:THREADS]):
        session = line.create_agent(agent_id, pin=PIN).create_session(GROUP)
        session.set_state(AgentSessionState.READY, AgentSessionState.READY)
        for _ in range(calls):
            sim.offer_call(session, wait=1, talk=10, wrapup=1)
            sim.advance(12)
        session.set_state(AgentSessionState.NOT_READY)
        sessions.append(session)
    # Four more agents take random calls in another group: events while we run.
    for agent_id in AGENT_IDS[THREADS:THREADS + 4]:
        busy = line.create_agent(agent_id, pin=PIN).create_session(GROUP2)
        busy.set_state(AgentSessionState.READY, AgentSessionState.READY)
    sim.set_traffic(GROUP2, calls_per_hour=3600, mean_talk=20, mean_wrapup=2, seed=7)
    sim.set_reply_latency(0.00005)
    # A sprinkling of reordered and delayed replies.
    sim.inject_fault("lineGetAgentSessionInfo", Fault.REORDER_REPLY, count=200)
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DELAY_REPLY, count=200, param=2)

    stop = threading.Event()
    failures: list[BaseException] = []
    events: list[pytapi2.Event] = []
    advanced = [0]
    barrier = threading.Barrier(THREADS + 2)

    def refresher(calls: int, session: pytapi2.AgentSession) -> None:
        try:
            barrier.wait()
            last = timedelta(0)
            for _ in range(REFRESHES):
                info = session.info(timeout=60)
                assert info.number_of_calls == calls, "a reply reached the wrong caller"
                assert info.state is AgentSessionState.NOT_READY
                assert info.duration >= last  # the clock only moves forward
                last = info.duration
        except BaseException as exc:
            failures.append(exc)

    def event_loop() -> None:
        try:
            barrier.wait()
            while not stop.is_set():
                events.extend(app.events(timeout=0.02))
        except BaseException as exc:
            failures.append(exc)

    def clock() -> None:
        try:
            barrier.wait()
            while not stop.is_set():
                sim.advance(0.5)
                advanced[0] += 1
                stop.wait(0.0005)
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=refresher, args=(i, s), daemon=True)
               for i, s in enumerate(sessions)]
    helpers = [threading.Thread(target=event_loop, daemon=True),
               threading.Thread(target=clock, daemon=True)]
    faulthandler.dump_traceback_later(WATCHDOG_S + 30, exit=True, file=sys.stderr)
    try:
        for t in workers + helpers:
            t.start()
        for t in workers:
            t.join(WATCHDOG_S)
        stuck = [t.name for t in workers if t.is_alive()]
        stop.set()
        for t in helpers:
            t.join(30)
        if stuck or any(t.is_alive() for t in helpers):
            faulthandler.dump_traceback(file=sys.stderr)
            pytest.fail(f"deadlock: threads still running after the watchdog: {stuck}")
    finally:
        stop.set()
        faulthandler.cancel_dump_traceback_later()
    assert failures == []
    assert advanced[0] > 0
    assert any(isinstance(e, pytapi2.AgentSessionEvent) for e in events)
    sim.clear_faults()
    sim.set_traffic(GROUP2, calls_per_hour=0, mean_talk=1, mean_wrapup=1)
    # No leaked request slot, no reply left in the simulator.
    assert drain(app, sim)
    assert app._core.pending_count() == 0
    assert sim.pending_replies(app.handle) == 0
    assert app._core.sleeper_count() == 0 and not app._core.pumping
