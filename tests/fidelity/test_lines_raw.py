"""Registration, versions and lines, raw: nf-tapi-lineinitializeexw.md,
lineinitializeexoption--constants.md, nf-tapi-linenegotiateapiversion.md,
tapi-versioning.md, nf-tapi-lineopenw.md, lineerr--constants.md."""

from __future__ import annotations

import pytest
from _fidelity import Acd, call_params, err, init_app, open_line

from pytapi2._native import ffi, lib

PROXY = lib.LINECALLPRIVILEGE_OWNER | lib.LINEOPENOPTION_PROXY
SINGLE = lib.LINECALLPRIVILEGE_OWNER | lib.LINEOPENOPTION_SINGLEADDRESS


# ---- nf-tapi-lineinitializeexw.md ------------------------------------------------------

def test_initialize_accepts_an_older_application_version(fresh: None) -> None:
    """nf-tapi-lineinitializeexw.md: *lpdwAPIVersion is the application's
    highest version and TAPI translates for it; INCOMPATIBLEAPIVERSION is not
    among the page's errors."""
    rc, app = init_app(lib.TAPI_VERSION1_4)
    assert rc == 0
    assert lib.lineShutdown(app) == 0


@pytest.mark.parametrize("option", ["USEHIDDENWINDOW", "USECOMPLETIONPORT"])
def test_other_notification_mechanisms_are_refused_with_invalparam(fresh: None,
                                                                   option: str) -> None:
    """lineinitializeexoption--constants.md: the simulator implements the event
    mechanism only (decision in tapisim.h); INVALPARAM is the page's code."""
    rc, _ = init_app(options=getattr(lib, "LINEINITIALIZEEXOPTION_" + option))
    assert rc == err(lib.LINEERR_INVALPARAM)


def test_callhub_tracking_needs_an_application_of_tapi_3(fresh: None) -> None:
    """lineinitializeexoption--constants.md: CALLHUBTRACKING "is exposed only to
    applications that negotiate a TAPI version of 3.0 or higher"."""
    options = lib.LINEINITIALIZEEXOPTION_USEEVENT | lib.LINEINITIALIZEEXOPTION_CALLHUBTRACKING
    assert init_app(lib.TAPI_VERSION2_2, options)[0] == err(lib.LINEERR_INVALPARAM)
    rc, app = init_app(lib.TAPI_VERSION3_0, options)
    assert rc == 0
    assert lib.lineShutdown(app) == 0


# ---- lineerr--constants.md: UNINITIALIZED ---------------------------------------------

def test_functions_before_any_initialize_return_uninitialized(fresh: None) -> None:
    """lineerr--constants.md / each function page: LINEERR_UNINITIALIZED before
    lineInitializeEx (lineGetMessage's page does not list it)."""
    uninit = err(lib.LINEERR_UNINITIALIZED)
    info = ffi.new("LINEAGENTSESSIONINFO *")
    info.dwTotalSize = ffi.sizeof(info[0])
    caps = ffi.new("LINEAGENTCAPS *")
    caps.dwTotalSize = ffi.sizeof(caps[0])
    v, ext = ffi.new("DWORD *"), ffi.new("LINEEXTENSIONID *")
    assert lib.lineShutdown(1) == uninit
    assert lib.lineNegotiateAPIVersion(1, 0, 0x20000, 0x30001, v, ext) == uninit
    assert open_line(1)[0] == uninit
    assert lib.lineClose(1) == uninit
    assert lib.lineGetAgentSessionInfo(1, 1, info) == uninit
    assert lib.lineCreateAgentW(1, "1001", ffi.NULL, ffi.new("HAGENT *")) == uninit
    assert lib.lineGetAgentCapsW(1, 0, 0, lib.TAPI_VERSION3_1, caps) == uninit
    assert lib.lineGetMessage(1, ffi.new("LINEMESSAGE *"), 0) == err(lib.LINEERR_INVALAPPHANDLE)
    rc, app = init_app()
    assert rc == 0
    assert lib.lineClose(1) == err(lib.LINEERR_INVALLINEHANDLE)  # initialized: a bad handle
    assert lib.lineShutdown(app) == 0
    assert lib.lineShutdown(app) == uninit  # the last app is gone


# ---- nf-tapi-linenegotiateapiversion.md / tapi-versioning.md ----------------------------

@pytest.mark.parametrize("low, high, expected", [
    (0x00020000, 0x00020005, 0x00020002),   # 2.5 does not exist: the highest known below
    (0x00010004, 0x00030001, 0x00030001),
    (0x00020003, 0x00020009, None),         # no version exists in the range
])
def test_negotiation_yields_a_version_that_exists(acd: Acd, low: int, high: int,
                                                  expected: int | None) -> None:
    """tapi-versioning.md lists the versions; nf-tapi-linenegotiateapiversion.md
    returns "the highest API version" of the range the provider supports."""
    v, ext = ffi.new("DWORD *"), ffi.new("LINEEXTENSIONID *")
    rc = lib.lineNegotiateAPIVersion(acd.app, 0, low, high, v, ext)
    if expected is None:
        assert rc == err(lib.LINEERR_INCOMPATIBLEAPIVERSION)
    else:
        assert (rc, v[0]) == (0, expected)


def test_open_refuses_a_version_that_does_not_exist(acd: Acd) -> None:
    """nf-tapi-lineopenw.md: INCOMPATIBLEAPIVERSION for a version that is not
    one of tapi-versioning.md's."""
    assert open_line(acd.app, 0x00020005)[0] == err(lib.LINEERR_INCOMPATIBLEAPIVERSION)


# ---- nf-tapi-lineopenw.md: dwMediaModes, LINEMAPPER, options ------------------------------

def test_owner_needs_media_modes_the_line_supports(acd: Acd) -> None:
    """nf-tapi-lineopenw.md: dwMediaModes is meaningful with OWNER (else
    ignored); an unsupported mode -> INVALMEDIAMODE."""
    invalmedia = err(lib.LINEERR_INVALMEDIAMODE)
    assert open_line(acd.app, media=0)[0] == invalmedia
    assert open_line(acd.app, media=lib.LINEMEDIAMODE_G3FAX)[0] == invalmedia
    assert open_line(acd.app, media=0x80000000)[0] == invalmedia
    rc, line = open_line(acd.app, privileges=lib.LINECALLPRIVILEGE_MONITOR, media=0x80000000)
    assert rc == 0  # ignored without OWNER
    assert lib.lineClose(line) == 0


def test_linemapper_reads_the_call_params(acd: Acd) -> None:
    """nf-tapi-lineopenw.md: LINEMAPPER opens a device supporting lpCallParams
    (LINEERR_LINEMAPPERFAILED when none does), not BADDEVICEID."""
    assert open_line(acd.app, device=lib.LINEMAPPER)[0] == err(lib.LINEERR_INVALPOINTER)
    cp, _keep = call_params()
    cp.dwMediaMode = lib.LINEMEDIAMODE_INTERACTIVEVOICE
    rc, line = open_line(acd.app, device=lib.LINEMAPPER, params=cp)
    assert rc == 0 and line != 0
    assert lib.lineClose(line) == 0
    cp.dwMediaMode = lib.LINEMEDIAMODE_G3FAX
    assert open_line(acd.app, device=lib.LINEMAPPER, params=cp)[0] == err(
        lib.LINEERR_LINEMAPPERFAILED)


def test_proxy_needs_call_params_listing_request_types(acd: Acd) -> None:
    """nf-tapi-lineopenw.md: LINEOPENOPTION_PROXY requires a LINECALLPARAMS
    whose DevSpecific area lists the LINEPROXYREQUEST_ types the handler serves."""
    assert open_line(acd.app, privileges=PROXY)[0] == err(lib.LINEERR_INVALPOINTER)
    empty, _k1 = call_params([])
    assert open_line(acd.app, privileges=PROXY, params=empty)[0] == err(lib.LINEERR_INVALPOINTER)
    short, _k2 = call_params([lib.LINEPROXYREQUEST_SETAGENTGROUP], total=40)
    assert open_line(acd.app, privileges=PROXY, params=short)[0] == err(
        lib.LINEERR_STRUCTURETOOSMALL)
    unknown, _k3 = call_params([0x99])
    assert open_line(acd.app, privileges=PROXY, params=unknown)[0] == err(
        lib.LINEERR_OPERATIONUNAVAIL)
    ok, _k4 = call_params([lib.LINEPROXYREQUEST_SETAGENTGROUP,
                           lib.LINEPROXYREQUEST_GETAGENTSTATUS])
    # "(TAPI 2.0 or higher only)"
    assert open_line(acd.app, lib.TAPI_VERSION1_4, privileges=PROXY, params=ok)[0] == err(
        lib.LINEERR_INVALPRIVSELECT)
    rc, line = open_line(acd.app, privileges=PROXY, params=ok)
    assert rc == 0
    assert lib.lineClose(line) == 0


def test_a_second_handler_for_served_requests_is_not_registered(acd: Acd) -> None:
    """nf-tapi-lineopenw.md: registering for proxy requests another handler
    already serves fails with LINEERR_NOTREGISTERED. An application handler
    takes a type over from the simulated ACD (the provider, tapisim.h); a
    second application handler of it is refused."""
    cp, _keep = call_params([lib.LINEPROXYREQUEST_GETAGENTSESSIONINFO])
    rc, first = open_line(acd.app, privileges=PROXY, params=cp)
    assert rc == 0
    assert open_line(acd.app, privileges=PROXY, params=cp)[0] == err(lib.LINEERR_NOTREGISTERED)
    assert lib.lineClose(first) == 0


def test_single_address_needs_a_valid_address_id(acd: Acd) -> None:
    """nf-tapi-lineopenw.md: SINGLEADDRESS with invalid lpCallParams or a
    dwAddressID that does not exist fails with INVALADDRESSID; dwAddressMode
    must be LINEADDRESSMODE_ADDRESSID."""
    bad = err(lib.LINEERR_INVALADDRESSID)
    assert open_line(acd.app, privileges=SINGLE)[0] == bad
    missing, _k1 = call_params(address_id=1)  # one address per line by default
    assert open_line(acd.app, privileges=SINGLE, params=missing)[0] == bad
    dialable, _k2 = call_params(address_mode=lib.LINEADDRESSMODE_DIALABLEADDR)
    assert open_line(acd.app, privileges=SINGLE, params=dialable)[0] == bad
    ok, _k3 = call_params(address_id=0)
    # LINEOPENOPTION_ values are "for applications using TAPI version 2.0 or later"
    assert open_line(acd.app, lib.TAPI_VERSION1_4, privileges=SINGLE, params=ok)[0] == err(
        lib.LINEERR_INVALPRIVSELECT)
    rc, line = open_line(acd.app, privileges=SINGLE, params=ok)
    assert rc == 0
    assert lib.lineClose(line) == 0


def test_proxy_handlers_opening_and_closing_are_announced(acd: Acd) -> None:
    """line-proxystatus.md: LINE_PROXYSTATUS(OPEN / CLOSE, request type) on the
    other open lines when a proxy handler opens (lineOpen) or closes (lineClose);
    a second handler for the same type is not registered (nf-tapi-lineopenw.md)."""
    acd.drain()
    cp, _keep = call_params([lib.LINEPROXYREQUEST_SETAGENTGROUP,
                             lib.LINEPROXYREQUEST_AGENTSPECIFIC])
    rc, proxy = open_line(acd.app, privileges=PROXY, params=cp)
    assert rc == 0
    assert open_line(acd.app, privileges=PROXY, params=cp)[0] == err(lib.LINEERR_NOTREGISTERED)
    assert lib.lineClose(proxy) == 0
    status = [(m[0], m[3], m[4]) for m in acd.drain() if m[1] == lib.LINE_PROXYSTATUS]
    assert status == [
        (acd.line, lib.LINEPROXYSTATUS_OPEN, lib.LINEPROXYREQUEST_SETAGENTGROUP),
        (acd.line, lib.LINEPROXYSTATUS_OPEN, lib.LINEPROXYREQUEST_AGENTSPECIFIC),
        (acd.line, lib.LINEPROXYSTATUS_CLOSE, lib.LINEPROXYREQUEST_SETAGENTGROUP),
        (acd.line, lib.LINEPROXYSTATUS_CLOSE, lib.LINEPROXYREQUEST_AGENTSPECIFIC),
    ]
    rc, again = open_line(acd.app, privileges=PROXY, params=cp)  # free again
    assert rc == 0
    assert lib.lineClose(again) == 0
