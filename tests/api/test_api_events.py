"""Typed events from LINE_AGENTSESSIONSTATUS / LINE_AGENTSTATUSEX."""

from __future__ import annotations

from typing import Any

from _api_helpers import GROUP

import pytapi2
from pytapi2 import AgentSessionState, AgentSessionStatus


def session_events(app: pytapi2.TapiApp) -> list[pytapi2.AgentSessionEvent]:
    return [e for e in app.events(timeout=0.2) if isinstance(e, pytapi2.AgentSessionEvent)]


def test_new_session_state_and_update_events(sim: Any, app: pytapi2.TapiApp,
                                             agent: pytapi2.Agent) -> None:
    session = agent.create_session(GROUP)
    events = session_events(app)
    assert any(e.session is session and e.is_new for e in events)
    for event in events:
        assert isinstance(event.status, AgentSessionStatus)
        assert event.line is agent.line

    session.set_state(AgentSessionState.READY, AgentSessionState.READY)
    events = session_events(app)
    changes = [e for e in events if e.session is session and e.state_changed]
    assert changes and changes[-1].state is AgentSessionState.READY

    sim.offer_call(session, wait=1, talk=20, wrapup=5)
    sim.advance(30)
    events = session_events(app)
    states = [e.state for e in events if e.session is session and e.state_changed]
    assert AgentSessionState.BUSY_ON_CALL in states
    assert any(e.session is session and e.info_changed for e in events)
    for event in events:
        assert (event.state is None) == (not event.state_changed)


def test_switch_side_state_change(sim: Any, app: pytapi2.TapiApp,
                                  session: pytapi2.AgentSession) -> None:
    list(app.events(timeout=0.05))
    sim.set_session_state(session, AgentSessionState.RELEASED)
    events = session_events(app)
    assert any(e.session is session and e.state is AgentSessionState.RELEASED for e in events)


def test_agent_events(app: pytapi2.TapiApp, agent: pytapi2.Agent) -> None:
    list(app.events(timeout=0.05))
    agent.set_state(pytapi2.AgentState.NOT_READY)
    events = [e for e in app.events(timeout=0.2) if isinstance(e, pytapi2.AgentEvent)]
    assert any(e.agent is agent and e.state is pytapi2.AgentState.NOT_READY for e in events)


def test_next_event_and_raw_events(sim: Any, app: pytapi2.TapiApp,
                                   line: pytapi2.Line) -> None:
    assert app.next_event(timeout=0.01) is None
    sim.post_message(app.handle, line.handle, pytapi2.LineMessage.AGENTSPECIFIC, 1, 2, 3)
    event = app.next_event(timeout=5)
    assert event == pytapi2.LineEvent(line, pytapi2.LineMessage.AGENTSPECIFIC, line.handle, 1, 2, 3)


def test_events_stop_when_app_closes(app: pytapi2.TapiApp) -> None:
    app.close()
    assert list(app.events(timeout=1.0)) == []
    assert app.next_event(timeout=1.0) is None
