"""Typed events through pytapi2: line-queuestatus.md, line-groupstatus.md,
ne-tapi3cc-agent_session_event.md, ne-tapi3cc-agent_event.md,
nf-tapi3cc-itagentsession-get_agent.md."""

from __future__ import annotations

import uuid
from typing import Any

from _fidelity import G1

import pytapi2
from pytapi2 import (
    AgentEventCode,
    AgentSessionEventCode,
    AgentSessionState,
    AgentState,
    GroupStatus,
    QueueStatus,
)


def _events(app: pytapi2.TapiApp, kind: type) -> list[Any]:
    return [e for e in app.events(timeout=0.05) if isinstance(e, kind)]


def test_queue_and_group_messages_are_typed(sim: Any, app: pytapi2.TapiApp,
                                            line: pytapi2.Line) -> None:
    """line-queuestatus.md (dwParam1 queue ID, dwParam2 LINEQUEUESTATUS_) and
    line-groupstatus.md (dwParam2 LINEGROUPSTATUS_): QueueEvent / GroupEvent."""
    _events(app, object)
    sim.add_group(uuid.UUID(int=5), "Billing")
    sim.add_queue(G1, 9, "Callback")
    line.set_queue_measurement_period(9, 60)
    events = [e for e in app.events(timeout=0.05)
              if isinstance(e, (pytapi2.QueueEvent, pytapi2.GroupEvent))]
    assert events == [pytapi2.GroupEvent(line, GroupStatus.NEW_GROUP),
                      pytapi2.QueueEvent(line, 9, QueueStatus.NEW_QUEUE),
                      pytapi2.QueueEvent(line, 9, QueueStatus.UPDATE_INFO)]


def test_session_events_carry_tapi3_codes(sim: Any, app: pytapi2.TapiApp,
                                          line: pytapi2.Line) -> None:
    """ne-tapi3cc-agent_session_event.md: ASE_NEW_SESSION, then one code per
    state (RELEASED ends the session like ENDED); statistics updates have none."""
    session = line.create_agent("1002").create_session(G1)
    session.set_state(AgentSessionState.READY, AgentSessionState.READY)
    sim.offer_call(session, wait=1, talk=10, wrapup=5)
    sim.advance(16)
    session.end()
    sim.set_session_state(session, AgentSessionState.RELEASED)
    codes = [e.tapi3_events for e in _events(app, pytapi2.AgentSessionEvent)]
    E = AgentSessionEventCode
    assert codes == [(E.NEW_SESSION,), (E.READY,), (E.BUSY,), (E.WRAPUP,), (), (E.READY,),
                     (E.END,), (E.END,)]


def test_agent_events_carry_tapi3_codes(sim: Any, app: pytapi2.TapiApp,
                                        line: pytapi2.Line) -> None:
    """ne-tapi3cc-agent_event.md: one AE_ code per agent state (RELEASED has
    none); new agents and statistics updates have none."""
    agent = line.create_agent("1002")
    agent.set_state(AgentState.NOT_READY)
    sim.non_acd_call(agent, outgoing=True, talk=5)
    sim.advance(5)
    agent.set_state(AgentState.RELEASED)
    codes = [e.tapi3_events for e in _events(app, pytapi2.AgentEvent)]
    E = AgentEventCode
    assert codes == [(), (E.NOT_READY,), (E.BUSY_OUTGOING,), (E.NOT_READY,), (), ()]


def test_session_first_seen_in_an_event_knows_its_agent(sim: Any, app: pytapi2.TapiApp,
                                                        line: pytapi2.Line) -> None:
    """nf-tapi3cc-itagentsession-get_agent.md: get_Agent returns the owning
    agent, also for a session this app did not create (looked up in the
    session lists of the line's agents); None if the agent is unknown here."""
    mine = line.create_agent("1002")
    _events(app, object)
    with pytapi2.TapiApp(app_name="other", timeout=10.0) as other, other.open_line(0) as l2:
        theirs = l2.create_agent("1002").create_session(G1)
        stranger = l2.create_agent("1001", pin="1234").create_session(G1)
    seen = [e.session for e in _events(app, pytapi2.AgentSessionEvent) if e.is_new]
    assert [s.handle for s in seen] == [theirs.handle, stranger.handle]
    assert seen[0].agent is mine
    assert seen[1].agent is None


def test_agent_lookup_on_a_closed_line_gives_none(sim: Any, app: pytapi2.TapiApp,
                                                  line: pytapi2.Line) -> None:
    """The lookup behind session.agent is a TAPI request: on a closed line it
    cannot run, and the property answers None instead of raising."""
    line.create_agent("1002")
    _events(app, object)
    with pytapi2.TapiApp(app_name="other", timeout=10.0) as other, other.open_line(0) as l2:
        l2.create_agent("1002").create_session(G1)
    seen = [e.session for e in _events(app, pytapi2.AgentSessionEvent) if e.is_new]
    line.close()
    assert seen[0].agent is None
