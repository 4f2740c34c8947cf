"""Agents and sessions through pytapi2: nf-tapi-linecreateagentw.md,
nf-tapi-linecreateagentsessionw.md, nf-tapi3cc-itagent-createsession.md,
nf-tapi3cc-itagent-createsessionwithpin.md, nf-tapi-linegetagentcapsw.md,
nf-tapi-linesetagentsessionstate.md, NOTES (both state codes)."""

from __future__ import annotations

from typing import Any

import pytest
from _fidelity import G1

import pytapi2
from pytapi2 import AgentSessionState
from pytapi2._native import lib
from pytapi2.simulator import Fault


def test_zero_handles_are_valid(sim: Any) -> None:
    """nf-tapi-linecreateagentw.md: the proxy generates handles and no page
    reserves 0: a 0 hAgent / hAgentSession in a success reply is a handle,
    not a protocol error."""
    sim.set_handle_base(0)
    with pytapi2.TapiApp(app_name="fidelity", timeout=10.0) as app, app.open_line(0) as line:
        agent = line.create_agent("1001", pin="1234")
        session = agent.create_session(G1)
        assert (agent.handle, session.handle) == (0, 0)
        assert session.info().state is AgentSessionState.NOT_READY
        assert agent.sessions == [session]
        assert session.agent is agent


def test_create_session_without_pin_sends_null(line: pytapi2.Line) -> None:
    """nf-tapi3cc-itagent-createsession.md has no PIN, CreateSessionWithPIN has:
    create_session() passes a NULL lpszAgentPIN, so an agent whose ACD wants a
    PIN per session needs pin=; created with its PIN, the agent is
    authenticated and CreateSession works."""
    unauthenticated = line.create_agent("1001")
    with pytest.raises(pytapi2.InvalidParameterError) as info:
        unauthenticated.create_session(G1)
    assert info.value.name == "LINEERR_INVALPARAM"
    assert unauthenticated.create_session(G1, pin="1234").group == G1
    assert line.create_agent("1001", pin="1234").create_session(G1).group == G1


def test_create_agent_without_id_is_the_logged_on_user(line: pytapi2.Line) -> None:
    """nf-tapi-linecreateagentw.md: lpszAgentID NULL with OS-login
    authentication (ITAgentHandler::CreateAgent)."""
    agent = line.create_agent()
    assert agent.id is None
    assert agent.create_session(G1).agent is agent


def test_agent_caps_are_asked_with_the_highest_version(
        sim: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """nf-tapi-linegetagentcapsw.md: dwAppAPIVersion "should not be the value
    negotiated" for the device: agent_caps negotiates nothing, and a provider
    older than pytapi2 answers at its own version."""
    sim.configure_lines(1, 1, pytapi2.ApiVersion.V2_2)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("agent_caps must not negotiate")

    with pytapi2.TapiApp(app_name="fidelity", timeout=10.0) as app:
        monkeypatch.setattr(app, "negotiate_api_version", refuse)
        caps = app.agent_caps(0)
    assert caps.caps_version == pytapi2.ApiVersion.V2_2
    assert caps.features == 0
    assert caps.states & lib.LINEAGENTSTATE_READY


@pytest.mark.parametrize("code", ["LINEERR_INVALAGENTSTATE", "LINEERR_INVALAGENTSESSIONSTATE"])
def test_both_state_codes_are_invalid_state_errors(sim: Any, line: pytapi2.Line,
                                                   code: str) -> None:
    """nf-tapi-linesetagentsessionstate.md lists INVALAGENTSTATE, tapi.h defines
    INVALAGENTSESSIONSTATE for 2.2: which one a provider returns is not
    documented, so both raise InvalidStateError."""
    session = line.create_agent("1002").create_session(G1)
    sim.inject_fault("lineSetAgentSessionState", Fault.REPLY_ERROR, error=getattr(lib, code))
    with pytest.raises(pytapi2.InvalidStateError) as info:
        session.set_state(AgentSessionState.READY)
    assert info.value.name == code


def test_forbidden_transition_raises_the_pages_code(line: pytapi2.Line) -> None:
    """nf-tapi-linesetagentsessionstate.md: LINEERR_INVALAGENTSTATE."""
    session = line.create_agent("1002").create_session(G1)
    session.end()
    with pytest.raises(pytapi2.InvalidStateError) as info:
        session.set_state(AgentSessionState.READY)
    assert info.value.name == "LINEERR_INVALAGENTSTATE"


def test_next_state_none_keeps_it(line: pytapi2.Line) -> None:
    """nf-tapi-linesetagentsessionstate.md: 0 (None) leaves the state; the next
    state likewise (tapisim.h), as set_state's docstring says."""
    session = line.create_agent("1002").create_session(G1)
    session.set_state(None, AgentSessionState.NOT_READY)
    session.set_state(AgentSessionState.READY)
    info = session.info()
    assert (info.state, info.next_state) == (AgentSessionState.READY,
                                             AgentSessionState.NOT_READY)


def test_an_unwritten_handle_keeps_its_memory(sim: Any, line: pytapi2.Line,
                                              monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """line-reply.md: the memory of a request stays valid until its reply. A
    stray success reply that completes lineCreateAgentW before TAPI wrote the
    handle leaves the pre-call marker there: pytapi2 returns it as given (no
    value is reserved) but keeps the out-parameter alive until shutdown, since
    the genuine reply (dropped here) could still write it."""
    core = line.app._core
    line.create_agent("1002")
    last = lib.pt_last_issued(core.ptr)  # the request core's introspection
    sim.inject_fault("lineCreateAgentW", Fault.DROP_REPLY)
    sim.post_message(line.app.handle, 0, lib.LINE_REPLY, last + 1, 0)
    agent = line.create_agent("1001", pin="1234")
    assert agent.handle == 0xFFFFFFFF
    assert any("kept until shutdown" in r.getMessage() for r in caplog.records)
    assert core.retained_count() == 1  # the core keeps the request until shutdown
