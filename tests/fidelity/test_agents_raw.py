"""Agents, sessions and their reply codes, raw: nf-tapi-linecreateagentw.md,
nf-tapi-linecreateagentsessionw.md, nf-tapi-linesetagentsessionstate.md,
nf-tapi-linesetagentstateex.md, nf-tapi-lineproxyresponse.md,
nf-tapi-linegetagentcapsw.md, ns-tapi-lineagentcaps.md."""

from __future__ import annotations

import uuid

import pytest
from _fidelity import G1, Acd, err, guid

from pytapi2._native import ffi, lib

UNKNOWN_GROUP = uuid.UUID(int=7)
STATEEX = lib.lineSetAgentStateEx

# The LINE_REPLY error codes each page lists (nf-tapi-lineproxyresponse.md:
# the reply carries "zero or one of the negative error values defined for the
# called function").
_AGENT_FUNCTION_ERRORS = {"LINEERR_INVALLINEHANDLE", "LINEERR_INVALPARAM", "LINEERR_NOMEM",
                          "LINEERR_OPERATIONFAILED", "LINEERR_OPERATIONUNAVAIL",
                          "LINEERR_RESOURCEUNAVAIL", "LINEERR_UNINITIALIZED"}
DOCUMENTED = {
    "lineCreateAgentW": _AGENT_FUNCTION_ERRORS,
    "lineCreateAgentSessionW": _AGENT_FUNCTION_ERRORS,
    "lineGetQueueListW": _AGENT_FUNCTION_ERRORS,
    "lineSetAgentSessionState": _AGENT_FUNCTION_ERRORS | {"LINEERR_INVALAGENTSTATE"},
}


def _name(code: int) -> str:
    names = [n for n in dir(lib) if n.startswith("LINEERR_") and getattr(lib, n) == code]
    return names[0] if names else hex(code)


def test_reply_codes_are_those_the_pages_list(acd: Acd) -> None:
    """nf-tapi-lineproxyresponse.md: what only the provider can know (unknown
    agent ID, group, address, wrong PIN, forbidden transition) comes back as
    one of the called function's documented codes."""
    h = ffi.new("HAGENT *")
    hs = ffi.new("HAGENTSESSION *")
    ql = ffi.new("unsigned char[]", 256)
    ffi.cast("LINEQUEUELIST *", ql).dwTotalSize = 256
    agent = acd.agent("1001", "1234")
    session = acd.session(agent)
    assert acd.set_state(session, lib.LINEAGENTSESSIONSTATE_ENDED) == 0
    cases = [
        ("lineCreateAgentW", lib.lineCreateAgentW(acd.line, "nobody", ffi.NULL, h)),
        ("lineCreateAgentW", lib.lineCreateAgentW(acd.line, "1001", "0000", h)),
        ("lineCreateAgentSessionW",
         lib.lineCreateAgentSessionW(acd.line, agent, ffi.NULL, 0, guid(UNKNOWN_GROUP), hs)),
        ("lineCreateAgentSessionW",
         lib.lineCreateAgentSessionW(acd.line, agent, ffi.NULL, 5, guid(G1), hs)),
        ("lineCreateAgentSessionW",
         lib.lineCreateAgentSessionW(acd.line, agent, "0000", 0, guid(G1), hs)),
        ("lineGetQueueListW",
         lib.lineGetQueueListW(acd.line, guid(UNKNOWN_GROUP),
                               ffi.cast("LINEQUEUELIST *", ql))),
        ("lineSetAgentSessionState",
         lib.lineSetAgentSessionState(acd.line, session, lib.LINEAGENTSESSIONSTATE_READY, 0)),
    ]
    for function, request in cases:
        code = acd.reply(request)
        assert code != 0, function
        assert _name(code) in DOCUMENTED[function], (function, _name(code))


def test_session_state_codes_follow_the_page(acd: Acd) -> None:
    """nf-tapi-linesetagentsessionstate.md lists LINEERR_INVALAGENTSTATE (not
    INVALAGENTSESSIONSTATE; decision in tapisim.h): for a state or next state
    outside LINEAGENTSESSIONSTATE_ (at once) and a forbidden transition (reply)."""
    s = acd.session(acd.agent())
    bad = err(lib.LINEERR_INVALAGENTSTATE)
    assert lib.lineSetAgentSessionState(acd.line, s, 3, 0) == bad
    assert lib.lineSetAgentSessionState(acd.line, s, 0, 0x40) == bad
    assert acd.set_state(s, lib.LINEAGENTSESSIONSTATE_BUSYWRAPUP) == lib.LINEERR_INVALAGENTSTATE


def test_next_state_zero_leaves_the_next_state(acd: Acd) -> None:
    """nf-tapi-linesetagentsessionstate.md: 0 leaves the state unchanged; the
    simulator reads a 0 next state the same way (tapisim.h)."""
    s = acd.session(acd.agent())
    assert acd.set_state(s, 0, lib.LINEAGENTSESSIONSTATE_NOTREADY) == 0
    assert acd.set_state(s, lib.LINEAGENTSESSIONSTATE_READY, 0) == 0
    i = acd.session_info(s)
    assert i.dwAgentSessionState == lib.LINEAGENTSESSIONSTATE_READY
    assert i.dwNextAgentSessionState == lib.LINEAGENTSESSIONSTATE_NOTREADY


def test_no_message_without_a_change(acd: Acd) -> None:
    """line-agentsessionstatus.md / line-agentstatusex.md report changes: setting
    the current state again sends nothing; a new next state alone is UPDATEINFO."""
    agent = acd.agent()
    s = acd.session(agent)
    acd.drain()
    assert acd.set_state(s, lib.LINEAGENTSESSIONSTATE_NOTREADY, 0) == 0
    assert acd.reply(STATEEX(acd.line, agent, lib.LINEAGENTSTATEEX_READY, 0)) == 0
    assert [m for m in acd.drain() if m[1] != lib.LINE_REPLY] == []
    assert acd.reply(STATEEX(acd.line, agent, 0, lib.LINEAGENTSTATEEX_NOTREADY)) == 0
    assert [(m[4], m[5]) for m in acd.events(lib.LINE_AGENTSTATUSEX)] == [
        (lib.LINEAGENTSTATUSEX_UPDATEINFO, 0)]
    assert acd.set_state(s, 0, lib.LINEAGENTSESSIONSTATE_ENDED) == 0
    assert [(m[4], m[5]) for m in acd.events(lib.LINE_AGENTSESSIONSTATUS)] == [
        (lib.LINEAGENTSESSIONSTATUS_UPDATEINFO, 0)]
    assert acd.reply(STATEEX(acd.line, agent, lib.LINEAGENTSTATEEX_BUSYACD, 0)) == 0
    assert [(m[4], m[5]) for m in acd.events(lib.LINE_AGENTSTATUSEX)] == [
        (lib.LINEAGENTSTATUSEX_STATE, lib.LINEAGENTSTATEEX_BUSYACD)]


# ---- PIN model (nf-tapi-linecreateagentw.md, nf-tapi-linecreateagentsessionw.md) -------

def test_agent_without_pin_ignores_pins(acd: Acd) -> None:
    """An ACD "that uses the operating system's user login for authentication"
    has no PIN: any PIN, or NULL, is accepted for the agent and its sessions."""
    agent = acd.agent("1002", "whatever")
    assert acd.session(agent, pin="anything") > 0
    assert acd.session(agent) > 0


def test_agent_with_pin_authenticates_once_or_per_session(acd: Acd) -> None:
    """Legacy ACDs "require a separate PIN for each session": a PIN agent
    created without its PIN needs it per session; created with it, its
    sessions may pass NULL (TAPI 3's CreateSession). A wrong PIN is
    INVALPARAM, a code both pages list."""
    h = ffi.new("HAGENT *")
    assert acd.reply(lib.lineCreateAgentW(acd.line, "1001", "0000", h)) == lib.LINEERR_INVALPARAM
    agent = acd.agent("1001")  # the agent object only
    hs = ffi.new("HAGENTSESSION *")
    assert acd.reply(lib.lineCreateAgentSessionW(acd.line, agent, ffi.NULL, 0, guid(G1), hs)) \
        == lib.LINEERR_INVALPARAM
    assert acd.reply(lib.lineCreateAgentSessionW(acd.line, agent, "0000", 0, guid(G1), hs)) \
        == lib.LINEERR_INVALPARAM
    assert acd.session(agent, pin="1234") > 0
    assert acd.agent("1001", "1234") == agent
    assert acd.session(agent) > 0  # authenticated now


def test_null_agent_id_is_the_logged_on_user(acd: Acd) -> None:
    """nf-tapi-linecreateagentw.md: with OS-login authentication lpszAgentID is
    NULL; the simulator's logged-on user is its first agent (tapisim.h), whom
    the login authenticates."""
    agent = acd.agent(ffi.NULL)
    assert agent == acd.agent("1001", "1234")
    assert acd.session(agent) > 0


def test_handles_may_be_zero(fresh: None) -> None:
    """nf-tapi-linecreateagentw.md: the proxy generates the handles; no page
    reserves a value, so 0 is a valid HAGENT / HAGENTSESSION."""
    assert lib.tapisim_set_handle_base(0) == 0
    acd = Acd()
    agent = acd.agent("1001", "1234")
    assert agent == 0
    session = acd.session(agent)
    assert session == 0
    assert acd.session_info(session).dwAgentSessionState == lib.LINEAGENTSESSIONSTATE_NOTREADY
    assert lib.tapisim_set_handle_base(5) == lib.TAPISIM_E_STATE


# ---- nf-tapi-linegetagentcapsw.md / ns-tapi-lineagentcaps.md --------------------------

def test_agent_caps_take_the_applications_highest_version(fresh: None) -> None:
    """nf-tapi-linegetagentcapsw.md: dwAppAPIVersion is the application's highest
    version, "not the value negotiated"; dwCapsVersion "is no greater than" it."""
    assert lib.tapisim_configure_lines(1, 1, lib.TAPI_VERSION2_2) == 0
    acd = Acd(lib.TAPI_VERSION2_2)
    caps = ffi.new("LINEAGENTCAPS *")
    caps.dwTotalSize = ffi.sizeof(caps[0])
    assert acd.reply(lib.lineGetAgentCapsW(acd.app, 0, 0, lib.TAPI_VERSION3_1, caps)) == 0
    assert caps.dwCapsVersion == lib.TAPI_VERSION2_2
    assert lib.lineGetAgentCapsW(acd.app, 0, 0, 0x00020005, caps) == err(
        lib.LINEERR_INCOMPATIBLEAPIVERSION)


def test_agent_caps_use_the_documented_constant_families(acd: Acd) -> None:
    """ns-tapi-lineagentcaps.md: dwStates / dwNextStates are LINEAGENTSTATE_
    values, dwAgentStatusMessages LINEAGENTSTATUS_ bits of LINE_AGENTSTATUS (never
    sent: 0), dwFeatures LINEAGENTFEATURE_ bits of functions not exported (0)."""
    caps = ffi.new("unsigned char[]", 256)
    c = ffi.cast("LINEAGENTCAPS *", caps)
    c.dwTotalSize = 256
    assert acd.reply(lib.lineGetAgentCapsW(acd.app, 0, 0, lib.TAPI_VERSION3_1, c)) == 0
    every_state = sum(getattr(lib, n) for n in dir(lib) if n.startswith("LINEAGENTSTATE_"))
    assert c.dwStates and c.dwStates & ~every_state == 0
    assert c.dwStates & lib.LINEAGENTSTATE_BUSYOUTBOUND  # LINEAGENTSTATEEX_BUSYOUTGOING's peer
    assert c.dwNextStates == c.dwStates
    assert c.dwAgentStatusMessages == 0
    assert c.dwFeatures == 0
    assert c.dwCapsVersion == lib.TAPI_VERSION3_1


@pytest.mark.parametrize("version", [lib.TAPI_VERSION2_0, lib.TAPI_VERSION2_1])
def test_agent_caps_before_2_2_have_no_proxy_guid(acd: Acd, version: int) -> None:
    """ns-tapi-lineagentcaps.md: ProxyGUID "is exposed only to applications that
    negotiate a TAPI version of 2.2 or higher": the fixed part ends before it."""
    caps = ffi.new("unsigned char[]", 256)
    c = ffi.cast("LINEAGENTCAPS *", caps)
    c.dwTotalSize = ffi.offsetof("LINEAGENTCAPS", "ProxyGUID")
    assert acd.reply(lib.lineGetAgentCapsW(acd.app, 0, 0, version, c)) == 0
    assert c.dwCapsVersion == version
    assert c.dwUsedSize == ffi.offsetof("LINEAGENTCAPS", "ProxyGUID")
