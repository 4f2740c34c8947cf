"""pytapi2: Windows TAPI 2.2 call-center agent sessions from Python.

A tour::

    import pytapi2
    with pytapi2.TapiApp(app_name="wallboard") as app:
        with app.open_line(0) as line:
            agent = line.create_agent("1001", pin="4321")
            session = agent.create_session(group=group_id)
            info = session.info()            # AgentSessionInfo snapshot
            for event in app.events(timeout=1.0):
                ...

The simulator (``pytapi2.simulator``) is imported only when asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytapi2 import errors, events, snapshots
from pytapi2._native import Backend, BackendError, backend, load
from pytapi2.app import DEFAULT_TIMEOUT, Line, TapiApp
from pytapi2.constants import (
    AgentEventCode,
    AgentSessionEventCode,
    AgentSessionState,
    AgentSessionStatus,
    AgentState,
    AgentStatus,
    ApiVersion,
    GroupStatus,
    LineMessage,
    ProxyRequestType,
    ProxyStatus,
    QueueStatus,
)
from pytapi2.errors import (
    InvalidHandleError,
    InvalidParameterError,
    InvalidStateError,
    OperationUnavailableError,
    ResourceUnavailableError,
    TapiClosedError,
    TapiError,
    TapiProtocolError,
    TapiTimeoutError,
    UninitializedError,
)
from pytapi2.events import (
    AgentEvent,
    AgentSessionEvent,
    Event,
    GroupEvent,
    LineClosedEvent,
    LineEvent,
    ProxyStatusEvent,
    QueueEvent,
)
from pytapi2.session import Agent, AgentSession
from pytapi2.snapshots import (
    AgentCaps,
    AgentInfo,
    AgentSessionInfo,
    Group,
    Queue,
    QueueInfo,
)

if TYPE_CHECKING:
    from pytapi2 import simulator

__all__ = [
    "DEFAULT_TIMEOUT",
    "Agent",
    "AgentCaps",
    "AgentEvent",
    "AgentEventCode",
    "AgentInfo",
    "AgentSession",
    "AgentSessionEvent",
    "AgentSessionEventCode",
    "AgentSessionInfo",
    "AgentSessionState",
    "AgentSessionStatus",
    "AgentState",
    "AgentStatus",
    "ApiVersion",
    "Backend",
    "BackendError",
    "Event",
    "Group",
    "GroupEvent",
    "GroupStatus",
    "InvalidHandleError",
    "InvalidParameterError",
    "InvalidStateError",
    "Line",
    "LineClosedEvent",
    "LineEvent",
    "LineMessage",
    "OperationUnavailableError",
    "ProxyRequestType",
    "ProxyStatus",
    "ProxyStatusEvent",
    "Queue",
    "QueueEvent",
    "QueueInfo",
    "QueueStatus",
    "ResourceUnavailableError",
    "TapiApp",
    "TapiClosedError",
    "TapiError",
    "TapiProtocolError",
    "TapiTimeoutError",
    "UninitializedError",
    "backend",
    "errors",
    "events",
    "load",
    "simulator",
    "snapshots",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy: ``pytapi2.simulator`` is imported on first access only.
    if name == "simulator":
        import importlib

        return importlib.import_module("pytapi2.simulator")
    raise AttributeError(f"module 'pytapi2' has no attribute {name!r}")
