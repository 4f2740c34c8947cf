"""asyncio over the same request core: requests awaited without blocking the
event loop, and events as an asynchronous iterator.

::

    import pytapi2
    from pytapi2 import aio

    async def main() -> None:
        with pytapi2.TapiApp() as app:
            line = app.open_line(0)
            session = ...
            info = await aio.call(session.info, timeout=5)
            infos = await aio.call(line.session_infos, sessions)
            async for event in app.events(timeout=1.0):   # or aio.events(app)
                ...

A request runs in a worker thread of the loop's default executor: the core
waits with the GIL released, so the loop keeps running. Cancelling the
awaiting task (or ``asyncio.wait_for`` timing out) abandons the wait, not the
request: the worker finishes it within its own ``timeout``, and its reply
memory belongs to the core until the LINE_REPLY or shutdown, exactly as when
a synchronous caller is interrupted. (On POSIX the simulator also offers a
pollable descriptor, ``Simulator.message_fd``; the executor is used on every
platform so that Windows' TAPI, whose hEvent is not a socket, works the same.)
"""

from __future__ import annotations

import collections
import functools
import threading
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from pytapi2.events import Event

if TYPE_CHECKING:
    from pytapi2.app import TapiApp

__all__ = ["EventStream", "call", "events"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

#: Longest wait of one executor step of an event stream: bounds how long a
#: worker outlives a cancelled ``__anext__``.
_STEP = 0.2


async def call(function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Run a pytapi2 call (``session.info``, ``line.session_infos``, ...) in
    the loop's default executor and await its result."""
    import asyncio  # here: importing pytapi2 must not import asyncio (~20 ms)

    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))


class EventStream:
    """What :meth:`pytapi2.TapiApp.events` returns: iterate it (``for``) or
    iterate it asynchronously (``async for``). Either way it ends once no
    event arrives within ``timeout`` seconds, or the app is closed."""

    def __init__(self, app: TapiApp, timeout: float | None) -> None:
        self._app = app
        self._timeout = timeout
        # Events fetched by a worker whose __anext__ was cancelled meanwhile:
        # handed out first, so cancellation loses none.
        self._spare: collections.deque[Event] = collections.deque()
        self._lock = threading.Lock()

    # -- synchronous -----------------------------------------------------------
    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Event:
        with self._lock:
            if self._spare:
                return self._spare.popleft()
        event = self._app.next_event(timeout=self._forever_or(self._timeout))
        if event is None:
            raise StopIteration
        return event

    def _forever_or(self, timeout: float | None) -> float:
        return float("inf") if timeout is None else timeout

    # -- asynchronous ------------------------------------------------------------
    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        import asyncio  # see call()

        with self._lock:
            if self._spare:
                return self._spare.popleft()
        loop = asyncio.get_running_loop()
        remaining = self._timeout
        cancelled = threading.Event()
        while remaining is None or remaining > 0:
            step = _STEP if remaining is None else min(_STEP, remaining)
            started = loop.time()
            try:
                event = await loop.run_in_executor(None, self._step, step, cancelled)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            if event is not None:
                return event
            if self._app.closed:
                break
            if remaining is not None:
                remaining -= loop.time() - started
        raise StopAsyncIteration

    def _step(self, step: float, cancelled: threading.Event) -> Event | None:
        """One bounded wait in a worker; an event found after the awaiting
        task was cancelled is kept for the next caller."""
        with self._lock:
            if self._spare and not cancelled.is_set():
                return self._spare.popleft()
        event = self._app.next_event(timeout=step)
        if event is not None and cancelled.is_set():
            with self._lock:
                self._spare.append(event)
            return None
        return event


def events(app: TapiApp, timeout: float | None = 1.0) -> AsyncIterator[Event]:
    """``async for event in aio.events(app)``: the same as ``app.events()``."""
    return app.events(timeout=float("inf") if timeout is None else timeout)
