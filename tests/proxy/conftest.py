"""Fixtures of the agent-handler tests: a reset simulator, a client app with
an open line, and a Python agent handler (pytapi2.proxy) served by a thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _proxy_helpers import AGENT_ID, GROUP, PIN, START, Served

import pytapi2
from pytapi2 import _native
from pytapi2.proxy import ProxyRequest, ProxyRequestType


@pytest.fixture
def sim() -> Iterator[Any]:
    backend = _native.ensure_loaded()
    if not backend.is_simulator:
        pytest.skip("the loaded TAPI library is not the simulator")
    from pytapi2.simulator import Simulator

    simulator = Simulator()
    simulator.reset()
    simulator.use_virtual_clock(START)
    simulator.add_group(GROUP, "Sales")
    simulator.add_agent(AGENT_ID, PIN)
    yield simulator
    simulator.reset()


@pytest.fixture
def app(sim: Any) -> Iterator[pytapi2.TapiApp]:
    with pytapi2.TapiApp(app_name="client", timeout=10.0) as tapi:
        yield tapi


@pytest.fixture
def line(app: pytapi2.TapiApp) -> Iterator[pytapi2.Line]:
    with app.open_line(0) as opened:
        yield opened


@pytest.fixture
def serve(sim: Any) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(types: list[ProxyRequestType], callback: Callable[[ProxyRequest], object]) -> Served:
        served = Served(types, callback)
        started.append(served)
        return served

    yield start
    for served in started:
        served.close()
