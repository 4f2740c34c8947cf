"""The request-reply engine against the simulator's faults: dropped, delayed,
reordered replies, errors, concurrency, close and shutdown with requests pending."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from _api_helpers import AGENT_IDS, GROUP, PIN, wait_for

import pytapi2
from pytapi2 import AgentSessionState
from pytapi2._native import lib
from pytapi2.simulator import Fault


def drain(app: pytapi2.TapiApp) -> None:
    """Pump until every pending request got its reply."""
    assert wait_for(lambda: app.next_event(timeout=0.02) is None
                    and app._core.pending_count() == 0)


def test_dropped_reply_times_out_then_next_call_works(
        sim: Any, app: pytapi2.TapiApp, session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    with pytest.raises(pytapi2.TapiTimeoutError) as info:
        session.info(timeout=0.2)
    assert isinstance(info.value, TimeoutError)
    assert info.value.function == "lineGetAgentSessionInfo"
    assert "lineGetAgentSessionInfo" in str(info.value)
    # the dropped request's memory stays referenced (TAPI could still write it)
    assert app._core.pending_count() == 1
    assert session.info(timeout=5).state is AgentSessionState.NOT_READY


def test_late_reply_is_consumed_after_timeout(
        sim: Any, app: pytapi2.TapiApp, session: pytapi2.AgentSession,
        caplog: pytest.LogCaptureFixture) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DELAY_REPLY, param=300)
    with pytest.raises(pytapi2.TapiTimeoutError):
        session.info(timeout=0.02)
    with caplog.at_level(logging.DEBUG, logger="pytapi2"):
        drain(app)
    assert any("late LINE_REPLY" in r.getMessage() for r in caplog.records)
    assert session.info().duration.total_seconds() == 0


def test_reordered_replies_reach_their_callers(
        sim: Any, agent: pytapi2.Agent, line: pytapi2.Line) -> None:
    first = agent.create_session(GROUP)
    first.set_state(AgentSessionState.READY)
    second = line.create_agent(AGENT_IDS[1], pin=PIN).create_session(GROUP)
    sim.inject_fault("lineGetAgentSessionInfo", Fault.REORDER_REPLY)
    infos = line.session_infos([first, second])
    assert [i.state for i in infos] == [AgentSessionState.READY, AgentSessionState.NOT_READY]


def test_inflated_needed_size_grows_and_retries(sim: Any, agent: pytapi2.Agent) -> None:
    created = {agent.create_session(GROUP, 0)}
    sim.inject_fault("lineGetAgentSessionList", Fault.INFLATE_NEEDED, count=3, param=5000)
    assert set(agent.sessions) == created
    sim.inject_fault("lineGetGroupListW", Fault.INFLATE_NEEDED, param=100)
    assert GROUP in {g.id for g in agent.line.groups()}


def test_immediate_error_is_typed(sim: Any, session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.ERROR, error=lib.LINEERR_RESOURCEUNAVAIL)
    with pytest.raises(pytapi2.ResourceUnavailableError) as info:
        session.info()
    assert info.value.name == "LINEERR_RESOURCEUNAVAIL"
    assert info.value.function == "lineGetAgentSessionInfo"
    assert info.value.code == lib.LINEERR_RESOURCEUNAVAIL - 2**32


def test_reply_error_is_typed(sim: Any, app: pytapi2.TapiApp,
                              session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineSetAgentSessionState", Fault.REPLY_ERROR,
                     error=lib.LINEERR_INVALAGENTSESSIONSTATE)
    with pytest.raises(pytapi2.InvalidStateError) as info:
        session.set_state(AgentSessionState.READY)
    assert info.value.name == "LINEERR_INVALAGENTSESSIONSTATE"
    assert info.value.function == "lineSetAgentSessionState"
    assert app._core.pending_count() == 0
    assert session.info().state is AgentSessionState.NOT_READY  # no effect


def test_create_agent_errors(line: pytapi2.Line) -> None:
    with pytest.raises(pytapi2.InvalidParameterError) as info:
        line.create_agent("9999", pin=PIN)
    assert info.value.function == "lineCreateAgentW"
    assert info.value.name is not None and info.value.name.startswith("LINEERR_INVAL")


def test_unknown_reply_is_logged_and_ignored(
        sim: Any, app: pytapi2.TapiApp, session: pytapi2.AgentSession,
        caplog: pytest.LogCaptureFixture) -> None:
    sim.post_message(app.handle, 0, lib.LINE_REPLY, 987654, 0)
    with caplog.at_level(logging.WARNING, logger="pytapi2"):
        assert session.info().number_of_calls == 0
        assert app._core.stray_replies() == 1
        app.next_event(timeout=0)  # the core's counters are logged off the fast path
    assert any("unknown request ID 987654" in r.getMessage() for r in caplog.records)


def test_eight_threads_get_their_own_replies(sim: Any, line: pytapi2.Line) -> None:
    sessions = []
    for calls, agent_id in enumerate(AGENT_IDS):
        session = line.create_agent(agent_id, pin=PIN).create_session(GROUP)
        session.set_state(AgentSessionState.READY, AgentSessionState.READY)
        for _ in range(calls):
            sim.offer_call(session, wait=1, talk=10, wrapup=1)
            sim.advance(12)
        sessions.append(session)
    sim.set_reply_latency(0.0005)
    barrier = threading.Barrier(len(sessions))
    failures: list[BaseException] = []

    def worker(calls: int, session: pytapi2.AgentSession) -> None:
        try:
            barrier.wait()
            for _ in range(200):
                assert session.info().number_of_calls == calls
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i, s)) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert line.app._core.pending_count() == 0


def test_shutdown_releases_a_waiting_thread(sim: Any, app: pytapi2.TapiApp,
                                            session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    outcome: list[BaseException] = []

    def waiter() -> None:
        try:
            session.info(timeout=60)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    assert wait_for(lambda: app._core.pending_count() == 1)
    app.close()
    thread.join(10)
    assert not thread.is_alive()
    (error,) = outcome
    assert isinstance(error, pytapi2.TapiClosedError)
    assert "shut down" in str(error) and error.function == "lineGetAgentSessionInfo"
    app.close()  # idempotent


def test_line_close_releases_a_waiting_thread(sim: Any, app: pytapi2.TapiApp,
                                              line: pytapi2.Line,
                                              session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    outcome: list[BaseException] = []

    def waiter() -> None:
        try:
            session.info(timeout=60)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    assert wait_for(lambda: app._core.pending_count() == 1)
    line.close()
    thread.join(10)
    assert not thread.is_alive()
    (error,) = outcome
    assert isinstance(error, pytapi2.TapiClosedError)
    assert "line was closed" in str(error)
    with pytest.raises(pytapi2.TapiClosedError):
        session.info()
    # the app is still usable
    with app.open_line(0) as other:
        assert other.groups()


def test_provider_line_close(sim: Any, app: pytapi2.TapiApp, line: pytapi2.Line,
                             session: pytapi2.AgentSession) -> None:
    sim.close_line(0)
    events = list(app.events(timeout=0.2))
    assert pytapi2.LineClosedEvent(line) in events
    assert line.closed
    with pytest.raises(pytapi2.TapiClosedError):
        session.info()
    line.close()  # idempotent, no lineClose on a provider-closed line


def test_many_in_flight_from_one_thread(sim: Any, line: pytapi2.Line,
                                        session: pytapi2.AgentSession) -> None:
    sim.set_reply_latency(0.001)
    infos = line.session_infos([session] * 50)
    assert len(infos) == 50 and all(i == infos[0] for i in infos)


def test_event_loop_thread_and_callers_share_the_pump(sim: Any, app: pytapi2.TapiApp,
                                                      session: pytapi2.AgentSession) -> None:
    sim.set_reply_latency(0.0002)
    stop = threading.Event()
    seen: list[pytapi2.Event] = []

    def event_loop() -> None:
        while not stop.is_set():
            seen.extend(app.events(timeout=0.05))

    thread = threading.Thread(target=event_loop)
    thread.start()
    try:
        for i in range(100):
            session.set_state(AgentSessionState.READY if i % 2 == 0
                              else AgentSessionState.NOT_READY)
            assert session.info().state is (AgentSessionState.READY if i % 2 == 0
                                            else AgentSessionState.NOT_READY)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert wait_for(lambda: (seen.extend(app.events(timeout=0.05)), len(
        [e for e in seen if isinstance(e, pytapi2.AgentSessionEvent) and e.state_changed]
    ) >= 100)[1])


def test_zero_timeout_fetches_a_queued_reply(sim: Any, app: pytapi2.TapiApp,
                                             session: pytapi2.AgentSession) -> None:
    sim.post_message(app.handle, 0, lib.LINE_REPLY, 424242, 0)
    # an already-queued message is fetched even with timeout 0
    assert wait_for(lambda: app.next_event(timeout=0) is None
                    and app._core.pending_count() == 0)
    assert app.next_event(timeout=0) is None


def test_batch_timeout_names_the_batch_timeout(
        sim: Any, app: pytapi2.TapiApp, line: pytapi2.Line,
        session: pytapi2.AgentSession) -> None:
    """The deadline is computed once for the whole batch, and the error says
    which timeout passed (it used to say "within 0 s")."""
    other = line.create_agent(AGENT_IDS[1], pin=PIN).create_session(GROUP)
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    results = line.session_infos([session, other], timeout=0.5, return_exceptions=True)
    assert isinstance(results[0], pytapi2.TapiTimeoutError)
    assert "no reply within 0.5 s" in str(results[0])
    assert results[1].state is AgentSessionState.NOT_READY
