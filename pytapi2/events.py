"""Typed events: what :meth:`pytapi2.TapiApp.events` yields.

TAPI reports agent activity in LINE_ messages; pytapi2 turns them into:

- :class:`AgentSessionEvent` (LINE_AGENTSESSIONSTATUS; TAPI 3:
  ITAgentSessionEvent): a session was created, changed state, or its
  statistics changed;
- :class:`AgentEvent` (LINE_AGENTSTATUSEX; TAPI 3: ITAgentEvent);
- :class:`LineClosedEvent` (LINE_CLOSE): the provider closed a line;
- :class:`LineEvent`: any other message, raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pytapi2.constants import (
    AgentSessionState,
    AgentSessionStatus,
    AgentState,
    AgentStatus,
    LineMessage,
)

if TYPE_CHECKING:
    from pytapi2.app import Line
    from pytapi2.session import Agent, AgentSession

__all__ = ["AgentEvent", "AgentSessionEvent", "Event", "LineClosedEvent", "LineEvent"]


@dataclass(frozen=True, slots=True)
class AgentSessionEvent:
    """LINE_AGENTSESSIONSTATUS: ``status`` says what changed; ``state`` is the
    new state when ``status`` has STATE (else None)."""

    line: Line
    session: AgentSession
    status: AgentSessionStatus
    state: AgentSessionState | None

    @property
    def is_new(self) -> bool:
        return AgentSessionStatus.NEW_SESSION in self.status

    @property
    def state_changed(self) -> bool:
        return AgentSessionStatus.STATE in self.status

    @property
    def info_changed(self) -> bool:
        """The session's statistics changed: refresh with ``session.info()``."""
        return AgentSessionStatus.UPDATE_INFO in self.status


@dataclass(frozen=True, slots=True)
class AgentEvent:
    """LINE_AGENTSTATUSEX: ``state`` is the new agent state when ``status`` has STATE."""

    line: Line
    agent: Agent
    status: AgentStatus
    state: AgentState | None

    @property
    def is_new(self) -> bool:
        return AgentStatus.NEW_AGENT in self.status

    @property
    def state_changed(self) -> bool:
        return AgentStatus.STATE in self.status

    @property
    def info_changed(self) -> bool:
        return AgentStatus.UPDATE_INFO in self.status


@dataclass(frozen=True, slots=True)
class LineClosedEvent:
    """LINE_CLOSE: the provider closed the line; it can no longer be used."""

    line: Line


@dataclass(frozen=True, slots=True)
class LineEvent:
    """Any other LINE_ message, as received (``line`` None if not one of ours)."""

    line: Line | None
    message: LineMessage | int
    device: int
    param1: int
    param2: int
    param3: int


Event = AgentSessionEvent | AgentEvent | LineClosedEvent | LineEvent
