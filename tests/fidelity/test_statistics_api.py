"""Statistics through pytapi2: ns-tapi-lineagentsessioninfo.md,
ns-tapi-lineagentinfo.md, nf-tapi3cc-itagent-get_numberofincomingcalls.md,
nf-tapi3cc-itagent-get_numberofoutgoingcalls.md."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _fidelity import G1

import pytapi2
from pytapi2 import AgentSessionState


def test_occupancy_during_a_long_call(sim: Any, line: pytapi2.Line) -> None:
    """ns-tapi-lineagentsessioninfo.md counts talking seconds during the
    session: 100 s into a call, occupancy and idle time see it."""
    session = line.create_agent("1002").create_session(G1)
    session.set_state(AgentSessionState.READY)
    sim.advance(100)
    sim.offer_call(session, wait=0, talk=600)
    sim.advance(100)
    info = session.info()
    assert info.number_of_calls == 1
    assert info.total_talk_time == timedelta(seconds=100)
    assert info.idle_time == timedelta(seconds=100)
    assert info.occupancy == 0.5


def test_agent_window_and_non_acd_calls(sim: Any, line: pytapi2.Line) -> None:
    """ns-tapi-lineagentinfo.md: counts over the measurement period; incoming
    and outgoing non-ACD calls (ITAgent::get_NumberOfIncomingCalls / Outgoing)."""
    agent = line.create_agent("1002")
    session = agent.create_session(G1)
    session.set_state(AgentSessionState.READY)
    agent.set_measurement_period(300)
    sim.offer_call(session, wait=0, talk=60)
    sim.advance(60)
    sim.non_acd_call(agent, outgoing=False, talk=30)
    sim.advance(30)
    sim.non_acd_call(agent, outgoing=True, talk=30)
    sim.advance(30)
    info = agent.info()
    assert (info.number_of_acd_calls, info.number_of_incoming_calls,
            info.number_of_outgoing_calls) == (1, 1, 1)
    assert info.measurement_period == timedelta(seconds=300)
    sim.advance(300)
    info = agent.info()
    assert (info.number_of_acd_calls, info.number_of_incoming_calls,
            info.number_of_outgoing_calls) == (0, 0, 0)
