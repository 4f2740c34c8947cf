"""Agent sessions against the simulator's virtual clock: durations, call
statistics, start times, the call rate, states."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from _api_helpers import GROUP, START, raw_call

import pytapi2
from pytapi2 import AgentSessionState
from pytapi2._convert import datetime_to_ole_date


def raw_session_info(session: pytapi2.AgentSession) -> Any:
    line = session.line
    return raw_call(line, "lineGetAgentSessionInfo", "LINEAGENTSESSIONINFO", 76,
                    session.handle).ptr


def test_new_session_snapshot(session: pytapi2.AgentSession) -> None:
    info = session.info(timeout=5)
    assert info.state is AgentSessionState.NOT_READY
    assert info.next_state is AgentSessionState.READY
    assert info.start_time == START
    assert info.duration == timedelta(0)
    assert info.number_of_calls == 0
    assert info.acd_call_rate == Decimal(0)
    assert not info.ended and info.end_time is None
    assert info.occupancy == 0.0


def test_duration_follows_the_clock(sim: Any, session: pytapi2.AgentSession) -> None:
    sim.advance(90)
    assert session.info().duration == timedelta(seconds=90)
    sim.advance(timedelta(minutes=10))
    info = session.info()
    assert info.duration == timedelta(seconds=690)
    assert info.idle_time == timedelta(seconds=690)
    # duration_at extrapolates from the snapshot by monotonic time
    assert info.duration_at(info.snapshot + 5) == timedelta(seconds=695)
    assert info.duration_at() >= timedelta(seconds=690)


@pytest.mark.parametrize("terminal", [AgentSessionState.ENDED, AgentSessionState.RELEASED])
def test_duration_frozen_once_ended(sim: Any, session: pytapi2.AgentSession,
                                    terminal: AgentSessionState) -> None:
    sim.advance(60)
    if terminal is AgentSessionState.ENDED:
        session.set_state(AgentSessionState.ENDED)
    else:
        sim.set_session_state(session, terminal)
    sim.advance(3600)
    info = session.info()
    assert info.state is terminal
    assert info.ended
    assert info.duration == timedelta(seconds=60)
    assert info.end_time == START + timedelta(seconds=60)
    assert info.duration_at(time.monotonic() + 1000) == timedelta(seconds=60)


def test_full_call_life(sim: Any, session: pytapi2.AgentSession) -> None:
    session.set_state(AgentSessionState.READY, AgentSessionState.READY)
    assert session.info().state is AgentSessionState.READY
    sim.offer_call(session, wait=5, talk=120, wrapup=30)
    sim.advance(5 + 60)
    assert session.info().state is AgentSessionState.BUSY_ON_CALL
    sim.advance(60 + 10)
    assert session.info().state is AgentSessionState.BUSY_WRAPUP
    sim.advance(20)
    info = session.info()
    assert info.state is AgentSessionState.READY
    assert info.number_of_calls == 1
    assert info.total_talk_time == timedelta(seconds=120)
    assert info.average_talk_time == timedelta(seconds=120)
    assert info.total_wrapup_time == timedelta(seconds=30)
    assert info.average_wrapup_time == timedelta(seconds=30)
    assert info.total_call_time == timedelta(seconds=150)
    assert info.average_call_time == timedelta(seconds=150)
    assert info.longest_time_to_answer == timedelta(seconds=5)
    assert info.average_time_to_answer == timedelta(seconds=5)
    assert info.duration == timedelta(seconds=155)

    sim.offer_call(session, wait=15, talk=60, wrapup=10)
    sim.advance(15 + 60 + 10)
    sim.advance(45)
    info = session.info()
    assert info.number_of_calls == 2
    assert info.total_talk_time == timedelta(seconds=180)
    assert info.average_talk_time == timedelta(seconds=90)
    assert info.total_wrapup_time == timedelta(seconds=40)
    assert info.average_wrapup_time == timedelta(seconds=20)
    assert info.total_call_time == timedelta(seconds=220)
    assert info.average_call_time == timedelta(seconds=110)
    assert info.longest_time_to_answer == timedelta(seconds=15)
    assert info.average_time_to_answer == timedelta(seconds=10)
    assert info.duration == timedelta(seconds=155 + 85 + 45)
    assert info.idle_time == info.duration - timedelta(seconds=220)
    assert info.occupancy == pytest.approx(220 / 285)
    # the rate is CURRENCY / 10 000, exactly
    raw = raw_session_info(session)
    assert info.acd_call_rate == Decimal(raw.cyACDCallRate).scaleb(-4)
    assert info.acd_call_rate * 10000 == raw.cyACDCallRate
    assert info.acd_call_rate > 0


@pytest.mark.parametrize(
    "when",
    [
        datetime(1899, 12, 29, 6, 0),        # DATE -1.25: day before, fraction forward
        datetime(1850, 6, 15, 18, 30, 15),
        datetime(1899, 12, 30, 0, 0),        # DATE 0
        datetime(1900, 1, 1, 12, 0),
        datetime(2026, 3, 1, 23, 59, 59),
    ],
)
def test_start_time_either_side_of_the_ole_epoch(sim: Any, agent: pytapi2.Agent,
                                                  when: datetime) -> None:
    sim.set_time(when)
    session = agent.create_session(GROUP)
    assert session.info().start_time == when
    assert raw_session_info(session).dateSessionStartTime == datetime_to_ole_date(when)
    sim.advance(30)
    assert session.info().duration == timedelta(seconds=30)


def test_set_state_and_next_state(session: pytapi2.AgentSession) -> None:
    session.set_state(AgentSessionState.READY, AgentSessionState.NOT_READY)
    info = session.info()
    assert (info.state, info.next_state) == (AgentSessionState.READY,
                                             AgentSessionState.NOT_READY)
    session.set_state(None, AgentSessionState.READY)  # 0: keep the state
    info = session.info()
    assert (info.state, info.next_state) == (AgentSessionState.READY, AgentSessionState.READY)
    session.end()
    assert session.info().state is AgentSessionState.ENDED


def test_invalid_transition_is_typed(session: pytapi2.AgentSession) -> None:
    session.end()
    with pytest.raises(pytapi2.InvalidStateError) as info:
        session.set_state(AgentSessionState.READY)
    assert info.value.name == "LINEERR_INVALAGENTSTATE"  # the code the page lists
    assert info.value.function == "lineSetAgentSessionState"


def test_session_attributes(agent: pytapi2.Agent, session: pytapi2.AgentSession) -> None:
    assert session.agent is agent
    assert session.group == GROUP
    assert session.address_id == 0
    assert session.line is agent.line
    assert session.handle > 0
    assert session in agent.sessions
    assert {session} == set(agent.sessions)


def test_agent_info_state_and_measurement_period(sim: Any, agent: pytapi2.Agent,
                                                  session: pytapi2.AgentSession) -> None:
    session.set_state(AgentSessionState.READY, AgentSessionState.READY)
    sim.offer_call(session, wait=2, talk=40, wrapup=8)
    sim.advance(60)
    info = agent.info()
    assert isinstance(info, pytapi2.AgentInfo)
    assert info.number_of_acd_calls == 1
    assert info.total_acd_talk_time == timedelta(seconds=40)
    assert info.total_acd_wrapup_time == timedelta(seconds=8)
    assert isinstance(info.overall_call_rate, Decimal)
    agent.set_measurement_period(900)
    assert agent.info().measurement_period == timedelta(seconds=900)
    agent.set_state(pytapi2.AgentState.NOT_READY, pytapi2.AgentState.READY)
    info = agent.info()
    assert info.state is pytapi2.AgentState.NOT_READY
    assert info.next_state is pytapi2.AgentState.READY
