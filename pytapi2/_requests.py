"""The Python side of the C request core (``pytapi2/_core/pt_core.c``).

Every asynchronous TAPI request takes one road: one C call issues it and
records its C-owned reply buffer (nothing in Python can come between the two),
the caller then waits in C -- pumping lineGetMessage with the GIL released,
one pumper at a time, replies of other threads dispatched to them, events
queued in C -- and decodes the buffer the core hands back.

A request is a ``pt_req`` allocated by the core through cffi's
``new_allocator``: Python holds one reference, released by cffi when the
object is collected. A caller that stops waiting (timeout, Ctrl-C, any
exception) merely drops it; the core keeps the memory until its LINE_REPLY
or the app's shutdown, so TAPI never writes into freed memory.

Waits return to Python at least every :data:`SLICE` seconds, so signal
handlers (Ctrl-C) run promptly.

:class:`Core` is one app's core; :class:`Channel` is what a line's objects
(and the app, for app-level requests) make their calls through: the handle,
the default timeout and the closed state, with the deadline computed once.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import Any

from pytapi2._native import ffi, lib
from pytapi2.errors import (
    TapiClosedError,
    TapiError,
    TapiProtocolError,
    TapiTimeoutError,
    error_for,
)

__all__ = ["SLICE", "Channel", "Core", "Message"]

log = logging.getLogger("pytapi2")

#: (hDevice, dwMessageID, dwCallbackInstance, dwParam1, dwParam2, dwParam3)
Message = tuple[int, int, int, int, int, int]

#: Finished requests kept per app for reuse.
_POOL_SIZE = 32

#: Longest wait inside C before Python runs again (signal handlers: Ctrl-C).
SLICE = 0.2
_SLICE_MS = 200

_new_req = ffi.new_allocator(lib.pt_req_alloc, lib.pt_req_free, should_clear_after_alloc=False)
_REQ = ffi.typeof("pt_req *")
_new_reqs = ffi.new_allocator(lib.pt_reqs_alloc, lib.pt_reqs_free,
                              should_clear_after_alloc=False)
_REQS = ffi.typeof("pt_req *[]")
_PENDING = lib.PT_PENDING
_DONE = lib.PT_DONE
_CLEAN = lib.PT_CLEAN
_unpack = ffi.unpack
# Batch blocks: filled (or zeroed) entirely by pt_copy_clean.
_new_bytes = ffi.new_allocator(should_clear_after_alloc=False)
_CHARS = ffi.typeof("char[]")
_UCHARS = ffi.typeof("unsigned char[]")
_buffer = ffi.buffer
_INVALLINEHANDLE = lib.LINEERR_INVALLINEHANDLE - 2**32  # as the LONG in pt_req.result

_monotonic = time.monotonic

#: Names of the core's requests, for errors.
FUNCTIONS = {
    lib.PT_OP_SESSION_INFO: "lineGetAgentSessionInfo",
    lib.PT_OP_AGENT_INFO: "lineGetAgentInfo",
    lib.PT_OP_QUEUE_INFO: "lineGetQueueInfo",
    lib.PT_OP_SESSION_LIST: "lineGetAgentSessionList",
    lib.PT_OP_GROUP_LIST: "lineGetGroupListW",
    lib.PT_OP_QUEUE_LIST: "lineGetQueueListW",
    lib.PT_OP_AGENT_CAPS: "lineGetAgentCapsW",
    lib.PT_OP_CREATE_AGENT: "lineCreateAgentW",
    lib.PT_OP_CREATE_SESSION: "lineCreateAgentSessionW",
    lib.PT_OP_SET_SESSION_STATE: "lineSetAgentSessionState",
    lib.PT_OP_SET_AGENT_STATE: "lineSetAgentStateEx",
    lib.PT_OP_SET_AGENT_PERIOD: "lineSetAgentMeasurementPeriod",
    lib.PT_OP_SET_QUEUE_PERIOD: "lineSetQueueMeasurementPeriod",
}


def _slice_ms(deadline: float | None) -> int:
    """Milliseconds to wait in C now: a slice, or what is left of the deadline."""
    if deadline is None:
        return _SLICE_MS
    remaining = deadline - _monotonic()
    if remaining >= SLICE:
        return _SLICE_MS
    return max(0, math.ceil(remaining * 1000))


def _first_ms(timeout: float | None) -> int:
    if timeout is None or timeout >= SLICE:
        return _SLICE_MS
    return math.ceil(timeout * 1000)


class Core:
    """One app's request core: requests, the message pump and the event queue."""

    __slots__ = ("__weakref__", "_dropped", "_late", "_stray", "app_handle", "pool", "ptr",
                 "size_hints")

    def __init__(self, app_handle: int, event_queue_size: int) -> None:
        ptr = lib.pt_core_new(app_handle, event_queue_size)
        if ptr == ffi.NULL:
            raise MemoryError("pytapi2: cannot allocate the request core")
        self.ptr = ffi.gc(ptr, lib.pt_core_release)
        self.app_handle = app_handle
        #: Sizes that fitted after dwNeededSize retries, by TAPI function.
        self.size_hints: dict[str, int] = {}
        self._dropped = self._stray = self._late = 0
        #: Finished requests for reuse by fixed-size calls: allocating one goes
        #: through C twice (allocator and destructor), each releasing the GIL.
        #: A request is put back only after its reply was copied out; one
        #: dropped on the way (an exception) is simply freed.
        self.pool: list[Any] = []

    # -- state ---------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return bool(lib.pt_core_closed_reason(self.ptr)) or self.forked

    @property
    def forked(self) -> bool:
        return bool(lib.pt_core_forked(self.ptr))

    def pending_count(self) -> int:
        """Requests issued and not yet replied to (TAPI may still write their memory)."""
        return int(lib.pt_pending_count(self.ptr))

    def retained_count(self) -> int:
        """Requests whose memory is kept until shutdown (suspicious or reused replies)."""
        return int(lib.pt_retained_count(self.ptr))

    @property
    def pumping(self) -> bool:
        return bool(lib.pt_pumping(self.ptr))

    def sleeper_count(self) -> int:
        return int(lib.pt_sleeper_count(self.ptr))

    @staticmethod
    def live_requests() -> int:
        """Requests allocated and not freed, in the whole process (leak checks)."""
        return int(lib.pt_live_requests())

    def requests_in_use(self) -> int:
        """:meth:`live_requests` minus this app's pool of reusable ones."""
        return int(lib.pt_live_requests()) - len(self.pool)

    def stray_replies(self) -> int:
        """LINE_REPLY messages for no known request (ignored)."""
        return int(lib.pt_stray_replies(self.ptr))

    def late_replies(self) -> int:
        """Replies consumed after their caller stopped waiting."""
        return int(lib.pt_late_replies(self.ptr))

    def log_news(self) -> None:
        """Log what the core counted since the last look: dropped events,
        unknown and late replies (checked when events are read, off the
        request fast path)."""
        dropped = int(lib.pt_dropped_events(self.ptr))
        if dropped != self._dropped:
            self._dropped = dropped
            log.warning("event queue full: %d oldest events dropped so far; "
                        "call TapiApp.events() more often", dropped)
        stray = self.stray_replies()
        if stray != self._stray:
            self._stray = stray
            log.warning("LINE_REPLY for unknown request ID %d ignored (%d so far)",
                        lib.pt_last_stray(self.ptr), stray)
        late = self.late_replies()
        if late != self._late:
            log.debug("%d late LINE_REPLY consumed (caller no longer waiting)", late - self._late)
            self._late = late

    # -- requests --------------------------------------------------------------
    def new_request(self) -> Any:
        return _new_req(_REQ)

    def issue(self, req: Any, op: int, line: int, a: int = 0, b: int = 0, c: int = 0,
              s1: Any = ffi.NULL, s2: Any = ffi.NULL, guid: Any = ffi.NULL,
              size: int = 0) -> int:
        return int(lib.pt_issue(self.ptr, req, op, line, a, b, c, s1, s2, guid, size))

    def wait(self, req: Any, status: int, timeout: float | None,
             deadline: float | None) -> None:
        """Wait (in slices) until ``req`` is over; raise what its outcome means."""
        ptr = self.ptr
        wait = lib.pt_wait
        while status == _PENDING:
            ms = _slice_ms(deadline)
            if ms == 0:
                break
            status = wait(ptr, req, ms)
        if status != _DONE or req.result < 0:
            raise self.error(req, status, FUNCTIONS.get(req.op, "TAPI request"), timeout)

    def error(self, req: Any, status: int, function: str, timeout: float | None) -> Exception:
        """The exception for a request that did not succeed."""
        request = int(req.request_id)
        if status == _DONE:
            error = error_for(int(req.result), function)
            if (req.attempts > 1 and req.result == _INVALLINEHANDLE
                    and req.op != lib.PT_OP_AGENT_CAPS):
                # The core's retry (a bigger buffer) was refused with the hLine
                # the first attempt proved valid: the line closed between the
                # attempts, its LINE_CLOSE not pumped yet.
                closed = TapiClosedError(
                    f"{function}: the line was closed during the call (LINE_CLOSE)",
                    function=function)
                closed.__cause__ = error
                return closed
            return error
        if status == _PENDING:
            return TapiTimeoutError(
                f"{function}: no reply within {timeout or 0:g} s (request {request})",
                function=function)
        if status == lib.PT_CLOSED:
            if not request:
                return TapiClosedError(f"{function}: the line is closed", function=function)
            return TapiClosedError(
                f"{function}: the line was closed while waiting for the reply "
                f"(request {request})", function=function)
        if status == lib.PT_PROVIDER_CLOSED:
            return TapiClosedError(
                f"{function}: the provider closed the line (LINE_CLOSE) while waiting for the "
                f"reply (request {request})", function=function)
        if status == lib.PT_SHUTDOWN:
            reason = lib.pt_core_closed_reason(self.ptr)
            if reason == lib.PT_REASON_INVALAPPHANDLE:
                what = "the TAPI app handle became invalid (LINEERR_INVALAPPHANDLE)"
            elif not request:
                return TapiClosedError(f"{function}: the TapiApp is closed", function=function)
            else:
                what = "the TapiApp was shut down"
            return TapiClosedError(f"{function}: {what} while waiting for the reply "
                                   f"(request {request})", function=function)
        if status == lib.PT_REUSED:
            return TapiError(f"{function}: TAPI reused request ID {request} before replying",
                             function=function)
        if status == lib.PT_TOOBIG:
            return TapiProtocolError(
                f"{function}: dwNeededSize {req.needed} exceeds the {lib.PT_MAX_SIZE}-byte limit",
                function=function)
        if status == lib.PT_TOOMANY:
            return TapiProtocolError(
                f"{function}: the structure is still too small after {req.attempts} "
                f"attempts (dwNeededSize {req.needed})", function=function)
        if status == lib.PT_FORKED:
            return TapiClosedError(
                f"{function}: this TapiApp belongs to the parent process (fork); "
                "create a new TapiApp in the child", function=function)
        if status == lib.PT_NOMEM:
            return MemoryError(f"{function}: out of memory for the request")
        return TapiError(f"{function}: unexpected request status {status}", function=function)

    def premature(self, function: str) -> TapiProtocolError:
        log.warning("%s: success reply before TAPI wrote the result; memory kept until shutdown",
                    function)
        return TapiProtocolError(
            f"{function}: the LINE_REPLY reported success but TAPI had not written the result "
            "(a stray or early reply)", function=function)

    # -- events ------------------------------------------------------------------
    def next_event(self, timeout: float | None) -> Message | None:
        """The next queued non-reply message, pumping up to ``timeout`` seconds."""
        deadline = None if timeout is None else _monotonic() + timeout
        message = ffi.new("LINEMESSAGE *")
        ptr = self.ptr
        ms = _first_ms(timeout)
        while True:
            got = lib.pt_next_event(ptr, message, ms)
            if got:
                break
            ms = _slice_ms(deadline)
            if ms == 0:
                break
        self.log_news()
        if got != 1:
            return None
        return (int(message.hDevice), int(message.dwMessageID), int(message.dwCallbackInstance),
                int(message.dwParam1), int(message.dwParam2), int(message.dwParam3))

    # -- closing -----------------------------------------------------------------
    def close_line(self, line: int) -> bool:
        """Mark a line closed and fail its waiters. False if it already was."""
        return bool(lib.pt_close_line(self.ptr, line) == 1)

    def line_closed(self, line: int) -> bool:
        return bool(lib.pt_line_closed(self.ptr, line))

    def shutdown(self) -> int | None:
        """Fail every waiter, lineShutdown, release every buffer. Idempotent;
        lineShutdown's result (None if it was not called)."""
        called = ffi.new("int *")
        rc = int(lib.pt_shutdown(self.ptr, called))
        self.pool.clear()
        return rc if called[0] else None


class Channel:
    """The calls of one line's objects (or of the app, ``line`` 0): handle,
    default timeout and closed state in one place."""

    __slots__ = ("_closed", "core", "line", "timeout")

    def __init__(self, core: Core, line: int, timeout: float | None) -> None:
        self.core = core
        #: The hLine (0 for app-level requests).
        self.line = line
        #: The default reply timeout (seconds, None: forever).
        self.timeout = timeout
        self._closed = False

    @property
    def closed(self) -> bool:
        """Closed here, by the provider (LINE_CLOSE), or with the app."""
        return self._closed or self.core.line_closed(self.line)

    @property
    def marked_closed(self) -> bool:
        """Closed by the owner (lineClose already made or not needed)."""
        return self._closed

    def mark_closed(self) -> None:
        self._closed = True

    def closed_error(self, function: str) -> TapiClosedError:
        what = "TapiApp" if self.core.closed else "line"
        return TapiClosedError(f"{function}: the {what} is closed", function=function)

    def _deadline(self, timeout: float | None) -> float | None:
        return None if timeout is None else _monotonic() + timeout

    def call(self, op: int, a: int = 0, b: int = 0, c: int = 0, *,
             timeout: float | None, s1: Any = ffi.NULL, s2: Any = ffi.NULL,
             guid: Any = ffi.NULL) -> Any:
        """One request without a structure; returns the finished pt_req."""
        deadline = self._deadline(timeout)
        core = self.core
        req = _new_req(_REQ)
        status = lib.pt_issue(core.ptr, req, op, self.line, a, b, c, s1, s2, guid, 0)
        core.wait(req, status, timeout, deadline)
        return req

    def create(self, op: int, a: int = 0, b: int = 0, *, timeout: float | None,
               s1: Any = ffi.NULL, s2: Any = ffi.NULL, guid: Any = ffi.NULL) -> int:
        """A request whose reply brings a new handle (lineCreateAgent*)."""
        req = self.call(op, a, b, timeout=timeout, s1=s1, s2=s2, guid=guid)
        handle = int(req.handle)
        if req.suspicious:
            # No page reserves a handle value, so it is returned as given; the
            # core keeps the request's memory until shutdown in case this was
            # a stray reply and the genuine write is still to come.
            log.warning("%s: handle %#x equals the unwritten marker; its memory is kept "
                        "until shutdown in case the reply was early", FUNCTIONS[op], handle)
        return handle

    def get(self, op: int, initial: int, a: int = 0, b: int = 0, c: int = 0, *,
            timeout: float | None, guid: Any = ffi.NULL) -> bytes:
        """A request filling a structure (grown by the core as TAPI asks):
        the bytes of the structure TAPI filled."""
        deadline = self._deadline(timeout)
        core = self.core
        function = FUNCTIONS[op]
        size = core.size_hints.get(function, initial)
        req = _new_req(_REQ)
        status = lib.pt_issue(core.ptr, req, op, self.line, a, b, c, ffi.NULL, ffi.NULL, guid,
                              size)
        core.wait(req, status, timeout, deadline)
        return self._result(req, function)

    def fixed(self, op: int, size: int, a: int, timeout: float | None) -> bytes:
        """:meth:`get` for a fixed-size structure: the request and its first
        wait are one C call."""
        core = self.core
        pool = core.pool
        req = pool.pop() if pool else _new_req(_REQ)
        ms = _SLICE_MS if timeout is None or timeout >= SLICE else math.ceil(timeout * 1000)
        hint = core.size_hints.get(FUNCTIONS[op]) if core.size_hints else None
        size = hint or size
        status = lib.pt_call(core.ptr, req, op, self.line, a, 0, 0, size, ms)
        if status == _CLEAN:
            # Copied while ``req`` (the owner of the memory) is alive; a clean
            # reply used the size it was given.
            data: bytes = _unpack(req.buffer, size)
            if len(pool) < _POOL_SIZE:
                pool.append(req)
            return data
        # The first slice (ms) has passed if still pending: the deadline counts it.
        deadline = None if timeout is None else _monotonic() + timeout - ms / 1000
        if status != _DONE or req.result:
            core.wait(req, status, timeout, deadline)
        return self._result(req, FUNCTIONS[op])

    def _result(self, req: Any, function: str) -> bytes:
        if req.suspicious:
            raise self.core.premature(function)
        if req.attempts > 1:
            # Only a reply that fitted teaches the size to start with: a
            # provider that lied about dwNeededSize (then TOOMANY/TOOBIG)
            # never gets here.
            self.core.size_hints[function] = int(req.size)
        return _unpack(req.buffer, req.size)  # type: ignore[no-any-return]

    def _issue_and_wait(self, op: int, initial: int, handles: Sequence[int],
                        timeout: float | None) -> tuple[Any, int]:
        """One structure request per handle, all out first, then waited for
        in C until all are over or ``timeout``: the requests and the size."""
        deadline = self._deadline(timeout)
        core = self.core
        size: int = core.size_hints.get(FUNCTIONS[op], initial)
        count = len(handles)
        reqs = _new_reqs(_REQS, count)
        ptr = core.ptr
        lib.pt_issue_many(ptr, reqs, count, op, self.line, handles, size)
        ms = _first_ms(timeout)
        while lib.pt_wait_many(ptr, reqs, count, ms):
            ms = _slice_ms(deadline)
            if ms == 0:
                break
        return reqs, size

    def many_block(self, op: int, initial: int, handles: Sequence[int], timeout: float | None
                   ) -> tuple[bytes, bytes, int, dict[int, bytes | Exception]]:
        """:meth:`many` with the clean replies copied out in one C call:
        ``(block, clean, size, others)``, where entry i is the ``size`` bytes
        at ``i * size`` of ``block`` if ``clean[i]``, else ``others[i]`` (the
        structure's bytes or the exception, as :meth:`many` gives it; only
        the entries that are not clean are in ``others``)."""
        count = len(handles)
        if not count:
            return b"", b"", initial, {}
        reqs, size = self._issue_and_wait(op, initial, handles, timeout)
        block = _new_bytes(_CHARS, count * size)
        clean = _new_bytes(_UCHARS, count)
        others: dict[int, bytes | Exception] = {}
        if lib.pt_copy_clean(self.core.ptr, reqs, count, size, block, clean) != count:
            function = FUNCTIONS[op]
            for i in range(count):
                if not clean[i]:
                    others[i] = self._outcome(reqs[i], function, timeout)
        return _buffer(block)[:], _buffer(clean)[:], size, others

    def _outcome(self, req: Any, function: str, timeout: float | None) -> bytes | Exception:
        status = req.status
        try:
            if status != _DONE or req.result:
                raise self.core.error(req, status, function, timeout)
            return self._result(req, function)
        except (TapiError, MemoryError) as exc:
            return exc

    def many(self, op: int, initial: int, handles: Sequence[int], timeout: float | None
             ) -> list[bytes | Exception]:
        """One structure request per handle, all out first and collected in
        C: each entry the structure's bytes or the exception for that request."""
        if not handles:
            return []
        reqs, size = self._issue_and_wait(op, initial, handles, timeout)
        function = FUNCTIONS[op]
        results: list[bytes | Exception] = []
        append = results.append
        unpack = _unpack
        for i in range(len(handles)):
            req = reqs[i]  # owned by ``reqs``, alive for this loop
            append(unpack(req.buffer, size) if req.clean
                   else self._outcome(req, function, timeout))
        return results
