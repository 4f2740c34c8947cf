"""Fixtures of the public-API tests: a reset simulator on a virtual clock,
an app, an open line, an agent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

import pytapi2
from pytapi2 import _native

START = datetime(2026, 1, 5, 9, 0, 0)
GROUP = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
GROUP2 = UUID("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f")
PIN = "4321"
AGENT_IDS = [f"10{i:02d}" for i in range(1, 9)]


def _simulator() -> Any:
    backend = _native.ensure_loaded()
    if not backend.is_simulator:
        pytest.skip("the loaded TAPI library does not export the tapisim_* control API yet")
    from pytapi2.simulator import Simulator

    return Simulator()


@pytest.fixture
def sim() -> Iterator[Any]:
    simulator = _simulator()
    simulator.reset()
    simulator.use_virtual_clock(START)
    simulator.add_group(GROUP, "Sales")
    simulator.add_group(GROUP2, "Support")
    for agent_id in AGENT_IDS:
        simulator.add_agent(agent_id, PIN)
    yield simulator
    simulator.clear_faults()


@pytest.fixture
def app(sim: Any) -> Iterator[pytapi2.TapiApp]:
    with pytapi2.TapiApp(app_name="pytest", timeout=10.0) as tapi:
        yield tapi


@pytest.fixture
def line(app: pytapi2.TapiApp) -> Iterator[pytapi2.Line]:
    with app.open_line(0) as opened:
        yield opened


@pytest.fixture
def agent(line: pytapi2.Line) -> pytapi2.Agent:
    return line.create_agent(AGENT_IDS[0], pin=PIN)


@pytest.fixture
def session(agent: pytapi2.Agent) -> pytapi2.AgentSession:
    return agent.create_session(group=GROUP, address_id=0)
