"""pytest fixtures for code that uses pytapi2: a call center in one line.

Installed with pytapi2 (entry point ``pytest11``: ``pytapi2``), so in any
project's tests::

    from pytapi2 import AgentSessionState

    def test_agent_goes_ready(tapi_session):
        tapi_session.set_state(AgentSessionState.READY)
        assert tapi_session.info().state is AgentSessionState.READY

Fixtures (function scope, each a fresh model):

``tapisim_scenario``
    What :func:`tapisim` loads: a bundled name, a TOML path or a
    :class:`~pytapi2.simulator.scenario.Scenario`. Default ``"small"`` (two
    groups, four agents, 09:00 on the virtual clock); override the fixture in
    a conftest, or mark a test ``@pytest.mark.tapisim("default")``.
``tapisim``
    The :class:`~pytapi2.simulator.Simulator` with the scenario loaded.
    Afterwards faults are cleared and the reply latency is back to 0.
``tapi_app``, ``tapi_line``
    A :class:`pytapi2.TapiApp` (10 s timeout) and its line device 0.
``tapi_agent``, ``tapi_session``
    The scenario's first agent (with its PIN) and a session of it in its
    first group, on address 0.

Tests using them are skipped when the loaded TAPI library is not the
simulator (e.g. on Windows with ``tapi32.dll``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pytapi2
    from pytapi2.simulator import Simulator
    from pytapi2.simulator.scenario import Scenario

__all__ = ["tapi_agent", "tapi_app", "tapi_line", "tapi_session", "tapisim", "tapisim_scenario"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "tapisim(scenario): the scenario the tapisim fixture loads "
        "(a bundled name, a TOML path, or a Scenario)",
    )


@pytest.fixture
def tapisim_scenario(request: pytest.FixtureRequest) -> str | Path | Scenario:
    marker = request.node.get_closest_marker("tapisim")
    if marker is not None and marker.args:
        chosen: str | Path | Scenario = marker.args[0]
        return chosen
    return "small"


@pytest.fixture
def tapisim(tapisim_scenario: str | Path | Scenario) -> Iterator[Simulator]:
    from pytapi2 import _native

    if not _native.ensure_loaded().is_simulator:
        pytest.skip("the loaded TAPI library is not the pytapi2 simulator")
    from pytapi2.simulator import Simulator

    simulator = Simulator()
    simulator.load(tapisim_scenario)
    yield simulator
    simulator.clear_faults()
    simulator.set_reply_latency(0)


@pytest.fixture
def tapi_app(tapisim: Simulator) -> Iterator[pytapi2.TapiApp]:
    import pytapi2

    with pytapi2.TapiApp(app_name="pytest", timeout=10.0) as app:
        yield app


@pytest.fixture
def tapi_line(tapi_app: pytapi2.TapiApp) -> Iterator[pytapi2.Line]:
    with tapi_app.open_line(0) as line:
        yield line


def _loaded(tapisim_scenario: str | Path | Scenario) -> Scenario:
    from pytapi2.simulator.scenario import Scenario, load_scenario

    if isinstance(tapisim_scenario, Scenario):
        return tapisim_scenario
    return load_scenario(tapisim_scenario)


@pytest.fixture
def tapi_agent(tapi_line: pytapi2.Line,
               tapisim_scenario: str | Path | Scenario) -> pytapi2.Agent:
    first = _loaded(tapisim_scenario).agents[0]
    return tapi_line.create_agent(first.id, pin=first.pin)


@pytest.fixture
def tapi_session(tapi_agent: pytapi2.Agent,
                 tapisim_scenario: str | Path | Scenario) -> pytapi2.AgentSession:
    scenario = _loaded(tapisim_scenario)
    first = scenario.agents[0]
    group = scenario.group(first.groups[0])
    return tapi_agent.create_session(group=group.id, address_id=0, pin=first.pin)
