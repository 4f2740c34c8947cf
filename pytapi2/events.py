"""Typed events: what :meth:`pytapi2.TapiApp.events` yields.

TAPI reports agent activity in LINE_ messages; pytapi2 turns them into:

- :class:`AgentSessionEvent` (LINE_AGENTSESSIONSTATUS; TAPI 3:
  ITAgentSessionEvent): a session was created, changed state, or its
  statistics changed;
- :class:`AgentEvent` (LINE_AGENTSTATUSEX; TAPI 3: ITAgentEvent);
- :class:`QueueEvent` (LINE_QUEUESTATUS) and :class:`GroupEvent`
  (LINE_GROUPSTATUS): a queue's statistics or the queue/group lists changed;
- :class:`ProxyStatusEvent` (LINE_PROXYSTATUS): an agent handler came or went;
- :class:`LineClosedEvent` (LINE_CLOSE): the provider closed a line;
- :class:`LineEvent`: any other message, raw.

Session and agent events also carry TAPI 3's event codes
(:attr:`AgentSessionEvent.tapi3_events`, :attr:`AgentEvent.tapi3_events`),
so code written against ITAgentSessionEvent / ITAgentEvent ports one to one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pytapi2.constants import (
    AgentEventCode,
    AgentSessionEventCode,
    AgentSessionState,
    AgentSessionStatus,
    AgentState,
    AgentStatus,
    GroupStatus,
    LineMessage,
    ProxyRequestType,
    ProxyStatus,
    QueueStatus,
)

if TYPE_CHECKING:
    from pytapi2._requests import Message
    from pytapi2.app import Line
    from pytapi2.session import Agent, AgentSession, Objects

log = logging.getLogger("pytapi2")

_LINE_AGENTSESSIONSTATUS = LineMessage.AGENTSESSIONSTATUS
_LINE_AGENTSTATUSEX = LineMessage.AGENTSTATUSEX
_LINE_QUEUESTATUS = LineMessage.QUEUESTATUS
_LINE_GROUPSTATUS = LineMessage.GROUPSTATUS
_LINE_CLOSE = LineMessage.CLOSE
_LINE_PROXYSTATUS = LineMessage.PROXYSTATUS

__all__ = ["AgentEvent", "AgentSessionEvent", "Event", "GroupEvent", "LineClosedEvent",
           "LineEvent", "ProxyStatusEvent", "QueueEvent", "translate"]

# TAPI 3 raises one ASE_ event per session state (RELEASED, which TAPI 3 lacks,
# ends the session like ENDED) and one AE_ event per agent state (RELEASED has
# no AE_ code: no event).
_SESSION_EVENT = {
    AgentSessionState.NOT_READY: AgentSessionEventCode.NOT_READY,
    AgentSessionState.READY: AgentSessionEventCode.READY,
    AgentSessionState.BUSY_ON_CALL: AgentSessionEventCode.BUSY,
    AgentSessionState.BUSY_WRAPUP: AgentSessionEventCode.WRAPUP,
    AgentSessionState.ENDED: AgentSessionEventCode.END,
    AgentSessionState.RELEASED: AgentSessionEventCode.END,
}
_AGENT_EVENT = {
    AgentState.NOT_READY: AgentEventCode.NOT_READY,
    AgentState.READY: AgentEventCode.READY,
    AgentState.BUSY_ACD: AgentEventCode.BUSY_ACD,
    AgentState.BUSY_INCOMING: AgentEventCode.BUSY_INCOMING,
    AgentState.BUSY_OUTGOING: AgentEventCode.BUSY_OUTGOING,
    AgentState.UNKNOWN: AgentEventCode.UNKNOWN,
}


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

    @property
    def tapi3_events(self) -> tuple[AgentSessionEventCode, ...]:
        """The ITAgentSessionEvent codes TAPI 3 raises for this message:
        NEW_SESSION for a new session, then the code of the new state. A
        statistics-only update has none (TAPI 3 raises no event for it)."""
        codes = []
        if self.is_new:
            codes.append(AgentSessionEventCode.NEW_SESSION)
        if self.state is not None:
            codes.append(_SESSION_EVENT[self.state])
        return tuple(codes)


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

    @property
    def tapi3_events(self) -> tuple[AgentEventCode, ...]:
        """The ITAgentEvent code TAPI 3 raises for this message: the code of
        the new state (none for RELEASED, NEW_AGENT or a statistics update)."""
        code = None if self.state is None else _AGENT_EVENT.get(self.state)
        return () if code is None else (code,)


@dataclass(frozen=True, slots=True)
class QueueEvent:
    """LINE_QUEUESTATUS: queue ``queue_id`` changed (``status``): its
    statistics (UPDATE_INFO; refresh with ``line.queue_info``), or it was
    added / removed (refresh ``line.queues(group)``)."""

    line: Line
    queue_id: int
    status: QueueStatus


@dataclass(frozen=True, slots=True)
class GroupEvent:
    """LINE_GROUPSTATUS: the ACD group list changed; refresh ``line.groups()``."""

    line: Line
    status: GroupStatus


@dataclass(frozen=True, slots=True)
class ProxyStatusEvent:
    """LINE_PROXYSTATUS: an agent handler (ACD proxy) opened or closed its
    line for ``request_type`` on this device (``status`` OPEN or CLOSE;
    ALL_OPEN_FOR_ACD when every ACD request type has a handler, then
    ``request_type`` is None). Whether agent requests are served can be
    asked with :func:`pytapi2.proxy.proxy_status`."""

    line: Line
    status: ProxyStatus
    request_type: ProxyRequestType | int | None


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


Event = (AgentSessionEvent | AgentEvent | QueueEvent | GroupEvent | ProxyStatusEvent
         | LineClosedEvent | LineEvent)


def translate(item: Message, lines: Mapping[int, Objects]) -> Event:
    """The typed event of one LINEMESSAGE (``lines``: the agent and session
    objects of each open line, by hLine)."""
    device, message, _instance, param1, param2, param3 = item
    objects = lines.get(device)
    if objects is not None:
        line = objects.line
        if message == _LINE_AGENTSESSIONSTATUS:
            status = AgentSessionStatus(param2 & 0xFFFFFFFF)
            state = None
            if AgentSessionStatus.STATE in status:
                try:
                    state = AgentSessionState(param3)
                except ValueError:
                    log.warning("LINE_AGENTSESSIONSTATUS with unknown state %#x", param3)
            return AgentSessionEvent(line, objects.session(param1 & 0xFFFFFFFF), status, state)
        if message == _LINE_AGENTSTATUSEX:
            agent_status = AgentStatus(param2 & 0xFFFFFFFF)
            agent_state = None
            if AgentStatus.STATE in agent_status:
                try:
                    agent_state = AgentState(param3)
                except ValueError:
                    log.warning("LINE_AGENTSTATUSEX with unknown state %#x", param3)
            return AgentEvent(line, objects.agent(param1 & 0xFFFFFFFF), agent_status,
                              agent_state)
        if message == _LINE_QUEUESTATUS:
            return QueueEvent(line, param1 & 0xFFFFFFFF, QueueStatus(param2 & 0xFFFFFFFF))
        if message == _LINE_GROUPSTATUS:
            return GroupEvent(line, GroupStatus(param2 & 0xFFFFFFFF))
        if message == _LINE_PROXYSTATUS:
            return _proxy_status(line, param1, param2)
        if message == _LINE_CLOSE:
            return LineClosedEvent(line)
    try:
        kind: LineMessage | int = LineMessage(message)
    except ValueError:
        kind = message
    return LineEvent(None if objects is None else objects.line, kind, device, param1, param2,
                     param3)


def _proxy_status(line: Line, param1: int, param2: int) -> ProxyStatusEvent:
    status = ProxyStatus(param1 & 0xFFFFFFFF)
    request_type: ProxyRequestType | int | None = None
    if status & (ProxyStatus.OPEN | ProxyStatus.CLOSE):
        # dwParam2 names the request type only for OPEN and CLOSE (the page).
        try:
            request_type = ProxyRequestType(param2 & 0xFFFFFFFF)
        except ValueError:
            request_type = param2 & 0xFFFFFFFF
    return ProxyStatusEvent(line, status, request_type)
