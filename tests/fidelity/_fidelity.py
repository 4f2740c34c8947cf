"""Helpers of the fidelity tests: each test follows one SDK reference page
(named in its docstring, e.g. ``nf-tapi-lineopenw.md``) and checks that the
simulator, or pytapi2 on top of it, does what that page says.

``Acd`` drives the simulator through raw cffi calls (no pytapi2 wrapper):
one app, one line at TAPI 3.1, agents 1001 (PIN 1234) and 1002 (no PIN),
groups G1 (queues 7 and 8) and G2."""

from __future__ import annotations

import uuid
from typing import Any

from pytapi2._native import ffi, lib

G1 = uuid.UUID("11111111-2222-3333-0102-030405060708")
G2 = uuid.UUID("99999999-8888-7777-0807-060504030201")
Message = tuple[int, int, int, int, int, int]


def err(code: int) -> int:
    """A LINEERR_ constant as the negative LONG a function returns."""
    return code - 2**32


def guid(u: uuid.UUID) -> Any:
    g = ffi.new("GUID *")
    ffi.memmove(g, u.bytes_le, 16)
    return g


def init_app(version: int = lib.TAPI_VERSION3_1,
             options: int = lib.LINEINITIALIZEEXOPTION_USEEVENT) -> tuple[int, int]:
    """lineInitializeExW: (return code, hLineApp)."""
    params = ffi.new("LINEINITIALIZEEXPARAMS *")
    params.dwTotalSize = ffi.sizeof("LINEINITIALIZEEXPARAMS")
    params.dwOptions = options
    app = ffi.new("HLINEAPP *")
    ver = ffi.new("DWORD *", version)
    rc = lib.lineInitializeExW(app, ffi.NULL, ffi.NULL, "fidelity", ffi.new("DWORD *"), ver,
                               params)
    return rc, app[0]


def open_line(app: int, version: int = lib.TAPI_VERSION3_1,
              privileges: int = lib.LINECALLPRIVILEGE_OWNER,
              media: int = lib.LINEMEDIAMODE_INTERACTIVEVOICE, params: Any = ffi.NULL,
              device: int = 0) -> tuple[int, int]:
    """lineOpenW: (return code, hLine)."""
    line = ffi.new("HLINE *")
    rc = lib.lineOpenW(app, device, line, version, 0, 0xC0FFEE, privileges, media, params)
    return rc, line[0]


def call_params(proxy_types: list[int] | None = None, address_id: int = 0,
                address_mode: int = lib.LINEADDRESSMODE_ADDRESSID, total: int | None = None,
                ) -> Any:
    """A LINECALLPARAMS with the given DevSpecific list of LINEPROXYREQUEST_ types."""
    fixed = ffi.sizeof("LINECALLPARAMS")
    types = proxy_types or []
    buf = ffi.new("unsigned char[]", fixed + 4 * len(types))
    cp = ffi.cast("LINECALLPARAMS *", buf)
    cp.dwTotalSize = fixed + 4 * len(types) if total is None else total
    cp.dwAddressMode = address_mode
    cp.dwAddressID = address_id
    if types:
        cp.dwDevSpecificSize = 4 * len(types)
        cp.dwDevSpecificOffset = fixed
        ffi.cast("DWORD *", buf + fixed)[0:len(types)] = types
    return cp, buf


class Acd:
    """The simulated ACD of the docstring above, with one app and one line."""

    def __init__(self, version: int = lib.TAPI_VERSION3_1) -> None:
        assert lib.tapisim_add_agent("1001", "1234") == 0
        assert lib.tapisim_add_agent("1002", ffi.NULL) == 0
        assert lib.tapisim_add_group(guid(G1), "Sales") == 0
        assert lib.tapisim_add_group(guid(G2), "Support") == 0
        assert lib.tapisim_add_queue(guid(G1), 7, "Q7") == 0
        assert lib.tapisim_add_queue(guid(G1), 8, "Overflow") == 0
        rc, self.app = init_app()
        assert rc == 0
        rc, self.line = open_line(self.app, version)
        assert rc == 0
        self.messages: list[Message] = []

    def get(self, timeout: int = 5000) -> Message | None:
        msg = ffi.new("LINEMESSAGE *")
        if lib.lineGetMessage(self.app, msg, timeout) != 0:
            return None
        return (msg.hDevice, msg.dwMessageID, msg.dwCallbackInstance, msg.dwParam1,
                msg.dwParam2, msg.dwParam3)

    def reply(self, request_id: int) -> int:
        """Pump until the LINE_REPLY of request_id: its dwParam2 (0 or a LINEERR_)."""
        assert request_id > 0, hex(request_id & 0xFFFFFFFF)
        while True:
            m = self.get()
            assert m is not None, f"no LINE_REPLY for request {request_id}"
            if m[1] == lib.LINE_REPLY and m[3] == request_id:
                return m[4]
            self.messages.append(m)

    def drain(self) -> list[Message]:
        """Every message not looked at yet: those reply() passed over, then the
        ones queued now."""
        while (m := self.get(0)) is not None:
            self.messages.append(m)
        out, self.messages = self.messages, []
        return out

    def agent(self, agent_id: Any = "1002", pin: Any = ffi.NULL) -> int:
        h = ffi.new("HAGENT *")
        assert self.reply(lib.lineCreateAgentW(self.line, agent_id, pin, h)) == 0
        return int(h[0])

    def session(self, agent: int, pin: Any = ffi.NULL, group: uuid.UUID = G1) -> int:
        h = ffi.new("HAGENTSESSION *")
        rc = self.reply(lib.lineCreateAgentSessionW(self.line, agent, pin, 0, guid(group), h))
        assert rc == 0, hex(rc)
        return int(h[0])

    def session_info(self, session: int) -> Any:
        i = ffi.new("LINEAGENTSESSIONINFO *")
        i.dwTotalSize = ffi.sizeof(i[0])
        assert self.reply(lib.lineGetAgentSessionInfo(self.line, session, i)) == 0
        return i

    def agent_info(self, agent: int) -> Any:
        i = ffi.new("LINEAGENTINFO *")
        i.dwTotalSize = ffi.sizeof(i[0])
        assert self.reply(lib.lineGetAgentInfo(self.line, agent, i)) == 0
        return i

    def queue_info(self, queue: int) -> Any:
        i = ffi.new("LINEQUEUEINFO *")
        i.dwTotalSize = ffi.sizeof(i[0])
        assert self.reply(lib.lineGetQueueInfo(self.line, queue, i)) == 0
        return i

    def set_state(self, session: int, state: int, nxt: int = 0) -> int:
        return self.reply(lib.lineSetAgentSessionState(self.line, session, state, nxt))

    def events(self, msgid: int) -> list[Message]:
        return [m for m in self.drain() if m[1] == msgid]
