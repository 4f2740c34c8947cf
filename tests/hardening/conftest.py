"""The hardening tests use the fixtures pytapi2 ships for everyone's tests
(pytapi2.simulator.pytest_plugin), loaded with this folder's call center: two
groups, one queue and sixteen agents on the virtual clock; plus ``ctx``."""

from __future__ import annotations

import pytest
from _hardening import AGENT_IDS, GROUP, GROUP2, PIN, QUEUE, START, Ctx

import pytapi2
from pytapi2.simulator import Simulator
from pytapi2.simulator.scenario import Scenario

SCENARIO = Scenario.of(groups={"Sales": GROUP, "Support": GROUP2},
                       agents=dict.fromkeys(AGENT_IDS, PIN), start=START,
                       queues={"Sales": [(QUEUE, "Inbound")]})


@pytest.fixture
def tapisim_scenario() -> Scenario:
    return SCENARIO


@pytest.fixture
def sim(tapisim: Simulator) -> Simulator:
    return tapisim


@pytest.fixture
def app(tapi_app: pytapi2.TapiApp) -> pytapi2.TapiApp:
    return tapi_app


@pytest.fixture
def line(tapi_line: pytapi2.Line) -> pytapi2.Line:
    return tapi_line


@pytest.fixture
def agent(tapi_agent: pytapi2.Agent) -> pytapi2.Agent:
    return tapi_agent


@pytest.fixture
def session(tapi_session: pytapi2.AgentSession) -> pytapi2.AgentSession:
    return tapi_session


@pytest.fixture
def ctx(sim: Simulator, app: pytapi2.TapiApp, line: pytapi2.Line, agent: pytapi2.Agent,
        session: pytapi2.AgentSession) -> Ctx:
    return Ctx(sim, app, line, agent, session)
