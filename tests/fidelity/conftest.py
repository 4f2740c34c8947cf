"""Fixtures of the fidelity tests: a reset simulator; ``acd`` drives it raw,
``sim``/``app``/``line`` through pytapi2."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from _fidelity import G1, G2, Acd

import pytapi2
from pytapi2 import _native
from pytapi2._native import lib

START = datetime(2026, 1, 5, 9, 0, 0)


@pytest.fixture
def fresh() -> Iterator[None]:
    if not _native.ensure_loaded().is_simulator:
        pytest.skip("the loaded TAPI library is not the pytapi2 simulator")
    assert lib.tapisim_reset() == 0
    yield
    assert lib.tapisim_reset() == 0


@pytest.fixture
def acd(fresh: None) -> Acd:
    return Acd()


@pytest.fixture
def sim(fresh: None) -> Any:
    from pytapi2.simulator import Simulator

    simulator = Simulator()
    simulator.use_virtual_clock(START)
    simulator.add_group(G1, "Sales")
    simulator.add_group(G2, "Support")
    simulator.add_queue(G1, 7, "Inbound")
    simulator.add_agent("1001", "1234")
    simulator.add_agent("1002")
    return simulator


@pytest.fixture
def app(sim: Any) -> Iterator[pytapi2.TapiApp]:
    with pytapi2.TapiApp(app_name="fidelity", timeout=10.0) as tapi:
        yield tapi


@pytest.fixture
def line(app: pytapi2.TapiApp) -> Iterator[pytapi2.Line]:
    with app.open_line(0) as opened:
        yield opened
