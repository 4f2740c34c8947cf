"""TapiApp (lineInitializeExW … lineShutdown) and Line (lineOpenW … lineClose)."""

from __future__ import annotations

import logging
import threading
import time
import warnings
import weakref
from collections.abc import Iterable
from datetime import timedelta
from types import TracebackType
from typing import Any
from uuid import UUID

from pytapi2 import _native, _validate, events
from pytapi2._convert import uuid_to_guid_bytes
from pytapi2._native import ffi, lib
from pytapi2._requests import Channel, Core
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
    decode_session_infos,
)
from pytapi2.aio import EventStream
from pytapi2.constants import ApiVersion
from pytapi2.errors import TapiClosedError, TapiError, check
from pytapi2.events import Event
from pytapi2.session import Agent, AgentSession, Objects, optional_text, whole_seconds

__all__ = ["DEFAULT_TIMEOUT", "Line", "TapiApp"]

log = logging.getLogger("pytapi2")

#: The highest TAPI version pytapi2 supports (lineInitializeExW, lineGetAgentCapsW).
_HIGHEST_VERSION = ApiVersion.V3_1

#: TAPI 3 waits two minutes for a reply (TAPI_E_TIMEOUT); so does pytapi2 by default.
DEFAULT_TIMEOUT = 120.0


def _api_version(value: int) -> ApiVersion | int:
    try:
        return ApiVersion(value)
    except ValueError:
        return value


class Line:
    """An open line device (lineOpenW … lineClose); the entry point of agent requests.

    Use as a context manager, or call :meth:`close` (idempotent).
    """

    def __init__(self, app: TapiApp, device_id: int, handle: int, api_version: int,
                 channel: Channel) -> None:
        self._app = app
        self._device_id = device_id
        self._handle = handle
        self._api_version = api_version
        self._channel = channel
        #: The agents and sessions of this line, one object per handle.
        self._objects = Objects(self, channel)

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
        """Closed by :meth:`close`, by the provider (LINE_CLOSE) or with the app."""
        return self._channel.closed

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
        channel = self._channel
        if channel.marked_closed:
            return
        channel.mark_closed()
        if self._app.closed:
            return
        if channel.core.close_line(self._handle):
            rc = lib.lineClose(self._handle)
            if rc < 0:
                log.warning("lineClose(%d): %s", self._handle, TapiError.from_code(rc, "lineClose"))

    def _timeout(self, value: Any) -> float | None:
        return _validate.timeout(value, self._channel.timeout)

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
        id_buffer = optional_text(agent_id, "agent_id")
        pin_buffer = optional_text(pin, "pin")
        handle = self._channel.create(lib.PT_OP_CREATE_AGENT, timeout=self._timeout(timeout),
                                      s1=id_buffer, s2=pin_buffer)
        return self._objects.agent(handle, agent_id, pin)

    def session_infos(
        self,
        sessions: Iterable[AgentSession],
        *,
        timeout: float | timedelta | None = None,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """lineGetAgentSessionInfo for many sessions: every request goes out
        first, then the replies are collected (both in one C call each).
        Results are in the order of ``sessions``. ``timeout`` bounds the whole
        batch.

        With ``return_exceptions`` a failed session's entry is its
        :class:`TapiError` instead of raising the first one.
        """
        items = list(sessions)
        handles = []
        for i, session in enumerate(items):
            if not isinstance(session, AgentSession):
                raise TypeError(f"sessions[{i}] must be an AgentSession, "
                                f"got {type(session).__name__}")
            if session.line is not self:
                raise ValueError(f"sessions[{i}] belongs to another line")
            handles.append(session.handle)
        wait = self._timeout(timeout)
        if self.closed:
            raise self._channel.closed_error("lineGetAgentSessionInfo")
        results: list[Any] = []
        first_error: Exception | None = None
        block, clean, size, others = self._channel.many_block(
            lib.PT_OP_SESSION_INFO, SESSION_INFO_SIZE, handles, wait)
        decoded, failed = decode_session_infos(block, clean, size, time.monotonic())
        if not others and not failed:
            return decoded  # all clean and decoded: the common case
        for i, item in enumerate(decoded):
            outcome: Any = item
            if item is None:  # not clean: the request's bytes (a grown reply) or its error
                outcome = others[i]
                if isinstance(outcome, bytes):
                    try:
                        outcome = decode_session_info(outcome)
                    except TapiError as exc:
                        outcome = exc
            if isinstance(outcome, Exception) and not return_exceptions and first_error is None:
                first_error = outcome
            results.append(outcome)
        if first_error is not None:
            raise first_error
        return results

    # -- groups and queues ---------------------------------------------------------
    def groups(self, *, timeout: float | timedelta | None = None) -> list[Group]:
        """All ACD groups (lineGetGroupListW; TAPI 3: ITACDGroup objects)."""
        return decode_group_list(self._channel.get(lib.PT_OP_GROUP_LIST, 4096,
                                                   timeout=self._timeout(timeout)))

    def queues(self, group: UUID | Group, *,
               timeout: float | timedelta | None = None) -> list[Queue]:
        """The queues of an ACD group (lineGetQueueListW; needs API version 3.0)."""
        group_id = group.id if isinstance(group, Group) else _validate.uuid(group, "group")
        wait = self._timeout(timeout)
        guid = ffi.new("GUID *")
        ffi.memmove(guid, uuid_to_guid_bytes(group_id), 16)
        return decode_queue_list(self._channel.get(lib.PT_OP_QUEUE_LIST, 2048, timeout=wait,
                                                   guid=guid))

    def queue_info(self, queue: int | Queue, *,
                   timeout: float | timedelta | None = None) -> QueueInfo:
        """Statistics of a queue (lineGetQueueInfo; needs API version 3.0)."""
        queue_id = queue.id if isinstance(queue, Queue) else _validate.dword(queue, "queue")
        data = self._channel.fixed(lib.PT_OP_QUEUE_INFO, ffi.sizeof("LINEQUEUEINFO"), queue_id,
                                   self._timeout(timeout))
        return decode_queue_info(data)

    def set_queue_measurement_period(
        self, queue: int | Queue, period: float | timedelta, *,
        timeout: float | timedelta | None = None,
    ) -> None:
        """lineSetQueueMeasurementPeriod (whole seconds)."""
        queue_id = queue.id if isinstance(queue, Queue) else _validate.dword(queue, "queue")
        value = whole_seconds(period, "period")
        self._channel.call(lib.PT_OP_SET_QUEUE_PERIOD, queue_id, value,
                           timeout=self._timeout(timeout))


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
        self._lines: dict[int, Line] = {}
        #: The agent/session objects of each open line, by hLine (events).
        self._objects: dict[int, Objects] = {}
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
        try:
            self._core = Core(self._handle, event_queue_size)
        except BaseException:
            lib.lineShutdown(self._handle)
            _native.unpin()
            raise
        #: App-level requests (lineGetAgentCapsW).
        self._channel = Channel(self._core, 0, default)
        self._closed = False
        # Collected without close(): warn and shut down (descriptors, the
        # backend pin). The finalizer holds the core, never the app.
        self._finalizer = weakref.finalize(self, _collected, self._core, self._handle)
        self._finalizer.atexit = False
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
        """Closed by :meth:`close`, or unusable: its handle became invalid,
        or this is a forked child's copy of the parent's app."""
        return self._closed or self._core.closed

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
        self._finalizer.detach()
        for line in lines:
            line._channel.mark_closed()
        rc = self._core.shutdown()
        _native.unpin()
        if rc is not None and rc < 0:
            log.warning("lineShutdown: %s", TapiError.from_code(rc, "lineShutdown"))

    shutdown = close

    def _check_open(self, function: str) -> None:
        if self._closed:
            raise TapiClosedError(f"{function}: the TapiApp is closed", function=function)

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
            hline = int(out[0])
            line = Line(self, device, hline, version, Channel(self._core, hline, self._timeout))
            self._lines[hline] = line
            self._objects[hline] = line._objects
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
        self._check_open("lineGetAgentCapsW")
        return decode_agent_caps(self._channel.get(
            lib.PT_OP_AGENT_CAPS, 1024, device, address, int(_HIGHEST_VERSION), timeout=wait))

    # -- events ----------------------------------------------------------------------
    def next_event(self, timeout: float | timedelta | None = None) -> Event | None:
        """The next event, waiting up to ``timeout`` seconds; None (like
        ``queue.Queue.get``) or ``float('inf')`` waits forever. Returns None if
        no event arrived in time or the app is closed."""
        wait = _validate.timeout(timeout, None)
        if self._closed:
            return None
        item = self._core.next_event(wait)
        return None if item is None else events.translate(item, self._objects)

    def events(self, timeout: float | timedelta = 1.0) -> EventStream:
        """Events as they arrive, for ``for`` or ``async for``
        (:class:`pytapi2.aio.EventStream`); the stream ends once none arrives
        within ``timeout`` seconds (or the app is closed). Waiting pumps
        TAPI's messages, so replies for other threads keep flowing."""
        return EventStream(self, _validate.timeout(timeout, self._timeout))


def _collected(core: Core, handle: int) -> None:
    """A TapiApp was garbage-collected without close(): warn, then shut it
    down so its descriptors and the backend pin are released."""
    warnings.warn(f"unclosed TapiApp (hLineApp {handle}): call close() or use it as a "
                  "context manager", ResourceWarning, stacklevel=2)
    if core.forked:
        _native.unpin()
        return
    core.shutdown()
    _native.unpin()
