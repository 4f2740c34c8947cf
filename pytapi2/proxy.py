"""Agent handlers (ACD proxies) in Python.

On Windows the agent requests a client makes (lineCreateAgentW,
lineGetAgentSessionInfo, ...) are answered by an *agent handler*: a TAPI
application that opens a line with LINEOPENOPTION_PROXY for the request types
it serves, receives each request as LINE_PROXYREQUEST, fills in the
LINEPROXYREQUEST and completes it with lineProxyResponse; it tells clients
about changes with lineProxyMessage. :class:`AgentHandler` is that
application::

    from pytapi2.proxy import AgentHandler, ProxyRequestType, GetAgentSessionInfoRequest

    with AgentHandler(0, [ProxyRequestType.GET_AGENT_SESSION_INFO]) as handler:
        for request in handler.requests(timeout=1.0):
            if isinstance(request, GetAgentSessionInfoRequest):
                request.answer(my_acd.session_info(request.session))

Each request is typed (:class:`CreateAgentSessionRequest` carries the agent,
PIN, group UUID and address; :class:`GetAgentSessionInfoRequest` the
session, ...) and answered with typed data (an :class:`AgentSessionInfo`, a
list of :class:`SessionListEntry`, ...), which pytapi2 encodes into the
client's structure: when it does not fit, the client gets dwNeededSize and
asks again with a bigger buffer. ``request.fail(error)`` answers with a
LINEERR (a :class:`TapiError` or a code). Exactly one answer per request is
guaranteed: a second one raises :class:`AlreadyAnsweredError`; a request
still unanswered when the handler closes is failed for its client
(LINEERR_OPERATIONFAILED). Answers may come later and from any thread.

The handler is its own TAPI registration (lineInitializeExW), like a real
ACD proxy, and pumps its own messages in :meth:`AgentHandler.next_request`.

Memory: TAPI owns the LINEPROXYREQUEST and frees it in lineProxyResponse (or
when the handler's line closes). Every access to it happens under the
handler's lock while the request is known to be live, so a request object
kept after its answer or after close() never touches freed memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from pytapi2 import _native, _validate
from pytapi2._native import ffi, lib
from pytapi2._proxy_encode import (
    SessionListEntry,
    encode_agent_caps,
    encode_agent_info,
    encode_group_list,
    encode_queue_info,
    encode_queue_list,
    encode_session_info,
    encode_session_list,
)
from pytapi2.constants import (
    AgentSessionState,
    AgentSessionStatus,
    AgentState,
    AgentStatus,
    ApiVersion,
    GroupStatus,
    ProxyRequestType,
    QueueStatus,
)
from pytapi2.errors import TapiClosedError, TapiError, check, to_long
from pytapi2.snapshots import AgentCaps, AgentInfo, AgentSessionInfo, Group, Queue, QueueInfo

if TYPE_CHECKING:
    from pytapi2.app import TapiApp

__all__ = [
    "LATER",
    "AgentHandler",
    "AlreadyAnsweredError",
    "CreateAgentRequest",
    "CreateAgentSessionRequest",
    "GetAgentCapsRequest",
    "GetAgentInfoRequest",
    "GetAgentSessionInfoRequest",
    "GetAgentSessionListRequest",
    "GetGroupListRequest",
    "GetQueueInfoRequest",
    "GetQueueListRequest",
    "ProxyRequest",
    "ProxyRequestType",
    "SessionListEntry",
    "SetAgentMeasurementPeriodRequest",
    "SetAgentSessionStateRequest",
    "SetAgentStateExRequest",
    "SetQueueMeasurementPeriodRequest",
    "proxy_status",
]

log = logging.getLogger("pytapi2.proxy")

_WAIT_SLICE_MS = 200  # lineGetMessage waits in slices: Ctrl+C stays responsive


class AlreadyAnsweredError(RuntimeError):
    """A request was answered (or failed) a second time; TAPI allows one answer."""


class _Later:
    """The type of :data:`LATER`."""

    def __repr__(self) -> str:
        return "LATER"


#: Returned by a :meth:`AgentHandler.serve` callback that answers the request
#: itself, later (e.g. from another thread).
LATER = _Later()


def _wstr(base: Any, size: int, offset: int, limit: int, what: str) -> str | None:
    """A NUL-terminated UTF-16 string inside the request (None if absent)."""
    if size == 0:
        return None
    if size % 2 or offset + size > limit:
        raise TapiError(f"LINEPROXYREQUEST: {what} lies outside the request")
    raw = bytes(ffi.buffer(base + offset, size))
    return raw.decode("utf-16-le").split("\0", 1)[0]


def _error_code(error: TapiError | int) -> int:
    """The LINEERR to answer with, as the DWORD lineProxyResponse takes."""
    if isinstance(error, TapiError):
        if error.code is None:
            raise ValueError(f"{type(error).__name__} carries no LINEERR code: pass one")
        code = error.code
    elif isinstance(error, int) and not isinstance(error, bool):
        code = error
    else:
        raise TypeError(f"error must be a TapiError or a LINEERR code, got {type(error).__name__}")
    if to_long(code) >= 0 or not -0x1_0000_0000 <= code <= 0xFFFFFFFF:
        raise ValueError(f"error must be a LINEERR (negative) code, got {code}")
    return code & 0xFFFFFFFF


class ProxyRequest:
    """A request a client made, as the handler receives it (LINEPROXYREQUEST).

    Subclasses carry the request's parameters and an ``answer(...)`` taking
    the typed result; every request can be failed with :meth:`fail`.
    """

    __slots__ = ("_address", "_answered", "_handler", "client_api_version", "client_machine",
                 "client_user", "type")

    def __init__(self, handler: AgentHandler, address: Any, rtype: ProxyRequestType | int,
                 machine: str | None, user: str | None, version: int) -> None:
        self._handler = handler
        self._address = address  # LINEPROXYREQUEST *: only touched under handler._lock
        self._answered = False
        self.type = rtype
        self.client_machine = machine
        self.client_user = user
        self.client_api_version: ApiVersion | int = version
        with contextlib.suppress(ValueError):
            self.client_api_version = ApiVersion(version)

    def __repr__(self) -> str:
        state = "answered" if self._answered else "pending"
        return f"<{type(self).__name__} {state}>"

    @property
    def answered(self) -> bool:
        """Answered or failed already (or failed by the handler's close).
        Read under the handler's lock: an answer in progress in another thread
        (the client may already hold its reply) counts once it is complete."""
        with self._handler._lock:
            return self._answered

    def fail(self, error: TapiError | int) -> None:
        """Answer with a LINEERR: a :class:`TapiError` (its code) or the code.

        The code must be one the client function's page lists; otherwise TAPI
        refuses it (:class:`~pytapi2.InvalidParameterError` here) and the
        request stays unanswered."""
        self._respond(_error_code(error), None)

    def _respond(self, result: int, payload: Callable[[Any], None] | None) -> None:
        handler = self._handler
        with handler._lock:
            if handler._closed:  # its close() failed the request for the client
                raise TapiClosedError("lineProxyResponse: the agent handler is closed",
                                      function="lineProxyResponse")
            if self._answered:
                raise AlreadyAnsweredError(f"{self!r}: TAPI takes one answer per request")
            if payload is not None:
                payload(self._address)
            check(lib.lineProxyResponse(handler._line, self._address, result),
                  "lineProxyResponse")
            self._answered = True
            handler._pending.pop(id(self), None)

    def _answer_value(self, value: object) -> None:
        """Answer from a :meth:`AgentHandler.serve` callback's return value."""
        raise TypeError(f"{type(self).__name__} cannot be answered, only failed")


class _NoOutput(ProxyRequest):
    """A request whose success carries no data (the Set... requests)."""

    __slots__ = ()

    def answer(self) -> None:
        """Report success."""
        self._respond(0, None)

    def _answer_value(self, value: object) -> None:
        if value is not None:
            raise TypeError(f"{type(self).__name__} is answered with None, got {value!r}")
        self.answer()


class _StructOutput(ProxyRequest):
    """A request answered with a variable-size structure at `_FIELD`."""

    __slots__ = ()
    _FIELD: ClassVar[str]

    def _write(self, encode: Callable[[int], bytes]) -> None:
        def payload(address: Any) -> None:
            out = ffi.addressof(address[0], *self._FIELD.split("."))
            out_bytes = ffi.cast("unsigned char *", out)
            total = int(ffi.cast("DWORD *", out_bytes)[0])
            data = encode(total)
            ffi.memmove(out_bytes, data, len(data))
        self._respond(0, payload)

    def _answer_value(self, value: object) -> None:
        self.answer(value)  # type: ignore[attr-defined]


class _HandleOutput(ProxyRequest):
    """A request answered with a new handle (CreateAgent, CreateAgentSession)."""

    __slots__ = ()

    def answer(self, handle: int) -> None:
        """Report success with the new handle (the handler keeps it unique)."""
        value = _validate.dword(handle, "handle")

        def payload(address: Any) -> None:
            # hAgent / hAgentSession: the first DWORD of both bodies.
            address[0].CreateAgent.hAgent = value
        self._respond(0, payload)

    def _answer_value(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{type(self).__name__} is answered with an int handle, got {value!r}")
        self.answer(value)


class CreateAgentRequest(_HandleOutput):
    """lineCreateAgentW: the agent ID (None: the logged-on user's) and PIN."""

    __slots__ = ("agent_id", "pin")

    agent_id: str | None
    pin: str | None


class CreateAgentSessionRequest(_HandleOutput):
    """lineCreateAgentSessionW: a session of ``agent`` in ``group`` on an address."""

    __slots__ = ("address_id", "agent", "group", "pin")

    agent: int
    pin: str | None
    group: UUID
    address_id: int


class GetAgentSessionListRequest(_StructOutput):
    """lineGetAgentSessionList: answer with the agent's sessions."""

    __slots__ = ("agent",)
    _FIELD = "GetAgentSessionList.SessionList"
    agent: int

    def answer(self, sessions: Sequence[SessionListEntry]) -> None:
        entries = list(sessions)
        self._write(lambda total: encode_session_list(entries, total))


class GetAgentSessionInfoRequest(_StructOutput):
    """lineGetAgentSessionInfo: answer with the session's statistics."""

    __slots__ = ("session",)
    _FIELD = "GetAgentSessionInfo.SessionInfo"
    session: int

    def answer(self, info: AgentSessionInfo) -> None:
        self._write(lambda total: encode_session_info(info, total))


class GetAgentInfoRequest(_StructOutput):
    """lineGetAgentInfo: answer with the agent's statistics."""

    __slots__ = ("agent",)
    _FIELD = "GetAgentInfo.AgentInfo"
    agent: int

    def answer(self, info: AgentInfo) -> None:
        self._write(lambda total: encode_agent_info(info, total))


class GetAgentCapsRequest(_StructOutput):
    """lineGetAgentCapsW: answer with the handler's capabilities for an address
    (written at the client's API version)."""

    __slots__ = ("address_id",)
    _FIELD = "GetAgentCaps.AgentCaps"
    address_id: int

    def answer(self, caps: AgentCaps) -> None:
        version = int(self.client_api_version)
        self._write(lambda total: encode_agent_caps(caps, total, version))


class GetGroupListRequest(_StructOutput):
    """lineGetGroupListW: answer with the ACD groups."""

    __slots__ = ()
    _FIELD = "GetGroupList.GroupList"

    def answer(self, groups: Sequence[Group]) -> None:
        items = list(groups)
        self._write(lambda total: encode_group_list(items, total))


class GetQueueListRequest(_StructOutput):
    """lineGetQueueListW: answer with the queues of ``group``."""

    __slots__ = ("group",)
    _FIELD = "GetQueueList.QueueList"
    group: UUID

    def answer(self, queues: Sequence[Queue]) -> None:
        items = list(queues)
        self._write(lambda total: encode_queue_list(items, total))


class GetQueueInfoRequest(_StructOutput):
    """lineGetQueueInfo: answer with the queue's statistics."""

    __slots__ = ("queue",)
    _FIELD = "GetQueueInfo.QueueInfo"
    queue: int

    def answer(self, info: QueueInfo) -> None:
        self._write(lambda total: encode_queue_info(info, total))


class SetAgentSessionStateRequest(_NoOutput):
    """lineSetAgentSessionState (None: leave unchanged). Fail with
    LINEERR_INVALAGENTSTATE for a forbidden change."""

    __slots__ = ("next_state", "session", "state")
    session: int
    state: AgentSessionState | None
    next_state: AgentSessionState | None


class SetAgentStateExRequest(_NoOutput):
    """lineSetAgentStateEx (None: leave unchanged)."""

    __slots__ = ("agent", "next_state", "state")
    agent: int
    state: AgentState | None
    next_state: AgentState | None


class SetAgentMeasurementPeriodRequest(_NoOutput):
    """lineSetAgentMeasurementPeriod."""

    __slots__ = ("agent", "period")
    agent: int
    period: timedelta


class SetQueueMeasurementPeriodRequest(_NoOutput):
    """lineSetQueueMeasurementPeriod."""

    __slots__ = ("period", "queue")
    queue: int
    period: timedelta


def _flags(value: Any, cls: type[enum.IntFlag], name: str) -> int:
    """A non-empty combination of ``cls``'s bits."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a {cls.__name__}, got {type(value).__name__}")
    known = 0
    for member in cls:
        known |= int(member)
    if value == 0 or int(value) & ~known:
        raise ValueError(f"{name} must be a non-empty {cls.__name__} combination, got {value!r}")
    return int(value)


def _state_or_none(cls: type[enum.IntEnum], value: int) -> Any:
    if value == 0:
        return None
    try:
        return cls(value)
    except ValueError:
        return value  # TAPI checked the family; keep an unknown bit as the int


def _guid(raw: Any) -> UUID:
    return UUID(bytes_le=bytes(ffi.buffer(ffi.addressof(raw), 16)))


def _decode(handler: AgentHandler, address: Any) -> ProxyRequest:
    """The typed request at ``address`` (a live LINEPROXYREQUEST *)."""
    r = address[0]
    size = int(r.dwSize)
    base = ffi.cast("unsigned char *", address)
    machine = _wstr(base, r.dwClientMachineNameSize, r.dwClientMachineNameOffset, size,
                    "the client machine name")
    user = _wstr(base, r.dwClientUserNameSize, r.dwClientUserNameOffset, size,
                 "the client user name")
    version = int(r.dwClientAppAPIVersion)
    raw_type = int(r.dwRequestType)
    try:
        rtype: ProxyRequestType | int = ProxyRequestType(raw_type)
    except ValueError:
        rtype = raw_type
    args = (handler, address, rtype, machine, user, version)
    req: ProxyRequest
    if rtype == ProxyRequestType.CREATE_AGENT:
        b = r.CreateAgent
        ca = CreateAgentRequest(*args)
        ca.agent_id = _wstr(base, b.dwAgentIDSize, b.dwAgentIDOffset, size, "the agent ID")
        ca.pin = _wstr(base, b.dwAgentPINSize, b.dwAgentPINOffset, size, "the agent PIN")
        req = ca
    elif rtype == ProxyRequestType.CREATE_AGENT_SESSION:
        s = r.CreateAgentSession
        cs = CreateAgentSessionRequest(*args)
        cs.agent = int(s.hAgent)
        cs.pin = _wstr(base, s.dwAgentPINSize, s.dwAgentPINOffset, size, "the agent PIN")
        cs.group = _guid(s.GroupID)
        cs.address_id = int(s.dwWorkingAddressID)
        req = cs
    elif rtype == ProxyRequestType.GET_AGENT_SESSION_LIST:
        sl = GetAgentSessionListRequest(*args)
        sl.agent = int(r.GetAgentSessionList.hAgent)
        req = sl
    elif rtype == ProxyRequestType.GET_AGENT_SESSION_INFO:
        si = GetAgentSessionInfoRequest(*args)
        si.session = int(r.GetAgentSessionInfo.hAgentSession)
        req = si
    elif rtype == ProxyRequestType.SET_AGENT_SESSION_STATE:
        ss = SetAgentSessionStateRequest(*args)
        ss.session = int(r.SetAgentSessionState.hAgentSession)
        ss.state = _state_or_none(AgentSessionState, r.SetAgentSessionState.dwAgentSessionState)
        ss.next_state = _state_or_none(AgentSessionState,
                                       r.SetAgentSessionState.dwNextAgentSessionState)
        req = ss
    elif rtype == ProxyRequestType.GET_AGENT_INFO:
        ai = GetAgentInfoRequest(*args)
        ai.agent = int(r.GetAgentInfo.hAgent)
        req = ai
    elif rtype == ProxyRequestType.SET_AGENT_MEASUREMENT_PERIOD:
        am = SetAgentMeasurementPeriodRequest(*args)
        am.agent = int(r.SetAgentMeasurementPeriod.hAgent)
        am.period = timedelta(seconds=int(r.SetAgentMeasurementPeriod.dwMeasurementPeriod))
        req = am
    elif rtype == ProxyRequestType.SET_AGENT_STATE_EX:
        se = SetAgentStateExRequest(*args)
        se.agent = int(r.SetAgentStateEx.hAgent)
        se.state = _state_or_none(AgentState, r.SetAgentStateEx.dwAgentState)
        se.next_state = _state_or_none(AgentState, r.SetAgentStateEx.dwNextAgentState)
        req = se
    elif rtype == ProxyRequestType.GET_AGENT_CAPS:
        gc = GetAgentCapsRequest(*args)
        gc.address_id = int(r.GetAgentCaps.dwAddressID)
        req = gc
    elif rtype == ProxyRequestType.GET_GROUP_LIST:
        req = GetGroupListRequest(*args)
    elif rtype == ProxyRequestType.GET_QUEUE_LIST:
        ql = GetQueueListRequest(*args)
        ql.group = _guid(r.GetQueueList.GroupID)
        req = ql
    elif rtype == ProxyRequestType.GET_QUEUE_INFO:
        qi = GetQueueInfoRequest(*args)
        qi.queue = int(r.GetQueueInfo.dwQueueID)
        req = qi
    elif rtype == ProxyRequestType.SET_QUEUE_MEASUREMENT_PERIOD:
        qm = SetQueueMeasurementPeriodRequest(*args)
        qm.queue = int(r.SetQueueMeasurementPeriod.dwQueueID)
        qm.period = timedelta(seconds=int(r.SetQueueMeasurementPeriod.dwMeasurementPeriod))
        req = qm
    else:  # the TAPI 2.0 agent requests: only fail() is offered
        req = ProxyRequest(*args)
    return req


def proxy_status(app: TapiApp, device_id: int,
                 api_version: ApiVersion | int = ApiVersion.V3_1) -> list[ProxyRequestType | int]:
    """The request types agent handlers serve on a device (lineGetProxyStatus,
    synchronous), in ascending order."""
    device = _validate.dword(device_id, "device_id")
    version = _validate.dword(api_version, "api_version")
    size = ffi.sizeof("LINEPROXYREQUESTLIST") + 4 * 32
    for _ in range(3):  # the list can grow between two calls
        buf = ffi.new("unsigned char[]", size)
        plist = ffi.cast("LINEPROXYREQUESTLIST *", buf)
        plist.dwTotalSize = size
        check(lib.lineGetProxyStatus(app.handle, device, version, plist), "lineGetProxyStatus")
        if plist.dwNeededSize <= size:
            break
        size = int(plist.dwNeededSize)
    else:
        raise TapiError("lineGetProxyStatus: the list kept growing", function="lineGetProxyStatus")
    count = int(plist.dwNumEntries)
    offset = int(plist.dwListOffset)
    if count and (offset < ffi.sizeof("LINEPROXYREQUESTLIST") or offset + 4 * count > size):
        raise TapiError("LINEPROXYREQUESTLIST: the list lies outside the structure",
                        function="lineGetProxyStatus")
    values = ffi.cast("DWORD *", buf + offset)
    result: list[ProxyRequestType | int] = []
    for i in range(count):
        try:
            result.append(ProxyRequestType(values[i]))
        except ValueError:
            result.append(int(values[i]))
    return result


class AgentHandler:
    """An agent handler serving ``request_types`` on line device ``device_id``.

    Registers with TAPI (lineInitializeExW) and opens the device with
    LINEOPENOPTION_PROXY. The first handler of a type on a device serves it: a
    type another handler serves makes the open fail with
    :class:`~pytapi2.TapiError` (LINEERR_NOTREGISTERED).
    """

    def __init__(
        self,
        device_id: int,
        request_types: Iterable[ProxyRequestType | int],
        *,
        app_name: str = "pytapi2 agent handler",
        api_version: ApiVersion | int = ApiVersion.V3_1,
    ) -> None:
        device = _validate.dword(device_id, "device_id")
        name = _validate.text(app_name, "app_name", max_length=256)
        version = _validate.dword(api_version, "api_version")
        types: list[int] = []
        for t in request_types:
            if isinstance(t, bool) or not isinstance(t, int):
                raise TypeError(f"request_types must hold ProxyRequestType values, got {t!r}")
            try:
                types.append(int(ProxyRequestType(t)))
            except ValueError:
                raise ValueError(f"request_types: {t!r} is not a LINEPROXYREQUEST_ type") from None
        if not types:
            raise ValueError("request_types must name at least one request type")
        self._lock = threading.RLock()
        self._pending: dict[int, ProxyRequest] = {}
        self._closed = True
        self._device = device
        self._types = tuple(ProxyRequestType(t) for t in dict.fromkeys(types))
        _native.pin()
        app = ffi.new("HLINEAPP *")
        try:
            devices = ffi.new("DWORD *")
            highest = ffi.new("DWORD *", ApiVersion.V3_1)
            params = ffi.new("LINEINITIALIZEEXPARAMS *")
            params.dwTotalSize = ffi.sizeof("LINEINITIALIZEEXPARAMS")
            params.dwOptions = lib.LINEINITIALIZEEXOPTION_USEEVENT
            check(lib.lineInitializeExW(app, ffi.NULL, ffi.NULL, name, devices, highest, params),
                  "lineInitializeExW")
        except BaseException:
            _native.unpin()
            raise
        self._app = int(app[0])
        try:
            size = ffi.sizeof("LINECALLPARAMS") + 4 * len(self._types)
            buf = ffi.new("unsigned char[]", size)
            cp = ffi.cast("LINECALLPARAMS *", buf)
            cp.dwTotalSize = size
            cp.dwDevSpecificSize = 4 * len(self._types)
            cp.dwDevSpecificOffset = ffi.sizeof("LINECALLPARAMS")
            listed = ffi.cast("DWORD *", buf + ffi.sizeof("LINECALLPARAMS"))
            for i, t in enumerate(self._types):
                listed[i] = int(t)
            line = ffi.new("HLINE *")
            check(lib.lineOpenW(self._app, device, line, version, 0, 0,
                                lib.LINECALLPRIVILEGE_NONE | lib.LINEOPENOPTION_PROXY, 0, cp),
                  "lineOpenW")
        except BaseException:
            lib.lineShutdown(self._app)
            _native.unpin()
            raise
        self._line = int(line[0])
        self._closed = False
        log.debug("agent handler: app %d, line %d on device %d for %s", self._app, self._line,
                  device, [t.name for t in self._types])

    # -- properties ------------------------------------------------------------------
    @property
    def device_id(self) -> int:
        return self._device

    @property
    def request_types(self) -> tuple[ProxyRequestType, ...]:
        return self._types

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pending(self) -> int:
        """Requests received and not answered yet."""
        with self._lock:
            return len(self._pending)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"line={self._line}"
        return f"<AgentHandler device={self._device} {state}>"

    def __enter__(self) -> AgentHandler:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- requests --------------------------------------------------------------------
    def next_request(self, timeout: float | timedelta | None = None) -> ProxyRequest | None:
        """The next request, waiting up to ``timeout`` seconds (None: forever);
        None when none arrived in time or the handler was closed."""
        wait = _validate.timeout(timeout, None)
        deadline = None if wait is None else time.monotonic() + wait
        message = ffi.new("LINEMESSAGE *")  # per call: next_request may run in several threads
        while not self._closed:
            if deadline is None:
                slice_ms = _WAIT_SLICE_MS
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                slice_ms = min(_WAIT_SLICE_MS, max(0, int(left * 1000)))
            rc = lib.lineGetMessage(self._app, message, slice_ms)
            if rc == to_long(lib.LINEERR_OPERATIONFAILED):
                continue  # the slice timed out
            if rc < 0:
                if self._closed:
                    return None
                check(rc, "lineGetMessage")
            request = self._dispatch(message[0])
            if request is not None:
                return request
        return None

    def requests(self, timeout: float | timedelta = 1.0) -> Iterator[ProxyRequest]:
        """Yield requests until none arrives within ``timeout`` seconds or the
        handler is closed."""
        while True:
            request = self.next_request(timeout)
            if request is None:
                return
            yield request

    def serve(self, callback: Callable[[ProxyRequest], object], *,
              timeout: float | timedelta = 1.0) -> int:
        """Answer requests with ``callback`` until none arrives within
        ``timeout`` (or the handler closes); returns how many were served.

        The callback's return value is the answer (None for the Set...
        requests); :data:`LATER` if it answers the request itself, later. A
        :class:`TapiError` it raises fails the request with its code (with
        LINEERR_OPERATIONFAILED if that code is not one the client function
        may get); any other exception, or an answer of the wrong type, is
        logged and fails it with LINEERR_OPERATIONFAILED. Nothing a callback
        does stops the loop.
        """
        served = 0
        for request in self.requests(timeout):
            served += 1
            try:
                result = callback(request)
            except Exception as exc:
                self._settle(request, None, exc)
            else:
                self._settle(request, result, None)
        return served

    async def serve_async(
        self, callback: Callable[[ProxyRequest], Awaitable[object]],
    ) -> int:
        """:meth:`serve` for asyncio: each request is handed to the coroutine
        function ``callback`` in a task of the running loop (so requests are
        answered concurrently); its result is the answer, as for
        :meth:`serve`. A thread pumps TAPI's messages. Runs until the handler
        is closed; cancelling it closes the handler (pending requests fail
        for their clients). Returns how many requests were received."""
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        tasks: set[asyncio.Task[None]] = set()
        received = 0

        async def run(request: ProxyRequest) -> None:
            try:
                result = await callback(request)
            except Exception as exc:
                self._settle(request, None, exc)
            else:
                self._settle(request, result, None)

        def start(request: ProxyRequest) -> None:  # in the loop's thread
            nonlocal received
            received += 1
            task = loop.create_task(run(request))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        def stop() -> None:
            if not finished.done():
                finished.set_result(None)

        def pump() -> None:
            try:
                while True:
                    request = self.next_request(float("inf"))
                    if request is None:
                        return
                    loop.call_soon_threadsafe(start, request)
            except RuntimeError:  # the loop was closed under us
                return
            finally:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(stop)

        thread = threading.Thread(target=pump, name="pytapi2-agent-handler", daemon=True)
        thread.start()
        try:
            await finished
        finally:
            self.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.to_thread(thread.join)
        return received

    def _settle(self, request: ProxyRequest, result: object, error: Exception | None) -> None:
        """Answer ``request`` from a callback's outcome unless it answered itself."""
        if error is not None:
            if isinstance(error, TapiError) and error.code is not None:
                self._fail_safely(request, error)
            else:
                log.error("agent handler callback failed on %r", request, exc_info=error)
                self._fail_safely(request, lib.LINEERR_OPERATIONFAILED)
            return
        if result is LATER or request.answered:
            return
        try:
            request._answer_value(result)
        except TapiClosedError:
            return
        except (TypeError, ValueError, TapiError):
            log.exception("agent handler callback gave a bad answer for %r", request)
            self._fail_safely(request, lib.LINEERR_OPERATIONFAILED)

    def _fail_safely(self, request: ProxyRequest, error: TapiError | int) -> None:
        if request.answered or self._closed:
            return
        try:
            request.fail(error)
        except TapiClosedError:
            return
        except TapiError as exc:  # a code the client's function may not get
            log.warning("%r: %s; failing it with LINEERR_OPERATIONFAILED", request, exc)
            with contextlib.suppress(TapiError):
                request.fail(lib.LINEERR_OPERATIONFAILED)

    def _dispatch(self, message: Any) -> ProxyRequest | None:
        msg = int(message.dwMessageID)
        with self._lock:
            if self._closed:
                return None
            if msg == lib.LINE_PROXYREQUEST and int(message.hDevice) == self._line:
                address = ffi.cast("LINEPROXYREQUEST *", message.dwParam1)
                try:
                    request = _decode(self, address)
                except (TapiError, UnicodeDecodeError):
                    log.exception("undecodable LINEPROXYREQUEST: failed for its client")
                    lib.lineProxyResponse(self._line, address, lib.LINEERR_OPERATIONFAILED)
                    return None
                self._pending[id(request)] = request
                return request
            if msg == lib.LINE_CLOSE and int(message.hDevice) == self._line:
                log.warning("agent handler line %d closed by the provider", self._line)
                self._close_locked(provider_closed=True)
                return None
        log.debug("agent handler: message %d ignored", msg)
        return None

    # -- events to clients -------------------------------------------------------------
    def _proxy_message(self, msg: int, p1: int, p2: int, p3: int) -> None:
        with self._lock:
            if self._closed:
                raise TapiClosedError("lineProxyMessage: the agent handler is closed",
                                      function="lineProxyMessage")
            check(lib.lineProxyMessage(self._line, 0, msg, p1, p2, p3), "lineProxyMessage")

    def send_session_event(self, session: int, status: AgentSessionStatus,
                           state: AgentSessionState | None = None) -> None:
        """LINE_AGENTSESSIONSTATUS to the clients (state with STATE)."""
        self._proxy_message(lib.LINE_AGENTSESSIONSTATUS, _validate.dword(session, "session"),
                            _flags(status, AgentSessionStatus, "status"),
                            0 if state is None else _validate.enum_value(
                                state, AgentSessionState, "state"))

    def send_agent_event(self, agent: int, status: AgentStatus,
                         state: AgentState | None = None) -> None:
        """LINE_AGENTSTATUSEX to the clients (state with STATE)."""
        self._proxy_message(lib.LINE_AGENTSTATUSEX, _validate.dword(agent, "agent"),
                            _flags(status, AgentStatus, "status"),
                            0 if state is None else _validate.enum_value(
                                state, AgentState, "state"))

    def send_queue_event(self, queue: int, status: QueueStatus) -> None:
        """LINE_QUEUESTATUS to the clients."""
        self._proxy_message(lib.LINE_QUEUESTATUS, _validate.dword(queue, "queue"),
                            _flags(status, QueueStatus, "status"), 0)

    def send_group_event(self, status: GroupStatus) -> None:
        """LINE_GROUPSTATUS to the clients."""
        self._proxy_message(lib.LINE_GROUPSTATUS, 0, _flags(status, GroupStatus, "status"), 0)

    # -- closing ---------------------------------------------------------------------
    def close(self) -> None:
        """Fail every unanswered request for its client (OPERATIONFAILED, as
        line-proxyrequest.md asks), close the line and shut down (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._close_locked(provider_closed=False)

    def _close_locked(self, *, provider_closed: bool) -> None:
        pending = list(self._pending.values())
        self._pending.clear()
        if not provider_closed:
            for request in pending:
                rc = lib.lineProxyResponse(self._line, request._address,
                                           lib.LINEERR_OPERATIONFAILED)
                if rc < 0:
                    log.warning("lineProxyResponse at close: %s",
                                TapiError.from_code(rc, "lineProxyResponse"))
        for request in pending:
            request._answered = True
        self._closed = True
        if not provider_closed:
            lib.lineClose(self._line)
        rc = lib.lineShutdown(self._app)  # TAPI frees what the provider's close left
        _native.unpin()
        if rc < 0:
            log.warning("lineShutdown: %s", TapiError.from_code(rc, "lineShutdown"))
