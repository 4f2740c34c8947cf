"""Argument checking before any C call, closed objects, identity, the package surface."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from _api_helpers import GROUP, PIN

import pytapi2
from pytapi2 import AgentSessionState, AgentState
from pytapi2._native import lib
from pytapi2.simulator import Fault


def armed(sim: Any, function: str) -> None:
    """Arm a one-shot ERROR fault: if a bad call reached C it would consume it."""
    sim.inject_fault(function, Fault.ERROR, error=lib.LINEERR_NOMEM)


def still_armed(call: Any) -> None:
    with pytest.raises(pytapi2.ResourceUnavailableError):
        call()


@pytest.mark.parametrize(
    ("args", "kwargs", "exc"),
    [
        (("READY",), {}, TypeError),
        ((99,), {}, ValueError),
        ((AgentState.READY,), {}, TypeError),
        ((True,), {}, TypeError),
        ((AgentSessionState.READY, "x"), {}, TypeError),
        ((AgentSessionState.READY,), {"timeout": -1}, ValueError),
        ((AgentSessionState.READY,), {"timeout": "1"}, TypeError),
        ((AgentSessionState.READY,), {"timeout": float("nan")}, ValueError),
    ],
)
def test_set_state_arguments(sim: Any, session: pytapi2.AgentSession, args: tuple[Any, ...],
                             kwargs: dict[str, Any], exc: type[Exception]) -> None:
    armed(sim, "lineSetAgentSessionState")
    with pytest.raises(exc):
        session.set_state(*args, **kwargs)
    still_armed(lambda: session.set_state(AgentSessionState.READY))


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"group": str(GROUP)}, TypeError, "group"),
        ({"group": GROUP.bytes}, TypeError, "group"),
        ({"group": GROUP, "address_id": 2**32}, ValueError, "address_id"),
        ({"group": GROUP, "address_id": -1}, ValueError, "address_id"),
        ({"group": GROUP, "address_id": 1.0}, TypeError, "address_id"),
        ({"group": GROUP, "pin": 4321}, TypeError, "pin"),
        ({"group": GROUP, "pin": "43\x0021"}, ValueError, "pin"),
    ],
)
def test_create_session_arguments(sim: Any, agent: pytapi2.Agent, kwargs: dict[str, Any],
                                  exc: type[Exception], name: str) -> None:
    armed(sim, "lineCreateAgentSessionW")
    with pytest.raises(exc, match=name):
        agent.create_session(**kwargs)
    still_armed(lambda: agent.create_session(GROUP))


@pytest.mark.parametrize(
    ("args", "kwargs", "exc"),
    [
        ((1001,), {}, TypeError),
        (("10\x0001",), {}, ValueError),
        (("1001",), {"pin": b"4321"}, TypeError),
        (("1001",), {"timeout": -0.5}, ValueError),
        (("\ud800",), {}, ValueError),
    ],
)
def test_create_agent_arguments(sim: Any, line: pytapi2.Line, args: tuple[Any, ...],
                                kwargs: dict[str, Any], exc: type[Exception]) -> None:
    armed(sim, "lineCreateAgentW")
    with pytest.raises(exc):
        line.create_agent(*args, **kwargs)
    still_armed(lambda: line.create_agent("1001", pin=PIN))


def test_other_arguments(sim: Any, app: pytapi2.TapiApp, line: pytapi2.Line,
                         agent: pytapi2.Agent) -> None:
    with pytest.raises(ValueError, match="queue"):
        line.queue_info(2**32)
    with pytest.raises(TypeError, match="group"):
        line.queues("sales")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="period"):
        agent.set_measurement_period(-1)
    with pytest.raises(ValueError, match="period"):
        agent.set_measurement_period(1.5)
    with pytest.raises(TypeError, match="sessions"):
        line.session_infos([1, 2])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="device_id"):
        app.open_line(-1)
    with pytest.raises(TypeError, match="device_id"):
        app.open_line("0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="state"):
        agent.set_state(AgentSessionState.READY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        pytapi2.TapiApp(timeout=-1)
    with pytest.raises(TypeError, match="app_name"):
        pytapi2.TapiApp(app_name=None)  # type: ignore[arg-type]
    with pytest.raises(pytapi2.InvalidParameterError):
        app.open_line(5)  # no such device
    agent.set_measurement_period(timedelta(minutes=5))


def test_closed_line_and_app(sim: Any, app: pytapi2.TapiApp, agent: pytapi2.Agent,
                             session: pytapi2.AgentSession) -> None:
    line = agent.line
    line.close()
    line.close()
    assert line.closed and line not in app.lines
    for call in (session.info, lambda: session.set_state(AgentSessionState.READY),
                 lambda: agent.sessions, agent.info, line.groups,
                 lambda: line.create_agent("1002", pin=PIN),
                 lambda: agent.create_session(GROUP)):
        with pytest.raises(pytapi2.TapiClosedError, match="closed"):
            call()
    app.close()
    app.close()
    assert app.closed
    with pytest.raises(pytapi2.TapiClosedError, match="TapiApp is closed"):
        app.open_line(0)
    with pytest.raises(pytapi2.TapiClosedError):
        session.info()
    # the backend is no longer pinned
    pytapi2.load(pytapi2.backend().path)


def test_context_managers(sim: Any) -> None:
    with pytapi2.TapiApp(app_name="ctx") as app:
        assert app.num_devices == 1
        assert app.api_version >= pytapi2.ApiVersion.V2_2
        with app.open_line(0) as line:
            assert line.api_version >= pytapi2.ApiVersion.V2_2
            assert app.lines == [line]
        assert line.closed and app.lines == []
        other = app.open_line(0)
    assert app.closed and other.closed
    with pytest.raises(pytapi2.BackendError), pytapi2.TapiApp():
        pytapi2.load(pytapi2.backend().path)


def test_identity(line: pytapi2.Line, agent: pytapi2.Agent) -> None:
    session = agent.create_session(GROUP)
    again = line.create_agent("1001", pin=PIN)
    assert agent == agent and hash(agent) == hash(agent)
    listed = agent.sessions
    assert listed == [session] and listed[0] is session
    assert hash(listed[0]) == hash(session)
    assert session != again and agent != session
    assert "AgentSession" in repr(session) and "Agent" in repr(agent)
    assert isinstance(session.group, UUID)


def test_import_is_light() -> None:
    code = ("import sys, pytapi2; "
            "print('pytapi2.simulator' in sys.modules, 'hypothesis' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_exports() -> None:
    for name in pytapi2.__all__:
        assert getattr(pytapi2, name) is not None
    assert pytapi2.events.AgentSessionEvent is pytapi2.AgentSessionEvent
    assert pytapi2.errors.TapiError is pytapi2.TapiError
