"""The pytest plugin's fixtures as a user gets them, and the live view's
bookkeeping of ended sessions (dimmed, then gone)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import pytapi2
from pytapi2 import AgentSessionState
from pytapi2.cli import ENDED_LINGER, Tracked
from pytapi2.simulator import Simulator
from pytapi2.simulator.scenario import SessionLabel


def test_default_fixtures_are_the_small_call_center(tapisim: Simulator,
                                                    tapi_session: pytapi2.AgentSession) -> None:
    assert tapisim.now() == datetime(2026, 1, 5, 9, 0)
    assert tapi_session.agent is not None and tapi_session.agent.id == "1001"
    assert tapi_session.info().state in (AgentSessionState.NOT_READY, AgentSessionState.READY)


@pytest.mark.tapisim("default")
def test_the_marker_chooses_the_scenario(tapisim: Simulator, tapi_line: pytapi2.Line) -> None:
    assert tapisim.now() == datetime(2026, 1, 5, 8, 0)
    assert [g.name for g in tapi_line.groups()] == ["Sales", "Support", "Billing"]


def test_faults_and_latency_are_reset_after_a_test(tapisim: Simulator) -> None:
    tapisim.set_reply_latency(0.5)  # the next test must not wait for this


def test_the_next_test_is_fast_again(tapi_session: pytapi2.AgentSession) -> None:
    # A refresh with the 0.5 s latency left behind would take >= 0.5 s; with
    # the latency reset it must at least not be refused or time out at 10 s.
    assert tapi_session.info(timeout=5).number_of_calls == 0


def test_ended_sessions_stay_dimmed_then_leave_the_live_view(
        tapisim: Simulator, tapi_line: pytapi2.Line, tapi_session: pytapi2.AgentSession,
        monkeypatch: pytest.MonkeyPatch) -> None:
    tracked = Tracked()
    tracked.add(tapi_session, SessionLabel("1001", "Sales", "Ana Silva"))
    tapi_session.set_state(AgentSessionState.ENDED)
    tracked.refresh(tapi_line, tapisim.now())
    clock = [1000.0]
    monkeypatch.setattr("pytapi2.cli.time.monotonic", lambda: clock[0])
    now = tapisim.now()
    assert [r.agent for r in tracked.rows(now, live=True)] == ["1001"]  # first seen ended
    clock[0] += ENDED_LINGER - 1
    assert [r.agent for r in tracked.rows(now, live=True)] == ["1001"]
    clock[0] += 2
    assert tracked.rows(now, live=True) == []
    # Reports (piped, --once, sessions) keep every session.
    assert [r.agent for r in tracked.rows(now)] == ["1001"]


def test_time_in_state_counts_from_the_change(tapisim: Simulator, tapi_line: pytapi2.Line,
                                              tapi_session: pytapi2.AgentSession) -> None:
    tracked = Tracked()
    tracked.add(tapi_session, SessionLabel("1001", "Sales"))
    tracked.refresh(tapi_line, tapisim.now())
    (row,) = tracked.rows(tapisim.now())
    assert row.in_state is None  # not seen changing yet: not known
    tapi_session.set_state(AgentSessionState.READY, AgentSessionState.READY)
    tracked.refresh(tapi_line, tapisim.now())
    tapisim.advance(90)
    tracked.refresh(tapi_line, tapisim.now())
    (row,) = tracked.rows(tapisim.now())
    assert row.info.state is AgentSessionState.READY
    assert row.in_state == timedelta(seconds=90)
