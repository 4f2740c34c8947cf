"""Raw-cffi tests of the bundled TAPI simulator: TAPI semantics straight
through the binding (no pytapi2 wrapper), one fresh simulator per test."""

from __future__ import annotations

import datetime as dt
import select
import sys
import threading
import uuid

import pytest

from pytapi2._native import ffi, lib, load

load()

G1 = uuid.UUID("11111111-2222-3333-0102-030405060708")
G2 = uuid.UUID("99999999-8888-7777-0807-060504030201")
SENTINEL = 0xA5


def err(code: int) -> int:
    """A LINEERR_ constant as the negative LONG a function returns."""
    return code - 2**32


def _guid(u: uuid.UUID):
    g = ffi.new("GUID *")
    ffi.memmove(g, u.bytes_le, 16)
    return g


def unix_ms(when: dt.datetime) -> int:
    return (when - dt.datetime(1970, 1, 1)) // dt.timedelta(milliseconds=1)


class Raw:
    """A fresh simulator with one initialized app and one open line."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, int, int, int, int, int]] = []

    def init(self) -> int:
        params = ffi.new("LINEINITIALIZEEXPARAMS *")
        params.dwTotalSize = ffi.sizeof("LINEINITIALIZEEXPARAMS")
        params.dwOptions = lib.LINEINITIALIZEEXOPTION_USEEVENT
        app = ffi.new("HLINEAPP *")
        ndev = ffi.new("DWORD *")
        ver = ffi.new("DWORD *", lib.TAPI_VERSION3_1)
        assert lib.lineInitializeExW(app, ffi.NULL, ffi.NULL, "pytest", ndev, ver, params) == 0
        self.fd = int(ffi.cast("intptr_t", params.Handles.hEvent))
        return app[0]

    def open(self, app: int, version: int = 0x00030001, cb: int = 0xC0FFEE) -> int:
        line = ffi.new("HLINE *")
        rc = lib.lineOpenW(
            app,
            0,
            line,
            version,
            0,
            cb,
            lib.LINECALLPRIVILEGE_OWNER,
            lib.LINEMEDIAMODE_INTERACTIVEVOICE,
            ffi.NULL,
        )
        assert rc == 0
        return line[0]

    def setup(self) -> None:
        self.app = self.init()
        self.line = self.open(self.app)

    def get(self, timeout: int = 5000, app: int | None = None):
        msg = ffi.new("LINEMESSAGE *")
        rc = lib.lineGetMessage(self.app if app is None else app, msg, timeout)
        if rc != 0:
            return rc, None
        return 0, (
            msg.hDevice,
            msg.dwMessageID,
            msg.dwCallbackInstance,
            msg.dwParam1,
            msg.dwParam2,
            msg.dwParam3,
        )

    def reply(self, request_id: int, app: int | None = None) -> int:
        """Pump until the LINE_REPLY of request_id; other messages are logged."""
        assert request_id > 0, hex(request_id & 0xFFFFFFFF)
        while True:
            rc, m = self.get(5000, app)
            assert rc == 0, f"no LINE_REPLY for request {request_id}"
            if m[1] == lib.LINE_REPLY and m[3] == request_id:
                return m[4]
            self.messages.append(m)

    def drain(self) -> None:
        while True:
            rc, m = self.get(0)
            if rc != 0:
                return
            self.messages.append(m)

    def events(self, msgid: int) -> list[tuple[int, int, int, int, int, int]]:
        return [m for m in self.messages if m[1] == msgid]

    def agent(self, agent_id: str = "1002", pin=ffi.NULL) -> int:
        h = ffi.new("HAGENT *")
        assert self.reply(lib.lineCreateAgentW(self.line, agent_id, pin, h)) == 0
        return h[0]

    def session(self, agent: int, group: uuid.UUID = G1) -> int:
        h = ffi.new("HAGENTSESSION *")
        assert (
            self.reply(lib.lineCreateAgentSessionW(self.line, agent, ffi.NULL, 0, _guid(group), h))
            == 0
        )
        return h[0]

    def info(self, session: int):
        i = ffi.new("LINEAGENTSESSIONINFO *")
        i.dwTotalSize = ffi.sizeof(i[0])
        assert self.reply(lib.lineGetAgentSessionInfo(self.line, session, i)) == 0
        return i

    def set_state(self, session: int, state: int, nxt: int = 0) -> int:
        return self.reply(lib.lineSetAgentSessionState(self.line, session, state, nxt))

    def pending(self) -> int:
        n = ffi.new("DWORD *")
        assert lib.tapisim_pending_replies(self.app, n) == 0
        return n[0]


@pytest.fixture
def raw():
    assert lib.tapisim_reset() == 0
    r = Raw()
    yield r
    assert lib.tapisim_reset() == 0


@pytest.fixture
def acd(raw):
    """raw + agents 1001 (PIN 1234) and 1002, groups G1 (queues 7, 8) and G2, app and line."""
    assert lib.tapisim_add_agent("1001", "1234") == 0
    assert lib.tapisim_add_agent("1002", ffi.NULL) == 0
    assert lib.tapisim_add_group(_guid(G1), "Sales") == 0
    assert lib.tapisim_add_group(_guid(G2), "Support") == 0
    assert lib.tapisim_add_queue(_guid(G1), 7, "Q7") == 0
    assert lib.tapisim_add_queue(_guid(G1), 8, "Overflow") == 0
    raw.setup()
    return raw


# ---- sync vs async ------------------------------------------------------------


def test_sync_functions_return_zero_async_return_request_ids(acd):
    ids = []
    agent = ffi.new("HAGENT *")
    for _ in range(3):
        rid = lib.lineCreateAgentW(acd.line, "1002", ffi.NULL, agent)
        assert rid > 0
        ids.append(rid)
    assert ids == sorted(ids) and len(set(ids)) == 3
    got = []
    while len(got) < 3:
        rc, m = acd.get()
        assert rc == 0
        if m[1] == lib.LINE_REPLY:
            assert m[0] == 0 and m[2] == 0xC0FFEE and m[4] == 0
            got.append(m[3])
    assert got == ids


def test_output_written_only_when_reply_delivered(acd):
    h = acd.session(acd.agent())
    buf = ffi.new("unsigned char[]", 128)
    ffi.memmove(buf, bytes([SENTINEL]) * 128, 128)
    info = ffi.cast("LINEAGENTSESSIONINFO *", buf)
    info.dwTotalSize = ffi.sizeof("LINEAGENTSESSIONINFO")
    before = bytes(ffi.buffer(buf, 128))
    rid = lib.lineGetAgentSessionInfo(acd.line, h, info)
    assert rid > 0
    assert bytes(ffi.buffer(buf, 128)) == before  # unchanged after the call returned
    assert acd.pending() == 1
    assert acd.reply(rid) == 0
    assert info.dwUsedSize == 76 and info.dwNeededSize == 76
    assert info.dwAgentSessionState == lib.LINEAGENTSESSIONSTATE_NOTREADY
    assert bytes(ffi.buffer(buf, 128))[76:] == bytes([SENTINEL]) * 52  # beyond dwUsedSize untouched

    agent = ffi.new("HAGENT *", 0xDEAD)
    rid = lib.lineCreateAgentW(acd.line, "1001", "1234", agent)
    assert agent[0] == 0xDEAD
    assert acd.reply(rid) == 0
    assert agent[0] == 1  # HAGENT of the first configured agent


def test_structure_too_small(acd):
    h = acd.session(acd.agent())
    info = ffi.new("LINEAGENTSESSIONINFO *")
    info.dwTotalSize = ffi.sizeof(info[0]) - 1
    assert lib.lineGetAgentSessionInfo(acd.line, h, info) == err(lib.LINEERR_STRUCTURETOOSMALL)
    lst = ffi.new("LINEAGENTSESSIONLIST *")
    lst.dwTotalSize = 23
    assert lib.lineGetAgentSessionList(acd.line, 1, lst) == err(lib.LINEERR_STRUCTURETOOSMALL)
    ai = ffi.new("LINEAGENTINFO *")
    ai.dwTotalSize = 4
    assert lib.lineGetAgentInfo(acd.line, 1, ai) == err(lib.LINEERR_STRUCTURETOOSMALL)
    gl = ffi.new("LINEAGENTGROUPLIST *")
    assert lib.lineGetGroupListW(acd.line, gl) == err(lib.LINEERR_STRUCTURETOOSMALL)
    caps = ffi.new("LINEAGENTCAPS *")
    caps.dwTotalSize = ffi.sizeof(caps[0]) - 1
    assert lib.lineGetAgentCapsW(acd.app, 0, 0, 0x00020002, caps) == err(
        lib.LINEERR_STRUCTURETOOSMALL
    )
    assert acd.pending() == 0


def test_needed_size_growth_with_500_sessions(acd):
    agent = acd.agent()
    for i in range(500):
        acd.session(agent, G1 if i % 2 else G2)
    n = ffi.new("DWORD *")
    assert lib.tapisim_session_count(n) == 0 and n[0] == 500
    fixed = ffi.sizeof("LINEAGENTSESSIONLIST")
    entry = ffi.sizeof("LINEAGENTSESSIONENTRY")
    small = ffi.new("unsigned char[]", 64)
    ffi.memmove(small, bytes([SENTINEL]) * 64, 64)
    lst = ffi.cast("LINEAGENTSESSIONLIST *", small)
    lst.dwTotalSize = 64
    assert acd.reply(lib.lineGetAgentSessionList(acd.line, agent, lst)) == 0
    assert lst.dwNeededSize == fixed + 500 * entry
    assert lst.dwUsedSize == fixed
    assert (lst.dwNumEntries, lst.dwListSize, lst.dwListOffset) == (0, 0, 0)
    assert bytes(ffi.buffer(small, 64))[fixed:] == bytes([SENTINEL]) * (64 - fixed)

    size = lst.dwNeededSize
    big = ffi.new("unsigned char[]", size)
    lst = ffi.cast("LINEAGENTSESSIONLIST *", big)
    lst.dwTotalSize = size
    assert acd.reply(lib.lineGetAgentSessionList(acd.line, agent, lst)) == 0
    assert lst.dwUsedSize == size and lst.dwNumEntries == 500
    assert lst.dwListSize == 500 * entry and lst.dwListOffset == fixed
    entries = ffi.cast("LINEAGENTSESSIONENTRY *", big + lst.dwListOffset)
    assert [entries[i].hAgentSession for i in range(500)] == list(range(1, 501))
    assert bytes(ffi.buffer(ffi.addressof(entries[1].GroupID), 16)) == G1.bytes_le
    assert bytes(ffi.buffer(ffi.addressof(entries[0].GroupID), 16)) == G2.bytes_le
    assert all(entries[i].hAgent == agent for i in range(500))


def test_group_and_queue_lists(acd):
    buf = ffi.new("unsigned char[]", 512)
    gl = ffi.cast("LINEAGENTGROUPLIST *", buf)
    gl.dwTotalSize = 512
    assert acd.reply(lib.lineGetGroupListW(acd.line, gl)) == 0
    assert gl.dwNumEntries == 2
    entries = ffi.cast("LINEAGENTGROUPENTRY *", buf + gl.dwListOffset)
    names = []
    for i in range(2):
        e = entries[i]
        names.append(bytes(ffi.buffer(buf + e.dwNameOffset, e.dwNameSize)).decode("utf-16-le"))
    assert names == ["Sales\0", "Support\0"]
    assert bytes(ffi.buffer(ffi.addressof(entries[0].GroupID), 16)) == G1.bytes_le

    ql = ffi.cast("LINEQUEUELIST *", buf)
    ql.dwTotalSize = 512
    assert (
        acd.reply(lib.lineGetQueueListW(acd.line, _guid(uuid.uuid4()), ql))
        == lib.LINEERR_INVALPARAM
    )
    assert acd.reply(lib.lineGetQueueListW(acd.line, _guid(G1), ql)) == 0
    q = ffi.cast("LINEQUEUEENTRY *", buf + ql.dwListOffset)
    assert [q[0].dwQueueID, q[1].dwQueueID] == [7, 8]

    qi = ffi.new("LINEQUEUEINFO *")
    qi.dwTotalSize = ffi.sizeof(qi[0])
    assert acd.reply(lib.lineGetQueueInfo(acd.line, 99, qi)) == lib.LINEERR_INVALPARAM
    assert acd.reply(lib.lineGetQueueInfo(acd.line, 7, qi)) == 0
    assert qi.dwMeasurementPeriod == 1800 and qi.dwTotalCallsQueued == 0
    assert lib.lineSetQueueMeasurementPeriod(acd.line, 7, 0) == err(lib.LINEERR_INVALPARAM)
    assert acd.reply(lib.lineSetQueueMeasurementPeriod(acd.line, 7, 900)) == 0
    assert acd.reply(lib.lineGetQueueInfo(acd.line, 7, qi)) == 0
    assert qi.dwMeasurementPeriod == 900


def test_agent_caps(acd):
    buf = ffi.new("unsigned char[]", 256)
    caps = ffi.cast("LINEAGENTCAPS *", buf)
    caps.dwTotalSize = 256
    assert lib.lineGetAgentCapsW(acd.app, 0, 0, 0x00010004, caps) == err(
        lib.LINEERR_INCOMPATIBLEAPIVERSION
    )
    assert lib.lineGetAgentCapsW(acd.app, 5, 0, 0x00020002, caps) == err(lib.LINEERR_BADDEVICEID)
    assert acd.reply(lib.lineGetAgentCapsW(acd.app, 0, 0, 0x00020002, caps)) == 0
    assert caps.dwUsedSize == caps.dwNeededSize
    name = bytes(ffi.buffer(buf + caps.dwAgentHandlerInfoOffset, caps.dwAgentHandlerInfoSize))
    assert name.decode("utf-16-le") == "pytapi2 simulator\0"
    assert caps.ProxyGUID.Data1 != 0
    assert caps.dwFeatures == 0  # ns-tapi-lineagentcaps.md: no TAPI 2.0 agent function exported


def test_api_version_refusal(acd):
    line21 = acd.open(acd.app, 0x00020001)
    line22 = acd.open(acd.app, 0x00020002)
    h = ffi.new("HAGENT *")
    incompatible = err(lib.LINEERR_INCOMPATIBLEAPIVERSION)
    assert lib.lineCreateAgentW(line21, "1002", ffi.NULL, h) == incompatible
    assert (
        lib.lineCreateAgentSessionW(line21, 1, ffi.NULL, 0, _guid(G1), ffi.new("HAGENTSESSION *"))
        == incompatible
    )
    info = ffi.new("LINEAGENTSESSIONINFO *")
    info.dwTotalSize = 76
    assert lib.lineGetAgentSessionInfo(line21, 1, info) == incompatible
    assert lib.lineSetAgentSessionState(line21, 1, 0, 0) == incompatible
    assert lib.lineSetAgentStateEx(line21, 1, lib.LINEAGENTSTATEEX_READY, 0) == incompatible
    assert lib.lineSetAgentMeasurementPeriod(line21, 1, 60) == incompatible
    qi = ffi.new("LINEQUEUEINFO *")
    qi.dwTotalSize = ffi.sizeof(qi[0])
    assert lib.lineGetQueueInfo(line22, 7, qi) == incompatible
    assert lib.lineSetQueueMeasurementPeriod(line22, 7, 60) == incompatible
    # the 2.2 line may use the agent calls
    assert acd.reply(lib.lineCreateAgentW(line22, "1002", ffi.NULL, h)) == 0
    assert acd.pending() == 0


# ---- faults ---------------------------------------------------------------------


def _info_request(acd, session):
    info = ffi.new("LINEAGENTSESSIONINFO *")
    ffi.memmove(info, bytes([SENTINEL]) * 76, 76)
    info.dwTotalSize = 76
    return lib.lineGetAgentSessionInfo(acd.line, session, info), info


def test_fault_error(acd):
    s = acd.session(acd.agent())
    assert (
        lib.tapisim_inject_fault(
            b"lineGetAgentSessionInfo", lib.TAPISIM_FAULT_ERROR, 1, lib.LINEERR_RESOURCEUNAVAIL, 0
        )
        == 0
    )
    rc, _ = _info_request(acd, s)
    assert rc == err(lib.LINEERR_RESOURCEUNAVAIL)
    assert acd.pending() == 0
    rc, _info = _info_request(acd, s)
    assert rc > 0 and acd.reply(rc) == 0
    assert (
        lib.tapisim_inject_fault(
            b"lineNoSuchFunction", lib.TAPISIM_FAULT_ERROR, 1, lib.LINEERR_NOMEM, 0
        )
        == lib.TAPISIM_E_NOTFOUND
    )


def test_fault_reply_error(acd):
    s = acd.session(acd.agent())
    assert (
        lib.tapisim_inject_fault(
            b"lineGetAgentSessionInfo",
            lib.TAPISIM_FAULT_REPLY_ERROR,
            1,
            lib.LINEERR_OPERATIONFAILED,
            0,
        )
        == 0
    )
    rc, info = _info_request(acd, s)
    assert rc > 0
    assert acd.reply(rc) == lib.LINEERR_OPERATIONFAILED
    assert info.dwUsedSize == 0xA5A5A5A5  # never written


def test_fault_delay(acd):
    s = acd.session(acd.agent())
    acd.drain()
    assert (
        lib.tapisim_inject_fault(
            b"lineGetAgentSessionInfo", lib.TAPISIM_FAULT_DELAY_REPLY, 1, 0, 50
        )
        == 0
    )
    rid, info = _info_request(acd, s)
    assert rid > 0
    rc, _ = acd.get(0)
    assert rc == err(lib.LINEERR_OPERATIONFAILED)  # not there right away
    assert acd.pending() == 1
    assert info.dwUsedSize == 0xA5A5A5A5
    rc, m = acd.get(5000)  # arrives later
    assert rc == 0 and m[1] == lib.LINE_REPLY and m[3] == rid and m[4] == 0
    assert info.dwUsedSize == 76


def test_fault_drop(acd):
    s = acd.session(acd.agent())
    acd.drain()
    assert (
        lib.tapisim_inject_fault(b"lineGetAgentSessionInfo", lib.TAPISIM_FAULT_DROP_REPLY, 1, 0, 0)
        == 0
    )
    rid, info = _info_request(acd, s)
    assert rid > 0
    assert acd.pending() == 0
    rc, _ = acd.get(100)
    assert rc == err(lib.LINEERR_OPERATIONFAILED)
    assert info.dwUsedSize == 0xA5A5A5A5
    # the effect of a dropped state change still happens
    assert (
        lib.tapisim_inject_fault(b"lineSetAgentSessionState", lib.TAPISIM_FAULT_DROP_REPLY, 1, 0, 0)
        == 0
    )
    assert lib.lineSetAgentSessionState(acd.line, s, lib.LINEAGENTSESSIONSTATE_READY, 0) > 0
    assert acd.pending() == 0
    assert acd.info(s).dwAgentSessionState == lib.LINEAGENTSESSIONSTATE_READY


def test_fault_reorder(acd):
    s = acd.session(acd.agent())
    assert (
        lib.tapisim_inject_fault(
            b"lineGetAgentSessionInfo", lib.TAPISIM_FAULT_REORDER_REPLY, 1, 0, 0
        )
        == 0
    )
    first, _i1 = _info_request(acd, s)
    second, _i2 = _info_request(acd, s)
    order = []
    while len(order) < 2:
        rc, m = acd.get()
        assert rc == 0
        if m[1] == lib.LINE_REPLY:
            order.append(m[3])
    assert order == [second, first]


def test_fault_inflate_needed(acd):
    agent = acd.agent()
    acd.session(agent)
    truth = ffi.sizeof("LINEAGENTSESSIONLIST") + ffi.sizeof("LINEAGENTSESSIONENTRY")
    assert (
        lib.tapisim_inject_fault(
            b"lineGetAgentSessionList", lib.TAPISIM_FAULT_INFLATE_NEEDED, 1, 0, 64
        )
        == 0
    )
    buf = ffi.new("unsigned char[]", 256)
    lst = ffi.cast("LINEAGENTSESSIONLIST *", buf)
    lst.dwTotalSize = truth
    assert acd.reply(lib.lineGetAgentSessionList(acd.line, agent, lst)) == 0
    assert lst.dwNeededSize == truth + 64 and lst.dwNumEntries == 0
    lst.dwTotalSize = lst.dwNeededSize  # a caller trusting dwNeededSize succeeds next time
    assert acd.reply(lib.lineGetAgentSessionList(acd.line, agent, lst)) == 0
    assert lst.dwNeededSize == truth and lst.dwUsedSize == truth and lst.dwNumEntries == 1


# ---- a call's life on the virtual clock --------------------------------------------


def test_call_full_life(acd):
    assert lib.tapisim_set_initial_session_state(lib.LINEAGENTSESSIONSTATE_READY, 0) == 0
    agent = acd.agent()
    s = acd.session(agent)
    acd.drain()
    acd.messages.clear()
    assert lib.tapisim_offer_call(s, 4000, 90000, 15000) == 0
    assert lib.tapisim_offer_call(s, 1, 1, 1) == lib.TAPISIM_E_STATE
    steps = [
        (3999, lib.LINEAGENTSESSIONSTATE_READY),
        (1, lib.LINEAGENTSESSIONSTATE_BUSYONCALL),
        (90000, lib.LINEAGENTSESSIONSTATE_BUSYWRAPUP),
        (15000, lib.LINEAGENTSESSIONSTATE_READY),
    ]
    for ms, state in steps:
        assert lib.tapisim_advance(ms) == 0
        assert acd.info(s).dwAgentSessionState == state
    i = acd.info(s)
    assert i.dwSessionDuration == 109
    assert i.dwNumberOfCalls == 1
    assert (i.dwTotalTalkTime, i.dwAverageTalkTime) == (90, 90)
    assert (i.dwTotalWrapUpTime, i.dwAverageWrapUpTime) == (15, 15)
    assert (i.dwTotalCallTime, i.dwAverageCallTime) == (105, 105)
    assert i.cyACDCallRate == 1 * 3600 * 10000 // 109
    assert (i.dwLongestTimeToAnswer, i.dwAverageTimeToAnswer) == (4, 4)
    acd.drain()
    sess = [
        (m[4], m[5])
        for m in acd.messages
        if m[1] in (lib.LINE_AGENTSESSIONSTATUS, lib.LINE_AGENTSTATUSEX)
    ]
    assert sess == [
        (lib.LINEAGENTSESSIONSTATUS_STATE, lib.LINEAGENTSESSIONSTATE_BUSYONCALL),
        (lib.LINEAGENTSESSIONSTATUS_STATE, lib.LINEAGENTSESSIONSTATE_BUSYWRAPUP),
        (lib.LINEAGENTSESSIONSTATUS_UPDATEINFO, 0),
        (lib.LINEAGENTSTATUSEX_UPDATEINFO, 0),
        (lib.LINEAGENTSESSIONSTATUS_STATE, lib.LINEAGENTSESSIONSTATE_READY),
    ]
    for m in acd.events(lib.LINE_AGENTSESSIONSTATUS):
        assert m[0] == acd.line and m[2] == 0xC0FFEE and m[3] == s

    # a second call, cut short in talk by the app: talk so far, no wrap-up
    assert lib.tapisim_offer_call(s, 2000, 60000, 5000) == 0
    assert lib.tapisim_advance(2000 + 30500) == 0
    assert acd.set_state(s, lib.LINEAGENTSESSIONSTATE_NOTREADY) == 0
    i = acd.info(s)
    assert i.dwAgentSessionState == lib.LINEAGENTSESSIONSTATE_NOTREADY
    assert i.dwNumberOfCalls == 2
    assert i.dwTotalTalkTime == 120  # 90 + 30.5 -> floor(120.5)
    assert i.dwAverageTalkTime == 60
    assert i.dwTotalWrapUpTime == 15
    assert i.dwTotalCallTime == 135
    assert (i.dwLongestTimeToAnswer, i.dwAverageTimeToAnswer) == (4, 3)

    ai = ffi.new("LINEAGENTINFO *")
    ai.dwTotalSize = ffi.sizeof(ai[0])
    assert acd.reply(lib.lineGetAgentInfo(acd.line, agent, ai)) == 0
    assert (
        ai.dwNumberOfACDCalls == 2
        and ai.dwTotalACDTalkTime == 120
        and ai.dwTotalACDWrapUpTime == 15
    )
    assert ai.dwMeasurementPeriod == 1800
    # a 30 s window: the second call ended now, the first 33.5 s ago (a window, no reset)
    assert acd.reply(lib.lineSetAgentMeasurementPeriod(acd.line, agent, 30)) == 0
    assert acd.reply(lib.lineGetAgentInfo(acd.line, agent, ai)) == 0
    assert (ai.dwNumberOfACDCalls, ai.dwTotalACDTalkTime, ai.dwMeasurementPeriod) == (1, 30, 30)


def test_duration_frozen_at_ended(acd):
    s = acd.session(acd.agent())
    assert lib.tapisim_advance(61500) == 0
    assert acd.set_state(s, lib.LINEAGENTSESSIONSTATE_ENDED) == 0
    assert acd.info(s).dwSessionDuration == 61
    assert lib.tapisim_advance(3_600_000) == 0
    assert acd.info(s).dwSessionDuration == 61
    assert acd.set_state(s, lib.LINEAGENTSESSIONSTATE_RELEASED) == 0
    assert lib.tapisim_advance(3_600_000) == 0
    assert acd.info(s).dwSessionDuration == 61


@pytest.mark.parametrize(
    "when, expected",
    [
        (dt.datetime(1899, 12, 30, 0, 0), 0.0),
        (dt.datetime(1900, 1, 1, 12, 0), 2.5),
        (dt.datetime(1899, 12, 29, 6, 0), -1.25),
    ],
)
def test_session_start_date(acd, when, expected):
    agent = acd.agent()
    assert lib.tapisim_set_time(unix_ms(when)) == 0
    t = ffi.new("int64_t *")
    assert lib.tapisim_get_time(t) == 0 and t[0] == unix_ms(when)
    s = acd.session(agent)
    assert acd.info(s).dateSessionStartTime == expected


@pytest.mark.parametrize(
    "path, forbidden",
    [
        ([], "BUSYONCALL"),
        ([], "BUSYWRAPUP"),
        (["READY"], "BUSYWRAPUP"),
        (["ENDED"], "READY"),
        (["ENDED"], "NOTREADY"),
        (["RELEASED"], "ENDED"),
        (["ENDED", "RELEASED"], "READY"),
    ],
)
def test_forbidden_transitions(acd, path, forbidden):
    s = acd.session(acd.agent())
    for state in path:
        assert acd.set_state(s, getattr(lib, "LINEAGENTSESSIONSTATE_" + state)) == 0
    before = acd.info(s).dwAgentSessionState
    assert (
        acd.set_state(s, getattr(lib, "LINEAGENTSESSIONSTATE_" + forbidden))
        == lib.LINEERR_INVALAGENTSTATE
    )
    assert acd.info(s).dwAgentSessionState == before


def test_invalid_state_constants_are_refused_synchronously(acd):
    s = acd.session(acd.agent())
    assert lib.lineSetAgentSessionState(acd.line, s, 3, 0) == err(lib.LINEERR_INVALAGENTSTATE)
    assert lib.lineSetAgentSessionState(acd.line, s, 0, 0x40) == err(lib.LINEERR_INVALAGENTSTATE)
    assert lib.lineSetAgentStateEx(acd.line, 1, 6, 0) == err(lib.LINEERR_INVALAGENTSTATE)


# ---- handles, pointers, uninitialized use ------------------------------------------------


def test_bad_handles_and_null_pointers(raw):
    msg = ffi.new("LINEMESSAGE *")
    info = ffi.new("LINEAGENTSESSIONINFO *")
    info.dwTotalSize = 76
    # nothing initialized yet: UNINITIALIZED (lineGetMessage's page does not list it)
    assert lib.lineGetMessage(1, msg, 0) == err(lib.LINEERR_INVALAPPHANDLE)
    assert lib.lineShutdown(1) == err(lib.LINEERR_UNINITIALIZED)
    assert lib.lineGetAgentSessionInfo(1, 1, info) == err(lib.LINEERR_UNINITIALIZED)
    assert lib.lineClose(1) == err(lib.LINEERR_UNINITIALIZED)
    params = ffi.new("LINEINITIALIZEEXPARAMS *")
    params.dwTotalSize = ffi.sizeof(params[0])
    params.dwOptions = lib.LINEINITIALIZEEXOPTION_USEEVENT
    ver = ffi.new("DWORD *", 0x00020002)
    assert lib.lineInitializeExW(
        ffi.NULL, ffi.NULL, ffi.NULL, ffi.NULL, ffi.new("DWORD *"), ver, params
    ) == err(lib.LINEERR_INVALPOINTER)
    params.dwOptions = lib.LINEINITIALIZEEXOPTION_USEHIDDENWINDOW
    assert lib.lineInitializeExW(
        ffi.new("HLINEAPP *"), ffi.NULL, ffi.NULL, ffi.NULL, ffi.new("DWORD *"), ver, params
    ) == err(lib.LINEERR_INVALPARAM)
    raw.setup()
    assert lib.lineGetMessage(raw.app, ffi.NULL, 0) == err(lib.LINEERR_INVALPOINTER)
    assert lib.lineGetAgentSessionInfo(raw.line, 1, ffi.NULL) == err(lib.LINEERR_INVALPOINTER)
    assert lib.lineCreateAgentW(raw.line, "x", ffi.NULL, ffi.NULL) == err(lib.LINEERR_INVALPOINTER)
    assert lib.lineGetAgentSessionInfo(raw.line ^ 0x10000, 1, info) == err(
        lib.LINEERR_INVALLINEHANDLE
    )
    line = ffi.new("HLINE *")
    assert lib.lineOpenW(raw.app, 0, line, 0x00020002, 0, 0, 0, 0, ffi.NULL) == err(
        lib.LINEERR_INVALPRIVSELECT
    )
    assert lib.lineOpenW(raw.app, 1, line, 0x00020002, 0, 0, 1, 0, ffi.NULL) == err(
        lib.LINEERR_BADDEVICEID
    )
    assert lib.lineClose(raw.line) == 0
    assert lib.lineGetAgentSessionInfo(raw.line, 1, info) == err(
        lib.LINEERR_INVALLINEHANDLE
    )  # stale
    # replies for unknown handles come in the LINE_REPLY
    raw.line = raw.open(raw.app)
    assert raw.reply(lib.lineGetAgentSessionInfo(raw.line, 12345, info)) == lib.LINEERR_INVALPARAM
    assert (
        raw.reply(lib.lineCreateAgentW(raw.line, "ghost", ffi.NULL, ffi.new("HAGENT *")))
        == lib.LINEERR_INVALPARAM
    )
    assert lib.lineShutdown(raw.app) == 0
    assert lib.lineGetMessage(raw.app, msg, 0) == err(lib.LINEERR_INVALAPPHANDLE)
    assert lib.lineShutdown(raw.app) == err(lib.LINEERR_UNINITIALIZED)  # no app left


def test_wrong_pin_and_group(acd):
    h = ffi.new("HAGENT *")
    assert acd.reply(lib.lineCreateAgentW(acd.line, "1001", "0000", h)) == lib.LINEERR_INVALPARAM
    assert acd.reply(lib.lineCreateAgentW(acd.line, "1001", "1234", h)) == 0
    s = ffi.new("HAGENTSESSION *")
    assert (
        acd.reply(lib.lineCreateAgentSessionW(acd.line, h[0], ffi.NULL, 0, _guid(uuid.uuid4()), s))
        == lib.LINEERR_INVALPARAM
    )
    assert (
        acd.reply(lib.lineCreateAgentSessionW(acd.line, h[0], "9", 0, _guid(G1), s))
        == lib.LINEERR_INVALPARAM
    )
    assert (
        acd.reply(lib.lineCreateAgentSessionW(acd.line, h[0], ffi.NULL, 1, _guid(G1), s))
        == lib.LINEERR_INVALPARAM
    )
    assert (
        acd.reply(lib.lineCreateAgentSessionW(acd.line, 999, ffi.NULL, 0, _guid(G1), s))
        == lib.LINEERR_INVALPARAM
    )
    assert s[0] == 0
    acd.drain()
    assert acd.events(lib.LINE_AGENTSESSIONSTATUS) == []


# ---- pollable fd, lineShutdown waking a waiter, unknown request IDs ---------------------------


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows: Handles.hEvent is a Win32 event, not a file descriptor "
    "(test_event_handle_signalled_while_a_message_waits is the Windows twin)",
)
def test_pollable_fd(acd):
    fd = ffi.new("int *")
    assert lib.tapisim_message_fd(acd.app, fd) == 0 and fd[0] == acd.fd
    assert select.select([acd.fd], [], [], 0)[0] == []
    assert lib.tapisim_post_message(acd.app, 3, lib.LINE_REPLY, 4242, 0, 0) == 0
    assert select.select([acd.fd], [], [], 0)[0] == [acd.fd]
    rc, m = acd.get(0)
    assert rc == 0 and m[1] == lib.LINE_REPLY and m[3] == 4242  # a reply for an unknown request ID
    assert select.select([acd.fd], [], [], 0)[0] == []
    # a delayed reply makes the fd readable by itself, later
    assert lib.tapisim_set_reply_latency(30_000) == 0
    out = ffi.new("HAGENT *")  # must outlive the reply: TAPI writes it at delivery
    rid = lib.lineCreateAgentW(acd.line, "1002", ffi.NULL, out)
    assert rid > 0
    assert select.select([acd.fd], [], [], 10)[0] == [acd.fd]
    assert acd.reply(rid) == 0


@pytest.mark.skipif(sys.platform != "win32",
                    reason="POSIX: Handles.hEvent is a pollable fd (test_pollable_fd)")
def test_event_handle_signalled_while_a_message_waits(acd):
    """The Windows twin of test_pollable_fd: hEvent is a Win32 event that TAPI keeps
    signalled while a message waits and resets when none does (lineInitializeExW)."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    wait_for = kernel32.WaitForSingleObject
    wait_for.argtypes = [wintypes.HANDLE, wintypes.DWORD]
    wait_for.restype = wintypes.DWORD
    wait_object_0, wait_timeout = 0x0, 0x102
    event = wintypes.HANDLE(acd.fd)  # Raw.init: Handles.hEvent as an integer

    assert acd.fd != 0
    assert wait_for(event, 0) == wait_timeout
    assert lib.tapisim_post_message(acd.app, 3, lib.LINE_REPLY, 4242, 0, 0) == 0
    assert wait_for(event, 0) == wait_object_0
    assert wait_for(event, 0) == wait_object_0  # waiting does not consume it: reset by TAPI
    rc, m = acd.get(0)
    assert rc == 0 and m[1] == lib.LINE_REPLY and m[3] == 4242  # a reply for an unknown request ID
    assert wait_for(event, 0) == wait_timeout
    # a delayed reply signals the event by itself, later
    assert lib.tapisim_set_reply_latency(30_000) == 0
    out = ffi.new("HAGENT *")  # must outlive the reply: TAPI writes it at delivery
    rid = lib.lineCreateAgentW(acd.line, "1002", ffi.NULL, out)
    assert rid > 0
    assert wait_for(event, 10_000) == wait_object_0
    assert acd.reply(rid) == 0


def test_shutdown_wakes_blocked_get_message(raw):
    raw.setup()
    result = []
    started = threading.Event()

    def waiter():
        msg = ffi.new("LINEMESSAGE *")
        started.set()
        result.append(lib.lineGetMessage(raw.app, msg, lib.INFINITE))

    t = threading.Thread(target=waiter)
    t.start()
    started.wait()
    t.join(0.05)  # give it a chance to block (the result does not depend on it)
    assert lib.lineShutdown(raw.app) == 0
    t.join(10)
    assert not t.is_alive()
    assert result == [err(lib.LINEERR_INVALAPPHANDLE)]


def test_close_line_from_switch(acd):
    assert lib.tapisim_set_reply_latency(1_000_000) == 0
    rid = lib.lineCreateAgentW(acd.line, "1002", ffi.NULL, ffi.new("HAGENT *"))
    assert rid > 0 and acd.pending() == 1
    assert lib.tapisim_close_line(0) == 0
    assert acd.pending() == 0
    acd.drain()
    assert [m[:3] for m in acd.events(lib.LINE_CLOSE)] == [(acd.line, lib.LINE_CLOSE, 0xC0FFEE)]
    assert acd.events(lib.LINE_REPLY) == []  # the suppressed reply never comes
    assert lib.lineClose(acd.line) == err(lib.LINEERR_INVALLINEHANDLE)
    acd.line = acd.open(acd.app)


def test_reset_leaves_nothing_behind(acd):
    s = acd.session(acd.agent())
    assert (
        lib.tapisim_inject_fault(b"lineClose", lib.TAPISIM_FAULT_ERROR, 3, lib.LINEERR_NOMEM, 0)
        == 0
    )
    assert lib.tapisim_set_time(0) == 0
    assert lib.tapisim_reset() == 0
    n = ffi.new("DWORD *")
    assert lib.tapisim_session_count(n) == 0 and n[0] == 0
    t = ffi.new("int64_t *")
    assert lib.tapisim_get_time(t) == 0 and t[0] == lib.TAPISIM_DEFAULT_TIME_MS
    assert lib.lineGetMessage(acd.app, ffi.new("LINEMESSAGE *"), 0) == err(
        lib.LINEERR_INVALAPPHANDLE
    )
    assert lib.tapisim_offer_call(s, 0, 0, 0) == lib.TAPISIM_E_NOTFOUND
    assert lib.tapisim_add_agent("1001", ffi.NULL) == 0  # configuration gone too
    raw2 = Raw()
    raw2.setup()
    assert lib.lineClose(raw2.line) == 0  # the fault is gone
