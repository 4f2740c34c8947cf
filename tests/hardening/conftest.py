"""Fixtures of the hardening tests: a reset simulator on a virtual clock with
two groups, one queue and sixteen agents; an app, a line, an agent, a session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _hardening import AGENT_IDS, GROUP, GROUP2, PIN, QUEUE, START, Ctx

import pytapi2
from pytapi2 import _native


@pytest.fixture
def sim() -> Iterator[Any]:
    if not _native.ensure_loaded().is_simulator:
        pytest.skip("the loaded TAPI library is not the pytapi2 simulator")
    from pytapi2.simulator import Simulator

    simulator = Simulator()
    simulator.reset()
    simulator.use_virtual_clock(START)
    simulator.add_group(GROUP, "Sales")
    simulator.add_group(GROUP2, "Support")
    simulator.add_queue(GROUP, QUEUE, "Inbound")
    for agent_id in AGENT_IDS:
        simulator.add_agent(agent_id, PIN)
    yield simulator
    simulator.clear_faults()
    simulator.set_reply_latency(0)


@pytest.fixture
def app(sim: Any) -> Iterator[pytapi2.TapiApp]:
    with pytapi2.TapiApp(app_name="hardening", timeout=10.0) as tapi:
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


@pytest.fixture
def ctx(sim: Any, app: pytapi2.TapiApp, line: pytapi2.Line, agent: pytapi2.Agent,
        session: pytapi2.AgentSession) -> Ctx:
    return Ctx(sim, app, line, agent, session)
