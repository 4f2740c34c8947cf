"""Shared constants and helpers of the hardening tests (imported by name;
kept apart from tests/api so the two suites never share a ``conftest``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import pytapi2
from pytapi2._native import lib
from pytapi2.errors import to_long

START = datetime(2026, 1, 5, 9, 0, 0)
GROUP = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
GROUP2 = UUID("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f")
QUEUE = 7
PIN = "4321"
AGENT_IDS = [f"10{i:02d}" for i in range(1, 17)]


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Wait for a condition driven by other threads (ends as soon as it holds)."""
    event = threading.Event()
    remaining = timeout
    step = 0.001
    while remaining > 0:
        if predicate():
            return True
        event.wait(step)
        remaining -= step
        step = min(step * 2, 0.05)
    return predicate()


def drain(app: pytapi2.TapiApp, sim: Any) -> bool:
    """Pump until the simulator has no reply queued and the engine none pending."""
    return wait_for(lambda: app.next_event(timeout=0.01) is None
                    and sim.pending_replies(app.handle) == 0
                    and app._core.pending_count() == 0)


def lineerr(name: str) -> int:
    """A LINEERR constant as its DWORD value (what Simulator.inject_fault takes)."""
    return int(getattr(lib, name)) & 0xFFFFFFFF


def as_long(name: str) -> int:
    return to_long(getattr(lib, name))


class Ctx:
    """Everything a fault-matrix case may call: the simulator and live objects."""

    def __init__(self, sim: Any, app: pytapi2.TapiApp, line: pytapi2.Line,
                 agent: pytapi2.Agent, session: pytapi2.AgentSession) -> None:
        self.sim = sim
        self.app = app
        self.line = line
        self.agent = agent
        self.session = session
