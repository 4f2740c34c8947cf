"""The request-reply engine: one mechanism for every asynchronous TAPI call.

Design
------
* **Registration cannot miss a reply.** :meth:`Engine.submit` holds the
  engine lock across the TAPI call *and* the registration of its request
  ID; the dispatcher takes the same lock before matching a LINE_REPLY, so a
  reply pumped by another thread before the call has even returned waits
  until the request is registered.
* **The waiting caller pumps.** There is no pump thread. Of all threads
  waiting (for a reply or for an event), one at a time holds the *pump*
  role and calls lineGetMessage itself, with the engine lock released; the
  others wait on a condition. Each message is dispatched under the lock:
  a LINE_REPLY completes its request (waking its waiter if that is another
  thread), any other message is queued for :meth:`Engine.next_event`. When
  the pumping thread has what it waited for, it leaves the role and wakes
  the others, one of which takes over.
* **Memory handed to TAPI stays referenced** (``keep``) until the request's
  LINE_REPLY arrives, even after its waiter timed out; a late reply is then
  consumed quietly. Requests of a closed line fail at once with
  :class:`TapiClosedError` but keep their memory until the app shuts down.
  Shutdown fails every pending request, calls lineShutdown and only then
  drops the memory.
* **Uncontended fast path.** A thread waiting for its reply while nobody
  pumps takes the pump role at once and pumps until its reply is dispatched
  (:meth:`Engine._pump_for`) without a condition of its own: as the pump
  holder it is the one that dispatches its reply, so nobody has to wake it.
  It is the same protocol as the general loop, minus that bookkeeping:
  threads arriving meanwhile sleep as usual and are woken by their replies or
  by the hand-over when it leaves; close/shutdown are seen within
  ``PUMP_SLICE``; anything unusual (deadline reached, app closed) falls back
  to the general loop, :meth:`Engine._wait_until`.
"""

from __future__ import annotations

import collections
import logging
import math
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from pytapi2._native import ffi, lib
from pytapi2.errors import (
    TapiClosedError,
    TapiError,
    TapiProtocolError,
    TapiTimeoutError,
    error_for,
    to_long,
)

__all__ = ["Engine", "Message", "Request", "StructType", "struct_type"]

log = logging.getLogger("pytapi2")

#: (hDevice, dwMessageID, dwCallbackInstance, dwParam1, dwParam2, dwParam3)
Message = tuple[int, int, int, int, int, int]

_LINE_REPLY = lib.LINE_REPLY
_LINE_CLOSE = lib.LINE_CLOSE
_NO_MESSAGE = to_long(lib.LINEERR_OPERATIONFAILED)  # lineGetMessage timed out
_SHUT_DOWN = to_long(lib.LINEERR_INVALAPPHANDLE)

# Longest single lineGetMessage wait: bounds how long a pumping thread takes
# to notice that its request was failed by lineClose from another thread.
PUMP_SLICE = 0.25
_PUMP_SLICE_MS = math.ceil(PUMP_SLICE * 1000)


def _message_struct() -> struct.Struct:
    """LINEMESSAGE's six fields (DWORDs and DWORD_PTRs, all unsigned) read by one
    unpack from its buffer, in :data:`Message` order; layout from the cdef."""
    ctype = ffi.typeof("LINEMESSAGE")
    names = [name for name, _ in ctype.fields]
    assert names == ["hDevice", "dwMessageID", "dwCallbackInstance", "dwParam1", "dwParam2",
                     "dwParam3"], names
    fmt, position = "=", 0
    for _, field in ctype.fields:
        size = ffi.sizeof(field.type)
        fmt += "x" * (field.offset - position) + {4: "I", 8: "Q"}[size]
        position = field.offset + size
    return struct.Struct(fmt + "x" * (ffi.sizeof(ctype) - position))


_MESSAGE = _message_struct()


class StructType:
    """What buffers of one TAPI structure need, computed once per type."""

    __slots__ = ("array", "name", "pointer", "size")

    def __init__(self, name: str) -> None:
        self.name = name
        #: sizeof the fixed part.
        self.size: int = ffi.sizeof(name)
        #: A one-element array: ffi.sizeof(buffer) is the struct's size, and it
        #: passes as the struct pointer.
        self.array = ffi.typeof(name + "[1]")
        self.pointer = ffi.typeof(name + " *")

    def buffer(self, size: int) -> tuple[Any, Any]:
        """A zeroed buffer of ``size`` bytes with dwTotalSize set: (owner, struct pointer)."""
        if size == self.size:
            owner = ffi.new(self.array)
            owner[0].dwTotalSize = size
            return owner, owner
        owner = ffi.new("char[]", size)
        pointer = ffi.cast(self.pointer, owner)
        pointer.dwTotalSize = size
        return owner, pointer


_STRUCTS: dict[str, StructType] = {}


def struct_type(name: str) -> StructType:
    struct = _STRUCTS.get(name)
    if struct is None:
        struct = _STRUCTS[name] = StructType(name)
    return struct


class Request:
    """One outstanding asynchronous call."""

    __slots__ = ("abandoned", "done", "error", "function", "id", "keep", "line", "result",
                 "waiter")

    def __init__(self, request_id: int, function: str, keep: tuple[Any, ...], line: int | None):
        self.id = request_id
        self.function = function
        #: Memory TAPI may write into until the reply: released on reply or shutdown.
        self.keep: tuple[Any, ...] | None = keep
        #: hLine the request was made on (None for app-level requests).
        self.line = line
        self.done = False
        #: 0 or a negative LINEERR, once done by a LINE_REPLY.
        self.result = 0
        #: Set instead of result when the request failed without a reply.
        self.error: TapiError | None = None
        #: The waiter gave up (timeout / line closed): consume the reply quietly.
        self.abandoned = False
        #: The condition its waiting thread sleeps on (woken by the reply alone).
        self.waiter: threading.Condition | None = None

    def __repr__(self) -> str:
        return f"<Request {self.id} {self.function} done={self.done}>"


class Engine:
    """Requests and messages of one TAPI app (one hLineApp)."""

    def __init__(
        self,
        app_handle: int,
        *,
        on_line_close: Callable[[int], None] | None = None,
        event_queue_size: int = 100_000,
    ) -> None:
        self.app_handle = app_handle
        self._lock = threading.Lock()
        self._pending: dict[int, Request] = {}
        # Memory of requests whose waiters were failed by lineClose, or whose
        # IDs were reused: kept until shutdown (TAPI might still write it).
        self._graveyard: list[tuple[Any, ...]] = []
        self._events: collections.deque[Message] = collections.deque()
        self._event_queue_size = event_queue_size
        self._dropped_events = 0
        self._pumping = False
        # Threads waiting without the pump role, each on its own condition (all
        # bound to the engine lock) so a reply wakes only its own waiter; a dict
        # used as an ordered set.
        self._sleepers: dict[threading.Condition, None] = {}
        self._event_waiters: set[threading.Condition] = set()
        self._local = threading.local()
        self._closed = False
        self._closed_lines: set[int] = set()
        self._on_line_close = on_line_close
        self._message = ffi.new("LINEMESSAGE *")
        self._message_buffer = ffi.buffer(self._message)

    # -- state ---------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def pending_count(self) -> int:
        with self._lock:
            return len(self._pending)

    # -- submitting ------------------------------------------------------------
    def submit(
        self,
        function: str,
        invoke: Callable[..., int],
        keep: tuple[Any, ...],
        line: int | None = None,
        args: tuple[Any, ...] = (),
    ) -> Request:
        """Make an asynchronous TAPI call and register its request ID.

        ``invoke(*args)`` performs the C call and returns its LONG (``args``
        lets callers pass the C function itself, with no closure); ``keep`` is
        the memory TAPI may write until the reply. Raises the typed error if
        the call fails at once.
        """
        with self._lock:
            if self._closed or (line is not None and line in self._closed_lines):
                self._check_open(function, line)
            rc = invoke(*args)
            if rc < 0:
                raise error_for(rc, function)
            request = Request(rc, function, keep, line)
            if rc == 0:
                # Completed synchronously (not expected of TAPI, but harmless).
                request.done = True
                request.keep = None
                return request
            previous = self._pending.get(rc)
            if previous is not None:
                log.warning("TAPI reused request ID %d of %s still awaiting its reply",
                            rc, previous.function)
                if previous.keep is not None:
                    self._graveyard.append(previous.keep)
                if not previous.abandoned and not previous.done:
                    previous.error = TapiError(
                        f"{previous.function}: TAPI reused request ID {rc} before replying",
                        function=previous.function)
                    previous.done = True
                    if previous.waiter is not None:
                        previous.waiter.notify()
            self._pending[rc] = request
            return request

    def _check_open(self, function: str, line: int | None) -> None:
        if self._closed:
            raise TapiClosedError(f"{function}: the TapiApp is closed", function=function)
        if line is not None and line in self._closed_lines:
            raise TapiClosedError(f"{function}: the line is closed", function=function)

    def retain(self, keep: tuple[Any, ...]) -> None:
        """Keep ``keep`` referenced until shutdown: TAPI may still write it."""
        with self._lock:
            if not self._closed:
                self._graveyard.append(keep)

    def premature_reply(self, function: str, keep: tuple[Any, ...]) -> TapiProtocolError:
        """The error for a LINE_REPLY that reported success before TAPI had
        written the output (dwUsedSize 0): a stray or duplicated reply ID
        completed the request early. The genuine reply may still write into
        ``keep``, so that memory is kept until shutdown."""
        self.retain(keep)
        log.warning("%s: success reply before TAPI wrote the result; memory kept until shutdown",
                    function)
        return TapiProtocolError(
            f"{function}: the LINE_REPLY reported success but TAPI had not written the result "
            "(a stray or early reply)", function=function)

    # -- waiting -----------------------------------------------------------------
    def wait(self, request: Request, timeout: float | None,
             deadline: float | None = None) -> None:
        """Wait for a request's reply; raise its typed error or a timeout.

        ``deadline``: the ``time.monotonic()`` deadline of ``timeout`` if the
        caller already has it (then ``timeout`` only names it in the error).
        """
        if not request.done:
            if deadline is None and timeout is not None:
                deadline = time.monotonic() + timeout
            with self._lock:
                if not (self._pumping or self._closed):
                    self._pump_for(request, deadline)
                if not request.done and not self._wait_until(lambda: request.done, deadline,
                                                             request=request):
                    request.abandoned = True
                    raise TapiTimeoutError(
                        f"{request.function}: no reply within {timeout:g} s "
                        f"(request {request.id})",
                        function=request.function,
                    )
        if request.error is not None:
            raise request.error
        if request.result < 0:
            raise error_for(request.result, request.function)

    def _pump_for(self, request: Request, deadline: float | None) -> None:
        """The uncontended fast path of :meth:`wait`: with the lock held and
        nobody pumping, take the pump role and pump until ``request`` is done.

        Returns early (request not done) at the deadline or once the app is
        closed: the caller then falls back to :meth:`_wait_until`, which
        times out or reports the outcome. A zero timeout's single poll is left
        to that loop too.
        """
        lock = self._lock
        handle = self.app_handle
        message = self._message
        unpack = _MESSAGE.unpack_from
        buffer = self._message_buffer
        self._pumping = True
        try:
            while not request.done:
                if deadline is None:
                    ms = _PUMP_SLICE_MS
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return
                    ms = (_PUMP_SLICE_MS if remaining >= PUMP_SLICE
                          else math.ceil(remaining * 1000))
                lock.release()
                try:
                    rc = lib.lineGetMessage(handle, message, ms)
                    if rc == 0:
                        item: Message = unpack(buffer)
                finally:
                    lock.acquire()
                if rc == 0:
                    self._dispatch(item)
                elif rc != _NO_MESSAGE:
                    self._pump_failed(rc, ms / 1000)
                if self._closed:
                    return
        finally:
            self._pumping = False
            if self._sleepers:
                # Hand the pump role over to one sleeping thread.
                next(iter(self._sleepers)).notify()

    def next_event(self, timeout: float | None) -> Message | None:
        """The next queued non-reply message, pumping up to ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            ready = self._wait_until(lambda: bool(self._events) or self._closed, deadline,
                                     events=True)
            if ready and self._events:
                return self._events.popleft()
            return None

    def _own_condition(self) -> threading.Condition:
        cond: threading.Condition | None = getattr(self._local, "cond", None)
        if cond is None:
            cond = self._local.cond = threading.Condition(self._lock)
        return cond

    def _wait_until(self, ready: Callable[[], bool], deadline: float | None, *,
                    request: Request | None = None, events: bool = False) -> bool:
        """With the lock held: pump or sleep until ``ready()`` or the deadline.

        Sleepers are woken individually: by their own reply, by a queued event
        (event waiters), by the pumping thread handing over its role when it
        leaves, or by close/shutdown.
        """
        cond = self._own_condition()
        if request is not None:
            request.waiter = cond
        if events:
            self._event_waiters.add(cond)
        first = True  # a zero timeout still fetches what is already queued
        try:
            while not ready():
                remaining = math.inf if deadline is None else deadline - time.monotonic()
                if self._closed:
                    return ready()
                if remaining <= 0 and not (first and not self._pumping):
                    return False
                first = False
                if self._pumping:
                    self._sleepers[cond] = None
                    try:
                        cond.wait(None if remaining == math.inf else remaining)
                    finally:
                        self._sleepers.pop(cond, None)
                    continue
                self._pumping = True
                try:
                    self._pump_once(max(0.0, min(remaining, PUMP_SLICE)))
                finally:
                    self._pumping = False
            return True
        finally:
            if request is not None:
                request.waiter = None
            if events:
                self._event_waiters.discard(cond)
            if not self._pumping and self._sleepers:
                # Hand the pump role over to one sleeping thread.
                next(iter(self._sleepers)).notify()

    def _pump_once(self, timeout: float) -> None:
        """With the lock held and the pump role taken: fetch and dispatch one message."""
        message = self._message
        handle = self.app_handle
        ms = max(0, math.ceil(timeout * 1000))
        self._lock.release()
        try:
            rc = lib.lineGetMessage(handle, message, ms)
            if rc == 0:
                item: Message = _MESSAGE.unpack_from(self._message_buffer)
        finally:
            self._lock.acquire()
        if rc == 0:
            self._dispatch(item)
        elif rc != _NO_MESSAGE:
            self._pump_failed(rc, timeout)

    def _pump_failed(self, rc: int, timeout: float) -> None:
        """With the lock held: lineGetMessage returned an error other than a timeout."""
        if rc == _SHUT_DOWN:
            if not self._closed:
                log.error("lineGetMessage: the app handle became invalid; failing all requests")
                self._fail_all("the TAPI app handle became invalid (LINEERR_INVALAPPHANDLE)")
        else:
            log.error("lineGetMessage failed: %s", error_for(rc, "lineGetMessage"))
            # Do not spin: give other threads a chance before the next attempt.
            self._own_condition().wait(min(timeout, 0.01))

    # -- dispatching -----------------------------------------------------------
    def _dispatch(self, item: Message) -> None:
        """With the lock held: route one message."""
        message_id = item[1]
        if message_id == _LINE_REPLY:
            request_id = item[3] & 0xFFFFFFFF
            request = self._pending.pop(request_id, None)
            if request is None:
                log.warning("LINE_REPLY for unknown request ID %d ignored", request_id)
                return
            request.keep = None  # TAPI is done with the memory; the waiter holds its own refs
            if request.abandoned or request.done:
                log.debug("late LINE_REPLY for %s request %d consumed", request.function,
                          request_id)
                return
            result = item[4] & 0xFFFFFFFF  # to_long, inlined: the LONG of a DWORD_PTR
            request.result = result - 0x1_0000_0000 if result & 0x8000_0000 else result
            request.done = True
            if request.waiter is not None:
                request.waiter.notify()
            return
        if message_id == _LINE_CLOSE:
            self._close_line_locked(item[0], "the provider closed the line (LINE_CLOSE)")
            if self._on_line_close is not None:
                try:
                    self._on_line_close(item[0])
                except Exception:
                    log.exception("LINE_CLOSE handler failed")
        if len(self._events) >= self._event_queue_size:
            self._events.popleft()
            self._dropped_events += 1
            if self._dropped_events == 1 or self._dropped_events % 1000 == 0:
                log.warning("event queue full (%d): %d oldest events dropped; "
                            "call TapiApp.events() more often", self._event_queue_size,
                            self._dropped_events)
        self._events.append(item)
        for cond in self._event_waiters:
            cond.notify()

    # -- closing -----------------------------------------------------------------
    def close_line(self, line: int, reason: str) -> bool:
        """Mark a line closed and fail its waiters. False if it already was."""
        with self._lock:
            return self._close_line_locked(line, reason)

    def _close_line_locked(self, line: int, reason: str) -> bool:
        if line in self._closed_lines:
            return False
        self._closed_lines.add(line)
        for request in self._pending.values():
            if request.line == line and not request.done:
                request.error = TapiClosedError(
                    f"{request.function}: {reason} while waiting for the reply "
                    f"(request {request.id})", function=request.function)
                request.done = True
                request.abandoned = True
        self._wake_all()
        return True

    def _wake_all(self) -> None:
        for cond in self._sleepers:
            cond.notify()

    def _fail_all(self, reason: str) -> None:
        self._closed = True
        for request in self._pending.values():
            if not request.done:
                request.error = TapiClosedError(
                    f"{request.function}: {reason} while waiting for the reply "
                    f"(request {request.id})", function=request.function)
                request.done = True
                request.abandoned = True
        self._wake_all()

    def shutdown(self) -> int | None:
        """Fail every pending request, call lineShutdown, then drop the memory.

        Idempotent; returns lineShutdown's result (None if already shut down).
        """
        with self._lock:
            if self._closed and self.app_handle == 0:
                return None
            self._fail_all("the TapiApp was shut down")
            handle, self.app_handle = self.app_handle, 0
        # Outside the lock: lineShutdown wakes a thread blocked in lineGetMessage.
        rc = int(lib.lineShutdown(handle)) if handle else None
        with self._lock:
            pending = len(self._pending)
            self._pending.clear()
            self._graveyard.clear()
            self._events.clear()
            self._wake_all()
        if pending:
            log.debug("lineShutdown cancelled %d pending requests", pending)
        return rc
