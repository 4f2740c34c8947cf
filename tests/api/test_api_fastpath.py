"""The refresh fast paths: the engine's uncontended pump, typed fixed-size
buffers, and the decoder's direct construction of AgentSessionInfo."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from _api_helpers import AGENT_IDS, GROUP, PIN, wait_for
from test_api_decoders import session_info_bytes

import pytapi2
from pytapi2 import AgentSessionState, _structs
from pytapi2._convert import ole_date_to_datetime
from pytapi2._native import lib
from pytapi2._structs import AgentSessionInfo, decode_session_info
from pytapi2.errors import TapiProtocolError
from pytapi2.simulator import Fault


def _reference(data: bytes, snapshot: float) -> AgentSessionInfo:
    """The decode through the dataclass's own __init__ (the slow, obvious way)."""
    (_, _, _, state, next_state, date, duration, calls, talk, avg_talk, call, avg_call, wrap,
     avg_wrap, rate, longest, avg_answer) = _structs._SESSION_INFO.unpack_from(data)
    return AgentSessionInfo(
        state=AgentSessionState(state),
        next_state=AgentSessionState(next_state) if next_state else None,
        start_time=ole_date_to_datetime(date), duration=timedelta(seconds=duration),
        number_of_calls=calls, total_talk_time=timedelta(seconds=talk),
        average_talk_time=timedelta(seconds=avg_talk), total_call_time=timedelta(seconds=call),
        average_call_time=timedelta(seconds=avg_call), total_wrapup_time=timedelta(seconds=wrap),
        average_wrapup_time=timedelta(seconds=avg_wrap),
        acd_call_rate=Decimal(rate).scaleb(-4), longest_time_to_answer=timedelta(seconds=longest),
        average_time_to_answer=timedelta(seconds=avg_answer), snapshot=snapshot)


@pytest.mark.parametrize("fields", [
    {},
    {"state": 0x10, "next": 0, "duration": 0, "rate": -12345},
    {"duration": 0xFFFFFFFF, "talk": 0xFFFFFFFF, "rate": 2**63 - 1},
    {"date": -1.25},
    {"date": 2958465.999999999},
])
def test_decode_matches_the_dataclass_constructor(fields: dict[str, Any]) -> None:
    data = session_info_bytes(**fields)
    info = decode_session_info(data, snapshot=5.0)
    reference = _reference(data, 5.0)
    assert type(info) is AgentSessionInfo
    assert info == reference and hash(info) == hash(reference) and repr(info) == repr(reference)
    for name in AgentSessionInfo.__slots__:
        assert getattr(info, name) == getattr(reference, name)
        assert type(getattr(info, name)) is type(getattr(reference, name))
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.duration = timedelta(0)  # type: ignore[misc]
    assert dataclasses.replace(info, number_of_calls=9).number_of_calls == 9


def test_decode_unknown_states_and_bad_dates_are_protocol_errors() -> None:
    with pytest.raises(TapiProtocolError, match="dwAgentSessionState: unknown AgentSessionState"):
        decode_session_info(session_info_bytes(state=0x40))
    with pytest.raises(TapiProtocolError, match="dwNextAgentSessionState: unknown"):
        decode_session_info(session_info_bytes(next=3))
    for date in (float("nan"), float("inf"), 1e12, -1e12):
        with pytest.raises(TapiProtocolError, match="dateSessionStartTime"):
            decode_session_info(session_info_bytes(date=date))


def test_start_time_cache_is_bounded_and_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_structs, "_DATE_CACHE", {})
    monkeypatch.setattr(_structs, "_DATE_CACHE_SIZE", 8)
    for k in range(50):
        date = 46000.0 + k / 7 - (100_000 if k % 2 else 0)
        info = decode_session_info(session_info_bytes(date=date))
        assert info.start_time == ole_date_to_datetime(date)
        assert len(_structs._DATE_CACHE) <= 8
    again = decode_session_info(session_info_bytes(date=46000.0 + 49 / 7 - 100_000))
    assert again.start_time == ole_date_to_datetime(46000.0 + 49 / 7 - 100_000)


def test_fixed_size_request_is_one_core_call_and_the_reply_fits(
        app: pytapi2.TapiApp, session: pytapi2.AgentSession) -> None:
    issued = lib.pt_issued(app._core.ptr)
    live = app._core.requests_in_use()
    assert session.info().state is AgentSessionState.NOT_READY
    assert lib.pt_issued(app._core.ptr) == issued + 1  # one TAPI call, no retry
    assert app._core.requests_in_use() == live  # the request is freed with its Python object
    core = app._core
    assert core.pending_count() == 0 and not core.pumping and core.sleeper_count() == 0


def test_fixed_size_grows_when_the_provider_asks(
        sim: Any, app: pytapi2.TapiApp, session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.INFLATE_NEEDED, param=24)
    assert session.info().state is AgentSessionState.NOT_READY
    assert app._core.size_hints["lineGetAgentSessionInfo"] == 100  # later calls: 100-byte buffers
    assert session.info().state is AgentSessionState.NOT_READY


def test_waiter_arriving_while_the_fast_path_pumps_gets_its_reply(
        sim: Any, app: pytapi2.TapiApp, line: pytapi2.Line, session: pytapi2.AgentSession) -> None:
    """One thread pumps in the fast path (its reply is delayed); others arrive,
    sleep, are woken by their replies or take the pump role over when it leaves."""
    other = line.create_agent(AGENT_IDS[1], pin=PIN).create_session(GROUP)
    sim.set_reply_latency(0.001)
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DELAY_REPLY, param=200)
    results: list[Any] = []
    errors: list[BaseException] = []

    def refresh(target: pytapi2.AgentSession, times: int) -> None:
        try:
            for _ in range(times):
                results.append(target.info(timeout=10).state)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    slow = threading.Thread(target=refresh, args=(session, 1))
    slow.start()
    assert wait_for(lambda: app._core.pumping)
    fast = [threading.Thread(target=refresh, args=(other, 20)) for _ in range(3)]
    for t in fast:
        t.start()
    for t in [slow, *fast]:
        t.join(20)
    assert not errors and len(results) == 61
    assert app._core.pending_count() == 0
    assert app._core.sleeper_count() == 0 and not app._core.pumping


def test_fast_path_pumper_sees_close_and_shutdown(
        sim: Any, app: pytapi2.TapiApp, line: pytapi2.Line,
        session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    outcome: list[BaseException] = []

    def waiter() -> None:
        try:
            session.info(timeout=30)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    assert wait_for(lambda: app._core.pumping and app._core.pending_count() == 1)
    started = time.monotonic()
    line.close()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 2
    assert isinstance(outcome[0], pytapi2.TapiClosedError)


def test_fast_path_zero_timeout_still_polls_once(
        app: pytapi2.TapiApp, session: pytapi2.AgentSession) -> None:
    list(app.events(timeout=0.01))  # the session's creation events are not in the way
    # latency 0: the reply is queued before the wait starts; one poll fetches it
    assert session.info(timeout=0).state is AgentSessionState.NOT_READY
    assert app._core.pending_count() == 0 and lib.LINE_REPLY
