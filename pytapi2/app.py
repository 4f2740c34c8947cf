"""TapiApp (lineInitializeExW … lineShutdown) and Line (lineOpenW … lineClose)."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from types import TracebackType
from typing import Any
from uuid import UUID

from pytapi2 import _native, _validate
from pytapi2._convert import uuid_to_guid_bytes
from pytapi2._native import ffi, lib
from pytapi2._requests import Engine, Message, Request, StructType, struct_type
from pytapi2._structs import (
    SESSION_INFO_SIZE,
    AgentCaps,
    Group,
    Queue,
    QueueInfo,
    decode_agent_caps,
    decode_group_list,
    decode_queue_info,
    decode_queue_list,
    decode_session_info,
)
from pytapi2._varsize import MAX_ATTEMPTS, MAX_SIZE
from pytapi2.constants import (
    AgentSessionState,
    AgentSessionStatus,
    AgentState,
    AgentStatus,
    ApiVersion,
    GroupStatus,
    LineMessage,
    QueueStatus,
)
from pytapi2.errors import TapiClosedError, TapiError, TapiProtocolError, check
from pytapi2.events import (
    AgentEvent,
    AgentSessionEvent,
    Event,
    GroupEvent,
    LineClosedEvent,
    LineEvent,
    QueueEvent,
)
from pytapi2.session import Agent, AgentSession, _optional_text, _period

__all__ = ["DEFAULT_TIMEOUT", "Line", "TapiApp"]

log = logging.getLogger("pytapi2")

#: The highest TAPI version pytapi2 supports (lineInitializeExW, lineGetAgentCapsW).
_HIGHEST_VERSION = ApiVersion.V3_1

#: What an out-handle holds before TAPI writes it (see Line._call_for_handle).
_UNWRITTEN = 0xFFFFFFFF

#: TAPI 3 waits two minutes for a reply (TAPI_E_TIMEOUT); so does pytapi2 by default.
DEFAULT_TIMEOUT = 120.0


def _api_version(value: int) -> ApiVersion | int:
    try:
        return ApiVersion(value)
    except ValueError:
        return value


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


_INVALLINEHANDLE = lib.LINEERR_INVALLINEHANDLE - 2**32  # as the negative LONG TapiError.code


class _StructRequest:
    """One variable-size request: submit, wait, grow to dwNeededSize and retry.

    The call made is ``invoke(*args, pointer)``: the C function itself and its
    leading arguments, no closure. ``line`` is the hLine the request belongs to
    (None for app-level requests such as lineGetAgentCapsW).
    """

    __slots__ = ("app", "args", "attempts", "buffer", "extra", "function", "invoke", "line",
                 "request", "size", "struct")

    def __init__(self, app: TapiApp, line: int | None, function: str, struct: StructType,
                 size: int, invoke: Callable[..., int], args: tuple[Any, ...],
                 extra: tuple[Any, ...] = ()) -> None:
        self.app = app
        self.line = line
        self.extra = extra
        self.function = function
        self.struct = struct
        self.size = size
        self.invoke = invoke
        self.args = args
        self.attempts = 0
        self.buffer: Any = None
        self.request: Request | None = None

    @classmethod
    def sized(cls, app: TapiApp, line: int | None, function: str, struct: str, initial: int,
              invoke: Callable[..., int], args: tuple[Any, ...],
              extra: tuple[Any, ...] = ()) -> _StructRequest:
        """A request starting at the size a fitting reply taught, else ``initial``."""
        layout = struct_type(struct)
        size = max(app._size_hints.get(function, initial), layout.size)
        return cls(app, line, function, layout, size, invoke, args, extra)

    def start(self) -> None:
        self.attempts += 1
        buffer, pointer = self.struct.buffer(self.size)
        self.buffer = buffer
        self.request = self.app._engine.submit(
            self.function, self.invoke, (buffer, *self.extra), self.line, (*self.args, pointer))

    def get(self, deadline: float | None) -> bytes:
        """Start, then :meth:`result`."""
        self.start()
        return self.result(deadline)

    def result(self, deadline: float | None) -> bytes:
        engine = self.app._engine
        while True:
            assert self.request is not None
            engine.wait(self.request, _remaining(deadline))
            data: bytes = ffi.buffer(self.buffer, self.size)[:]
            if data[8:12] == b"\0\0\0\0":  # dwUsedSize: TAPI always sets it
                raise engine.premature_reply(self.function, (self.buffer, *self.extra))
            needed = int.from_bytes(data[4:8], "little")
            if needed <= self.size:
                if self.attempts > 1:
                    # Only a reply that fitted teaches the size to start with:
                    # a provider that lied about dwNeededSize must not inflate
                    # every later call.
                    self.app._size_hints[self.function] = self.size
                return data
            self.grow(needed)

    def grow(self, needed: int) -> None:
        """The reply asked for ``needed`` bytes: check the limits, ask again."""
        if needed > MAX_SIZE:
            raise TapiProtocolError(
                f"{self.function}: dwNeededSize {needed} exceeds the {MAX_SIZE}-byte limit",
                function=self.function)
        if self.attempts >= MAX_ATTEMPTS:
            raise TapiProtocolError(
                f"{self.function}: {self.struct.name} still too small after {self.attempts} "
                f"attempts (dwNeededSize {needed})", function=self.function)
        self.size = needed
        try:
            self.start()
        except TapiError as exc:
            # The previous attempt proved the hLine valid, so TAPI refusing it
            # now means the line was closed between the attempts, its LINE_CLOSE
            # not pumped yet. Same outcome as a close during an attempt.
            if self.line is None or exc.code != _INVALLINEHANDLE:
                raise
            raise TapiClosedError(
                f"{self.function}: the line was closed during the call (LINE_CLOSE)",
                function=self.function) from exc


class Line:
    """An open line device (lineOpenW … lineClose); the entry point of agent requests.

    Use as a context manager, or call :meth:`close` (idempotent).
    """

    def __init__(self, app: TapiApp, device_id: int, handle: int, api_version: int) -> None:
        self._app = app
        self._device_id = device_id
        self._handle = handle
        self._api_version = api_version
        self._closed = False
        self._agents: weakref.WeakValueDictionary[int, Agent] = weakref.WeakValueDictionary()
        self._sessions: weakref.WeakValueDictionary[int, AgentSession] = (
            weakref.WeakValueDictionary())
        self._objects_lock = threading.Lock()

    # -- properties ------------------------------------------------------------
    @property
    def app(self) -> TapiApp:
        return self._app

    @property
    def device_id(self) -> int:
        return self._device_id

    @property
    def handle(self) -> int:
        """The hLine."""
        return self._handle

    @property
    def api_version(self) -> ApiVersion | int:
        """The API version negotiated for this line (at least 2.2)."""
        return _api_version(self._api_version)

    @property
    def closed(self) -> bool:
        return self._closed or self._app.closed

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<Line device={self._device_id} handle={self._handle}{state}>"

    def __enter__(self) -> Line:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """lineClose. Pending requests of this line fail with :class:`TapiClosedError`."""
        if self._closed:
            return
        self._closed = True
        if self._app.closed:
            return
        if self._app._engine.close_line(self._handle, "the line was closed"):
            rc = lib.lineClose(self._handle)
            if rc < 0:
                log.warning("lineClose(%d): %s", self._handle, TapiError.from_code(rc, "lineClose"))

    def _mark_closed(self) -> None:
        self._closed = True

    # -- plumbing (used by Agent / AgentSession) ------------------------------------
    def _live_handle(self, function: str) -> int:
        if self._closed or self._app.closed:
            what = "TapiApp" if self._app.closed else "line"
            raise TapiClosedError(f"{function}: the {what} is closed", function=function)
        return self._handle

    def _timeout(self, value: Any) -> float | None:
        return _validate.timeout(value, self._app._timeout)

    def _call(self, function: str, invoke: Callable[..., int], args: tuple[Any, ...],
              keep: tuple[Any, ...], timeout: float | None) -> None:
        """``invoke(hLine, *args)`` and wait for its reply; ``keep`` is the
        memory TAPI uses until then."""
        handle = self._live_handle(function)
        engine = self._app._engine
        engine.wait(engine.submit(function, invoke, keep, handle, (handle, *args)), timeout)

    def _call_for_handle(self, function: str, invoke: Callable[..., int], args: tuple[Any, ...],
                         keep: tuple[Any, ...], timeout: float | None) -> int:
        """:meth:`_call` for a function whose last argument receives a new
        handle: a fresh out-parameter is appended, and its value returned."""
        out = ffi.new("DWORD *", _UNWRITTEN)
        keep = (out, *keep)
        self._call(function, invoke, (*args, out), keep, timeout)
        handle = int(out[0])
        if handle == _UNWRITTEN:
            # No page reserves a handle value (a proxy may hand out 0, or even
            # this one), so the value is returned as given. But it may also be
            # a stray reply that completed the request before TAPI wrote it:
            # the genuine write may still come, so the memory stays alive.
            log.warning("%s: handle %#x equals the unwritten marker; its memory is kept "
                        "until shutdown in case the reply was early", function, handle)
            self._app._engine.retain(keep)
        return handle

    def _struct_request(self, function: str, struct: str, initial: int,
                        invoke: Callable[..., int], args: tuple[Any, ...],
                        extra: tuple[Any, ...] = ()) -> _StructRequest:
        return _StructRequest.sized(self._app, self._handle, function, struct, initial, invoke,
                                    args, extra)

    def _get_struct(self, function: str, struct: str, initial: int,
                    invoke: Callable[..., int], args: tuple[Any, ...],
                    timeout: float | None, extra: tuple[Any, ...] = ()) -> bytes:
        """``invoke(*args, pointer)`` into a structure, growing it as TAPI asks;
        ``extra`` is more memory TAPI reads until the reply (input buffers)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        return self._struct_request(function, struct, initial, invoke, args, extra).get(deadline)

    def _get_fixed(self, function: str, struct: StructType, invoke: Callable[..., int],
                   args: tuple[Any, ...], timeout: float | None) -> bytes:
        """:meth:`_get_struct` for a structure without a variable part, whose
        fixed size is what TAPI needs: a typed buffer, no request object. A
        reply asking for more (dwNeededSize) continues as a :class:`_StructRequest`,
        as do later calls once a size hint was recorded."""
        app = self._app
        if function in app._size_hints:
            return self._get_struct(function, struct.name, struct.size, invoke, args, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        size = struct.size
        buffer = ffi.new(struct.array)
        buffer[0].dwTotalSize = size
        engine = app._engine
        engine.wait(engine.submit(function, invoke, (buffer,), self._handle, (*args, buffer)),
                    timeout, deadline)
        if buffer[0].dwUsedSize == 0:  # TAPI always sets it
            raise engine.premature_reply(function, (buffer,))
        needed = buffer[0].dwNeededSize
        if needed <= size:
            return ffi.buffer(buffer)[:]  # type: ignore[no-any-return]
        call = _StructRequest(app, self._handle, function, struct, size, invoke, args)
        call.attempts = 1
        call.grow(needed)
        return call.result(deadline)

    def _agent(self, handle: int, agent_id: str | None = None, pin: str | None = None) -> Agent:
        with self._objects_lock:
            agent = self._agents.get(handle)
            if agent is None:
                agent = Agent(self, handle, agent_id, pin)
                self._agents[handle] = agent
            return agent

    def _session(self, handle: int, *, agent: Agent | None = None, group: UUID | None = None,
                 address_id: int | None = None) -> AgentSession:
        with self._objects_lock:
            session = self._sessions.get(handle)
            if session is None:
                session = AgentSession(self, handle, agent, group, address_id)
                self._sessions[handle] = session
            else:
                if agent is not None and session._agent is None:
                    session._agent = agent
                if group is not None:
                    session.group = group
                if address_id is not None:
                    session.address_id = address_id
            return session

    def _find_agent_of(self, session: AgentSession) -> None:
        """Fill ``session``'s agent from the session lists of this line's agents.
        Runs from a property: a failed list (line closed, timeout) leaves the
        agent unknown rather than raising there."""
        with self._objects_lock:
            agents = list(self._agents.values())
        for agent in agents:
            if session._agent is not None:
                return
            try:
                agent.list_sessions()
            except TapiError as exc:
                log.debug("session %d: listing %r failed: %s", session.handle, agent, exc)
                return

    # -- agents --------------------------------------------------------------------
    def create_agent(
        self,
        agent_id: str | None = None,
        *,
        pin: str | None = None,
        timeout: float | timedelta | None = None,
    ) -> Agent:
        """Create an agent object for a switch agent ID (lineCreateAgentW).

        ``agent_id`` None lets the provider pick the agent of the logged-on
        user (nf-tapi-linecreateagentw.md). :meth:`Agent.create_session` does
        not resend ``pin``: pass it there too for an ACD wanting it per session.
        """
        id_buffer = _optional_text(agent_id, "agent_id")
        pin_buffer = _optional_text(pin, "pin")
        handle = self._call_for_handle("lineCreateAgentW", lib.lineCreateAgentW,
                                       (id_buffer, pin_buffer), (id_buffer, pin_buffer),
                                       self._timeout(timeout))
        return self._agent(handle, agent_id, pin)

    def session_infos(
        self,
        sessions: Iterable[AgentSession],
        *,
        timeout: float | timedelta | None = None,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """lineGetAgentSessionInfo for many sessions: every request goes out
        first, then the replies are collected. Results are in the order of
        ``sessions``. ``timeout`` bounds the whole batch.

        With ``return_exceptions`` a failed session's entry is its
        :class:`TapiError` instead of raising the first one.
        """
        items = list(sessions)
        for i, session in enumerate(items):
            if not isinstance(session, AgentSession):
                raise TypeError(f"sessions[{i}] must be an AgentSession, "
                                f"got {type(session).__name__}")
            if session._line is not self:
                raise ValueError(f"sessions[{i}] belongs to another line")
        wait = self._timeout(timeout)
        deadline = None if wait is None else time.monotonic() + wait
        handle = self._live_handle("lineGetAgentSessionInfo")
        calls: list[_StructRequest | TapiError] = []
        invoke = lib.lineGetAgentSessionInfo
        for session in items:
            request = self._struct_request(
                "lineGetAgentSessionInfo", "LINEAGENTSESSIONINFO", SESSION_INFO_SIZE,
                invoke, (handle, session._handle))
            try:
                request.start()
            except TapiError as exc:
                if not return_exceptions:
                    raise
                calls.append(exc)
                continue
            calls.append(request)
        results: list[Any] = []
        first_error: TapiError | None = None
        for call in calls:
            if isinstance(call, TapiError):
                results.append(call)
                continue
            try:
                results.append(decode_session_info(call.result(deadline)))
            except TapiError as exc:
                if not return_exceptions and first_error is None:
                    first_error = exc
                results.append(exc)
        if first_error is not None:
            raise first_error
        return results

    # -- groups and queues ---------------------------------------------------------
    def groups(self, *, timeout: float | timedelta | None = None) -> list[Group]:
        """All ACD groups (lineGetGroupListW; TAPI 3: ITACDGroup objects)."""
        wait = self._timeout(timeout)
        handle = self._live_handle("lineGetGroupListW")
        data = self._get_struct("lineGetGroupListW", "LINEAGENTGROUPLIST", 4096,
                                lib.lineGetGroupListW, (handle,), wait)
        return decode_group_list(data)

    def queues(self, group: UUID | Group, *,
               timeout: float | timedelta | None = None) -> list[Queue]:
        """The queues of an ACD group (lineGetQueueListW; needs API version 3.0)."""
        group_id = group.id if isinstance(group, Group) else _validate.uuid(group, "group")
        wait = self._timeout(timeout)
        guid = ffi.new("GUID *")
        ffi.memmove(guid, uuid_to_guid_bytes(group_id), 16)
        handle = self._live_handle("lineGetQueueListW")
        return decode_queue_list(self._get_struct(
            "lineGetQueueListW", "LINEQUEUELIST", 2048, lib.lineGetQueueListW, (handle, guid),
            wait, extra=(guid,)))

    def queue_info(self, queue: int | Queue, *,
                   timeout: float | timedelta | None = None) -> QueueInfo:
        """Statistics of a queue (lineGetQueueInfo; needs API version 3.0)."""
        queue_id = queue.id if isinstance(queue, Queue) else _validate.dword(queue, "queue")
        wait = self._timeout(timeout)
        handle = self._live_handle("lineGetQueueInfo")
        data = self._get_fixed("lineGetQueueInfo", struct_type("LINEQUEUEINFO"),
                               lib.lineGetQueueInfo, (handle, queue_id), wait)
        return decode_queue_info(data)

    def set_queue_measurement_period(
        self, queue: int | Queue, period: float | timedelta, *,
        timeout: float | timedelta | None = None,
    ) -> None:
        """lineSetQueueMeasurementPeriod (whole seconds)."""
        queue_id = queue.id if isinstance(queue, Queue) else _validate.dword(queue, "queue")
        value = _period(period, "period")
        self._call("lineSetQueueMeasurementPeriod", lib.lineSetQueueMeasurementPeriod,
                   (queue_id, value), (), self._timeout(timeout))


class TapiApp:
    """A TAPI application registration (lineInitializeExW with the event mechanism).

    ``timeout`` is the default wait for every reply (TAPI 3's two minutes).
    Use as a context manager, or call :meth:`close` (idempotent): open lines
    are closed and pending requests fail with :class:`TapiClosedError`.
    """

    def __init__(
        self,
        app_name: str = "pytapi2",
        *,
        timeout: float | timedelta = DEFAULT_TIMEOUT,
        event_queue_size: int = 100_000,
    ) -> None:
        name = _validate.text(app_name, "app_name", max_length=256)
        default = _validate.timeout(timeout, DEFAULT_TIMEOUT)
        if isinstance(event_queue_size, bool) or not isinstance(event_queue_size, int):
            raise TypeError("event_queue_size must be an int")
        if event_queue_size < 1:
            raise ValueError(f"event_queue_size must be positive, got {event_queue_size}")
        self._timeout = default
        self._closed = True
        self._size_hints: dict[str, int] = {}
        self._lines: dict[int, Line] = {}
        self._lock = threading.Lock()
        _native.pin()
        try:
            handle = ffi.new("HLINEAPP *")
            devices = ffi.new("DWORD *")
            version = ffi.new("DWORD *", _HIGHEST_VERSION)
            params = ffi.new("LINEINITIALIZEEXPARAMS *")
            params.dwTotalSize = ffi.sizeof("LINEINITIALIZEEXPARAMS")
            params.dwOptions = lib.LINEINITIALIZEEXOPTION_USEEVENT
            check(lib.lineInitializeExW(handle, ffi.NULL, ffi.NULL, name, devices, version,
                                        params), "lineInitializeExW")
        except BaseException:
            _native.unpin()
            raise
        self._handle = int(handle[0])
        self._num_devices = int(devices[0])
        self._api_version = int(version[0])
        self._engine = Engine(self._handle, on_line_close=self._on_line_close,
                              event_queue_size=event_queue_size)
        self._closed = False
        log.debug("lineInitializeExW: app %d, %d devices, API %#x", self._handle,
                  self._num_devices, self._api_version)

    # -- properties ----------------------------------------------------------------
    @property
    def handle(self) -> int:
        """The hLineApp."""
        return self._handle

    @property
    def num_devices(self) -> int:
        return self._num_devices

    @property
    def api_version(self) -> ApiVersion | int:
        """The highest API version TAPI supports (from lineInitializeExW)."""
        return _api_version(self._api_version)

    @property
    def timeout(self) -> float | None:
        """Default reply timeout in seconds (None: wait forever)."""
        return self._timeout

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def lines(self) -> list[Line]:
        """The lines opened by this app and not closed."""
        with self._lock:
            return [line for line in self._lines.values() if not line.closed]

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"handle={self._handle}"
        return f"<TapiApp {state}>"

    def __enter__(self) -> TapiApp:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """lineShutdown: closes every line and fails every pending request."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            lines = list(self._lines.values())
        for line in lines:
            line._mark_closed()
        rc = self._engine.shutdown()
        _native.unpin()
        if rc is not None and rc < 0:
            log.warning("lineShutdown: %s", TapiError.from_code(rc, "lineShutdown"))

    shutdown = close

    def _check_open(self, function: str) -> None:
        if self._closed:
            raise TapiClosedError(f"{function}: the TapiApp is closed", function=function)

    def _on_line_close(self, line_handle: int) -> None:
        # Called by the engine, under its lock, for LINE_CLOSE: no C calls here.
        line = self._lines.get(line_handle)
        if line is not None:
            line._mark_closed()

    # -- lines -----------------------------------------------------------------------
    def negotiate_api_version(
        self, device_id: int, low: ApiVersion | int = ApiVersion.V2_2,
        high: ApiVersion | int = ApiVersion.V3_1,
    ) -> ApiVersion | int:
        """lineNegotiateAPIVersion for a device (synchronous)."""
        device = _validate.dword(device_id, "device_id")
        low_value = _validate.dword(low, "low")
        high_value = _validate.dword(high, "high")
        if low_value > high_value:
            raise ValueError(f"low ({low_value:#x}) must not exceed high ({high_value:#x})")
        self._check_open("lineNegotiateAPIVersion")
        version = ffi.new("DWORD *")
        extension = ffi.new("LINEEXTENSIONID *")
        check(lib.lineNegotiateAPIVersion(self._handle, device, low_value, high_value, version,
                                          extension), "lineNegotiateAPIVersion")
        return _api_version(int(version[0]))

    def open_line(
        self,
        device_id: int,
        *,
        low: ApiVersion | int = ApiVersion.V2_2,
        high: ApiVersion | int = ApiVersion.V3_1,
        privileges: int = lib.LINECALLPRIVILEGE_NONE,
        media_modes: int = lib.LINEMEDIAMODE_INTERACTIVEVOICE,
    ) -> Line:
        """Negotiate an API version in [low, high] (at least 2.2 for agent
        sessions) and open the line (lineOpenW)."""
        device = _validate.dword(device_id, "device_id")
        privileges = _validate.dword(privileges, "privileges")
        media_modes = _validate.dword(media_modes, "media_modes")
        version = int(self.negotiate_api_version(device, low, high))
        out = ffi.new("HLINE *")
        with self._lock:
            self._check_open("lineOpenW")
            check(lib.lineOpenW(self._handle, device, out, version, 0, device, privileges,
                                media_modes, ffi.NULL), "lineOpenW")
            line = Line(self, device, int(out[0]), version)
            self._lines[line.handle] = line
        log.debug("lineOpenW: device %d -> line %d (API %#x)", device, line.handle, version)
        return line

    def agent_caps(self, device_id: int, address_id: int = 0, *,
                   timeout: float | timedelta | None = None) -> AgentCaps:
        """The agent capabilities of an address (lineGetAgentCapsW).

        dwAppAPIVersion is pytapi2's highest supported version (the one given
        to lineInitializeExW), not a negotiated one: nf-tapi-linegetagentcapsw.md
        says it "should not be the value negotiated" for the device.
        """
        device = _validate.dword(device_id, "device_id")
        address = _validate.dword(address_id, "address_id")
        wait = _validate.timeout(timeout, self._timeout)
        version = int(_HIGHEST_VERSION)
        deadline = None if wait is None else time.monotonic() + wait
        call = _StructRequest.sized(
            self, None, "lineGetAgentCapsW", "LINEAGENTCAPS", 1024, lib.lineGetAgentCapsW,
            (self._handle, device, address, version))
        return decode_agent_caps(call.get(deadline))

    # -- events ----------------------------------------------------------------------
    def next_event(self, timeout: float | timedelta | None = None) -> Event | None:
        """The next event, waiting up to ``timeout`` seconds; None (like
        ``queue.Queue.get``) or ``float('inf')`` waits forever. Returns None if
        no event arrived in time or the app is closed."""
        wait = _validate.timeout(timeout, None)
        if self._closed:
            return None
        item = self._engine.next_event(wait)
        return None if item is None else self._to_event(item)

    def events(self, timeout: float | timedelta = 1.0) -> Iterator[Event]:
        """Yield events as they arrive; stop once none arrives within ``timeout``
        seconds (or the app is closed). Pumps TAPI's messages itself, so
        replies for other threads keep flowing while it waits."""
        wait = _validate.timeout(timeout, self._timeout)
        while not self._closed:
            item = self._engine.next_event(wait)
            if item is None:
                return
            yield self._to_event(item)

    def _to_event(self, item: Message) -> Event:
        device, message, _instance, param1, param2, param3 = item
        line = self._lines.get(device)
        if line is not None:
            if message == lib.LINE_AGENTSESSIONSTATUS:
                status = AgentSessionStatus(param2 & 0xFFFFFFFF)
                state = None
                if AgentSessionStatus.STATE in status:
                    try:
                        state = AgentSessionState(param3)
                    except ValueError:
                        log.warning("LINE_AGENTSESSIONSTATUS with unknown state %#x", param3)
                return AgentSessionEvent(line, line._session(param1 & 0xFFFFFFFF), status,
                                         state)
            if message == lib.LINE_AGENTSTATUSEX:
                agent_status = AgentStatus(param2 & 0xFFFFFFFF)
                agent_state = None
                if AgentStatus.STATE in agent_status:
                    try:
                        agent_state = AgentState(param3)
                    except ValueError:
                        log.warning("LINE_AGENTSTATUSEX with unknown state %#x", param3)
                return AgentEvent(line, line._agent(param1 & 0xFFFFFFFF), agent_status,
                                  agent_state)
            if message == lib.LINE_QUEUESTATUS:
                return QueueEvent(line, param1 & 0xFFFFFFFF, QueueStatus(param2 & 0xFFFFFFFF))
            if message == lib.LINE_GROUPSTATUS:
                return GroupEvent(line, GroupStatus(param2 & 0xFFFFFFFF))
            if message == lib.LINE_CLOSE:
                return LineClosedEvent(line)
        try:
            kind: LineMessage | int = LineMessage(message)
        except ValueError:
            kind = message
        return LineEvent(line, kind, device, param1, param2, param3)
