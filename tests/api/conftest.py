"""Fixtures of the public-API tests: a reset simulator on a virtual clock,
an app, an open line, an agent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _api_helpers import AGENT_IDS, GROUP, GROUP2, PIN, START

import pytapi2
from pytapi2 import _native


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
