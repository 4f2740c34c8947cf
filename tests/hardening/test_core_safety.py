"""The request core's acceptance tests: a SIGINT storm at a loop of caught
``info()`` calls, fork() while another thread waits, and apps collected
without close().

The storm lasts ``PYTAPI2_SIGINT_STORM_S`` seconds (default 2; the sanitizer
run in CI sets 20), under ASan there (tests/sanitize/run.sh): a write into a
buffer Python freed would abort the process.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
import warnings
from types import FrameType
from typing import Any

import pytest
from _hardening import AGENT_IDS, GROUP, PIN, Ctx, drain

import pytapi2
from pytapi2 import AgentSessionState, _native
from pytapi2._native import lib
from pytapi2.simulator import Fault

STORM_S = float(os.environ.get("PYTAPI2_SIGINT_STORM_S", "2"))

posix_only = pytest.mark.skipif(os.name != "posix", reason="signals from a thread, fork: POSIX")


@posix_only
def test_sigint_storm_at_caught_info_calls(ctx: Ctx) -> None:
    """SIGINT every ~0.5 ms while the main thread loops over ``info()``,
    catching KeyboardInterrupt (a REPL, a service treating Ctrl-C as
    "skip"). Afterwards: no other error, nothing pending, nothing leaked, the
    next call answers."""
    ctx.sim.set_reply_latency(0.0002)  # interrupts land while waiting too
    gc.collect()
    live = ctx.app._core.requests_in_use()
    armed = False
    interrupts = 0

    def handler(signum: int, frame: FrameType | None) -> None:
        # Like the default handler, but only while a call is in progress
        # (and once per call), so the test's own bookkeeping is never hit.
        nonlocal armed
        if armed:
            armed = False
            raise KeyboardInterrupt

    stop = threading.Event()
    main = threading.main_thread().ident
    assert main is not None

    def storm() -> None:
        while not stop.is_set():
            signal.pthread_kill(main, signal.SIGINT)
            time.sleep(0.0005)

    previous = signal.signal(signal.SIGINT, handler)
    errors: list[BaseException] = []
    answered = 0
    thread = threading.Thread(target=storm, daemon=True)
    thread.start()
    try:
        end = time.monotonic() + STORM_S
        while time.monotonic() < end:
            try:
                armed = True
                ctx.session.info(timeout=5)
                armed = False
                answered += 1
            except KeyboardInterrupt:
                interrupts += 1
            except BaseException as exc:
                armed = False
                errors.append(exc)
    finally:
        armed = False
        stop.set()
        thread.join(5)
        signal.signal(signal.SIGINT, previous)
    assert errors == []
    assert interrupts > 0 and answered > 0, (interrupts, answered)
    # The next call answers; then every abandoned request's reply is consumed.
    assert ctx.session.info(timeout=5).state is AgentSessionState.NOT_READY
    assert drain(ctx.app, ctx.sim)
    assert ctx.app._core.pending_count() == 0
    assert ctx.sim.pending_replies(ctx.app.handle) == 0
    gc.collect()
    assert ctx.app._core.requests_in_use() == live


@posix_only
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork()")
def test_fork_while_a_thread_waits(ctx: Ctx) -> None:
    """The child fails fast with a clear error on the parent's app (never
    hangs) and works with a fresh TapiApp."""
    ctx.sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    outcome: list[BaseException] = []

    def waiter() -> None:
        try:
            ctx.session.info(timeout=30)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    assert wait_until(lambda: ctx.app._core.pending_count() == 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads
        pid = os.fork()
    if pid == 0:  # the child: report through the exit status, never return
        status = 1
        try:
            status = _child()
        finally:
            os._exit(status)
    try:
        deadline = time.monotonic() + 30
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail("the forked child hung")
            time.sleep(0.01)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child status {status}"
    finally:
        ctx.line.close()
        thread.join(10)
    assert isinstance(outcome[0], pytapi2.TapiClosedError)


def _child() -> int:
    """In the forked child (no pytest machinery): 0 if all went as it should."""
    app = next(o for o in gc.get_objects() if isinstance(o, pytapi2.TapiApp) and not o._closed)
    started = time.monotonic()
    try:
        app.lines[0] if app.lines else None
        session = next(o for o in gc.get_objects() if isinstance(o, pytapi2.AgentSession))
        session.info(timeout=30)
        return 2  # must not answer
    except pytapi2.TapiClosedError as exc:
        if "fork" not in str(exc) or time.monotonic() - started > 1:
            return 3
    except BaseException:
        return 4
    app.close()  # returns at once; nothing of the parent's is touched
    with pytapi2.TapiApp(app_name="child", timeout=10) as fresh:
        line = fresh.open_line(0)
        agent = line.create_agent(AGENT_IDS[2], pin=PIN)
        info = agent.create_session(GROUP).info()
        if info.state is not AgentSessionState.NOT_READY:
            return 5
    sys.stdout.flush()
    return 0


def wait_until(predicate: Any, timeout: float = 10.0) -> bool:
    event = threading.Event()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        event.wait(0.002)
    return bool(predicate())


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc")
def test_apps_collected_without_close_warn_and_release_everything(sim: Any) -> None:
    gc.collect()
    fds = len(os.listdir("/proc/self/fd"))
    live = lib.pt_live_requests()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for i in range(500):
            app = pytapi2.TapiApp(app_name=f"leaked {i}")
            line = app.open_line(0)
            if i % 50 == 0:  # some with a request in flight
                sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
                session = line.create_agent(AGENT_IDS[0], pin=PIN).create_session(GROUP)
                with pytest.raises(pytapi2.TapiTimeoutError):
                    session.info(timeout=0.01)
                del session
            del app, line
            gc.collect()
    leaked = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert len(leaked) == 500
    assert "unclosed TapiApp" in str(leaked[0].message)
    assert len(os.listdir("/proc/self/fd")) == fds
    assert lib.pt_live_requests() == live
    # The backend is no longer pinned by the collected apps.
    backend = pytapi2.backend()
    assert _native.load(backend.path) == backend
