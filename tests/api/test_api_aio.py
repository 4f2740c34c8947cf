"""pytapi2.aio: requests awaited without blocking the loop, ``async for`` over
events, and cancellation that keeps the core's buffer rule."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from _api_helpers import GROUP

import pytapi2
from pytapi2 import AgentSessionState, aio
from pytapi2.simulator import Fault


def test_awaited_request_leaves_the_loop_running(
        sim: Any, session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DELAY_REPLY, param=200)
    ticks = 0

    async def ticker(done: asyncio.Event) -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def main() -> pytapi2.AgentSessionInfo:
        done = asyncio.Event()
        task = asyncio.create_task(ticker(done))
        try:
            return await aio.call(session.info, timeout=5)
        finally:
            done.set()
            await task

    info = asyncio.run(main())
    assert info.state is AgentSessionState.NOT_READY
    assert ticks >= 5  # the loop ran while the reply was 200 ms away


def test_async_for_over_app_events(app: pytapi2.TapiApp, agent: pytapi2.Agent) -> None:
    async def main() -> list[pytapi2.Event]:
        session = await aio.call(agent.create_session, GROUP)
        await aio.call(session.set_state, AgentSessionState.READY)
        return [event async for event in app.events(timeout=0.2)]

    seen = asyncio.run(main())
    states = [e.state for e in seen if isinstance(e, pytapi2.AgentSessionEvent)]
    assert AgentSessionState.READY in states
    # the same stream iterates synchronously too
    assert list(app.events(timeout=0.01)) == []


def test_cancelled_request_keeps_its_memory_with_the_core(
        sim: Any, app: pytapi2.TapiApp, session: pytapi2.AgentSession) -> None:
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    gc.collect()
    live = app._core.requests_in_use()

    async def main() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(aio.call(session.info, timeout=0.3), 0.05)
        # The worker still waits (its own timeout); then it raises into nowhere.
        await asyncio.sleep(0.5)

    asyncio.run(main())
    assert app._core.pending_count() == 1  # TAPI could still write: the core owns it
    assert session.info(timeout=5).state is AgentSessionState.NOT_READY
    app.close()
    gc.collect()
    assert app._core.pending_count() == 0 and app._core.requests_in_use() == live


def test_cancelled_anext_loses_no_event(sim: Any, app: pytapi2.TapiApp,
                                        line: pytapi2.Line) -> None:
    async def main() -> pytapi2.Event | None:
        stream = app.events(timeout=2.0)
        waiting = asyncio.create_task(stream.__anext__())
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # posted while the cancelled step's worker may still be waiting
        sim.post_message(app.handle, line.handle, pytapi2.LineMessage.DEVSPECIFIC, 7, 8, 9)
        return await stream.__anext__()

    event = asyncio.run(main())
    assert isinstance(event, pytapi2.LineEvent) and event.param1 == 7
