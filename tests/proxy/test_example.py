"""examples/acd_handler.py: the client code of the README tour works unchanged
against an ACD served from Python, with the simulator's own ACD switched off."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pytapi2
from pytapi2 import AgentSessionEvent, AgentSessionState, AgentSessionStatus, InvalidStateError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acd_handler.py"


def _example() -> ModuleType:
    if not EXAMPLE.exists():
        pytest.skip("examples/ is not in this tree")
    spec = importlib.util.spec_from_file_location("acd_handler_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_tour_against_the_python_acd(sim: Any) -> None:
    example = _example()
    sim.set_builtin_handler(False)
    acd = example.demo_acd()
    handler, thread = example.serve(acd)
    try:
        with pytapi2.TapiApp(app_name="wallboard", timeout=10) as app, \
                app.open_line(0) as line:
            [group] = line.groups()
            assert group.name == "Sales"
            assert [q.name for q in line.queues(group)] == ["Sales inbound"]
            agent = line.create_agent("1001", pin="4321")
            session = agent.create_session(group=group.id)
            assert agent.list_sessions() == [session]
            session.set_state(AgentSessionState.READY)
            acd.record_call(session.handle, timedelta(minutes=3), timedelta(seconds=40))
            info = session.info()
            assert info.state == AgentSessionState.READY
            assert info.number_of_calls == 1
            assert info.total_talk_time == timedelta(minutes=3)
            assert info.average_call_time == timedelta(minutes=3, seconds=40)
            assert agent.info().number_of_acd_calls == 1
            with pytest.raises(InvalidStateError):  # the ACD's own transition rules
                session.set_state(AgentSessionState.BUSY_WRAPUP)
            statuses = [e.status for e in app.events(timeout=0.2)
                        if isinstance(e, AgentSessionEvent)]
            assert statuses == [AgentSessionStatus.NEW_SESSION, AgentSessionStatus.STATE,
                                AgentSessionStatus.UPDATE_INFO]
            session.end()
            assert session.info().state == AgentSessionState.ENDED
    finally:
        handler.close()
        thread.join(10)
    assert not thread.is_alive()


def test_the_benchmark_row_runs(sim: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """benchmarks/proxy_refresh.py runs end to end (its figures are not checked:
    timings belong to the benchmark run, not to tests)."""
    bench = Path(__file__).resolve().parents[2] / "benchmarks" / "proxy_refresh.py"
    if not bench.exists():
        pytest.skip("benchmarks/ is not in this tree")
    root = str(bench.parents[1])
    if root not in sys.path:  # `pytest` (not `python -m pytest`) leaves the root out
        sys.path.insert(0, root)
    from benchmarks.proxy_refresh import main

    sim.reset()  # the benchmark configures two lines: no app may be open
    assert main(["--rounds", "1", "--block-s", "0.001"]) == 0
    out = capsys.readouterr().out
    assert "built-in model" in out and "Python handler" in out
