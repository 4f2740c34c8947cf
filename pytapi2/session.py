"""Agents and agent sessions: TAPI 3's ITAgent / ITAgentSession over TAPI 2.2.

An :class:`Agent` is an hAgent on an open :class:`~pytapi2.Line`
(lineCreateAgentW); an :class:`AgentSession` is an hAgentSession
(lineCreateAgentSessionW) tying the agent to an ACD group on an address.
Both are light handles: every statistic is read with one round trip
(:meth:`AgentSession.info`, :meth:`Agent.info`) into an immutable snapshot.
Equality and hash are by (line, handle).
"""

from __future__ import annotations

import enum
import logging
import threading
import weakref
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pytapi2 import _validate
from pytapi2._convert import seconds, uuid_to_guid_bytes
from pytapi2._native import ffi, lib
from pytapi2._requests import Channel
from pytapi2._structs import (
    AGENT_INFO_SIZE,
    SESSION_INFO_SIZE,
    AgentInfo,
    AgentSessionInfo,
    decode_agent_info,
    decode_session_info,
    decode_session_list,
)
from pytapi2.constants import AgentSessionState, AgentState
from pytapi2.errors import TapiError

if TYPE_CHECKING:
    from pytapi2.app import Line

__all__ = ["Agent", "AgentSession", "Objects"]

log = logging.getLogger("pytapi2")

_SESSION_INFO = lib.PT_OP_SESSION_INFO
_AGENT_INFO = lib.PT_OP_AGENT_INFO


def optional_text(value: Any, name: str) -> Any:
    """A WCHAR[] of an optional string (the core copies it), or NULL."""
    if value is None:
        return ffi.NULL
    return ffi.new("WCHAR[]", _validate.text(value, name))


class Objects:
    """The agents and sessions of one line: one object per handle, so events
    and lists give back the objects the application holds."""

    __slots__ = ("_agents", "_channel", "_line", "_lock", "_sessions")

    def __init__(self, line: Line, channel: Channel) -> None:
        self._line = line
        self._channel = channel
        self._agents: weakref.WeakValueDictionary[int, Agent] = weakref.WeakValueDictionary()
        self._sessions: weakref.WeakValueDictionary[int, AgentSession] = (
            weakref.WeakValueDictionary())
        self._lock = threading.Lock()

    @property
    def line(self) -> Line:
        return self._line

    def agent(self, handle: int, agent_id: str | None = None, pin: str | None = None) -> Agent:
        with self._lock:
            agent = self._agents.get(handle)
            if agent is None:
                agent = Agent(self, handle, agent_id, pin)
                self._agents[handle] = agent
            return agent

    def find_agent_of(self, session: AgentSession) -> None:
        """Fill ``session``'s agent from the session lists of this line's agents.
        Runs from a property: a failed list (line closed, timeout) leaves the
        agent unknown rather than raising there."""
        with self._lock:
            agents = list(self._agents.values())
        for agent in agents:
            if session._agent is not None:
                return
            try:
                agent.list_sessions()
            except TapiError as exc:
                log.debug("session %d: listing %r failed: %s", session.handle, agent, exc)
                return

    def session(self, handle: int, *, agent: Agent | None = None, group: UUID | None = None,
                address_id: int | None = None) -> AgentSession:
        with self._lock:
            session = self._sessions.get(handle)
            if session is None:
                session = AgentSession(self, handle, agent, group, address_id)
                self._sessions[handle] = session
            else:
                session._known(agent, group, address_id)
            return session


class Agent:
    """An ACD agent on a line (TAPI 3: ITAgent)."""

    __slots__ = ("__weakref__", "_channel", "_handle", "_id", "_line", "_objects", "_pin")

    def __init__(self, objects: Objects, handle: int, agent_id: str | None = None,
                 pin: str | None = None) -> None:
        self._objects = objects
        self._line = objects.line
        self._channel = objects._channel
        self._handle = handle
        self._id = agent_id
        self._pin = pin

    @property
    def line(self) -> Line:
        return self._line

    @property
    def handle(self) -> int:
        """The hAgent."""
        return self._handle

    @property
    def id(self) -> str | None:
        """The switch's agent ID given to :meth:`Line.create_agent` (ITAgent::get_ID)."""
        return self._id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Agent):
            return NotImplemented
        return self._line is other._line and self._handle == other._handle

    def __hash__(self) -> int:
        return hash((id(self._line), self._handle))

    def __repr__(self) -> str:
        ident = f" id={self._id!r}" if self._id is not None else ""
        return f"<Agent {self._handle}{ident} on {self._line!r}>"

    def _timeout(self, value: Any) -> float | None:
        return _validate.timeout(value, self._channel.timeout)

    # -- sessions --------------------------------------------------------------
    def create_session(
        self,
        group: UUID,
        address_id: int = 0,
        *,
        pin: str | None = None,
        timeout: float | timedelta | None = None,
    ) -> AgentSession:
        """Log the agent into an ACD group on an address (lineCreateAgentSessionW).

        Without ``pin`` the request carries a NULL PIN (ITAgent::CreateSession:
        an ACD that authenticates by the OS login, or one that accepted the
        PIN given to :meth:`Line.create_agent`); with it, that PIN
        (ITAgent::CreateSessionWithPIN: legacy ACDs wanting a PIN per session).
        Page: nf-tapi-linecreateagentsessionw.md (lpszAgentPIN).
        """
        group = _validate.uuid(group, "group")
        address = _validate.dword(address_id, "address_id")
        pin_buffer = optional_text(pin, "pin")
        wait = self._timeout(timeout)
        guid = ffi.new("GUID *")
        ffi.memmove(guid, uuid_to_guid_bytes(group), 16)
        handle = self._channel.create(lib.PT_OP_CREATE_SESSION, self._handle, address,
                                      timeout=wait, s1=pin_buffer, guid=guid)
        return self._objects.session(handle, agent=self, group=group, address_id=address)

    def list_sessions(self, *, timeout: float | timedelta | None = None) -> list[AgentSession]:
        """The agent's sessions (lineGetAgentSessionList; ITAgent::get_AgentSessions)."""
        data = self._channel.get(lib.PT_OP_SESSION_LIST, 4096, self._handle,
                                 timeout=self._timeout(timeout))
        objects = self._objects
        result = []
        for entry in decode_session_list(data):
            agent = self if entry.agent == self._handle else objects.agent(entry.agent)
            result.append(objects.session(entry.session, agent=agent, group=entry.group,
                                          address_id=entry.address_id))
        return result

    @property
    def sessions(self) -> list[AgentSession]:
        """:meth:`list_sessions` with the app's default timeout."""
        return self.list_sessions()

    # -- state and statistics ------------------------------------------------------
    def info(self, *, timeout: float | timedelta | None = None) -> AgentInfo:
        """Agent-wide state and statistics (lineGetAgentInfo)."""
        channel = self._channel
        wait = channel.timeout if timeout is None else self._timeout(timeout)
        return decode_agent_info(channel.fixed(_AGENT_INFO, AGENT_INFO_SIZE, self._handle, wait))

    def set_state(
        self,
        state: AgentState | None,
        next_state: AgentState | None = None,
        *,
        timeout: float | timedelta | None = None,
    ) -> None:
        """Change the agent state (lineSetAgentStateEx; ITAgent::put_State).

        ``None`` (TAPI's 0) leaves the state, or the next state, unchanged.
        """
        states = _state_pair(state, next_state, AgentState)
        self._channel.call(lib.PT_OP_SET_AGENT_STATE, self._handle, *states,
                           timeout=self._timeout(timeout))

    def set_measurement_period(
        self, period: float | timedelta, *, timeout: float | timedelta | None = None
    ) -> None:
        """Set the statistics window, whole seconds (lineSetAgentMeasurementPeriod;
        ITAgent::put_MeasurementPeriod)."""
        value = whole_seconds(period, "period")
        self._channel.call(lib.PT_OP_SET_AGENT_PERIOD, self._handle, value,
                           timeout=self._timeout(timeout))


def _state_pair(state: Any, next_state: Any, cls: type[enum.IntEnum]) -> tuple[int, int]:
    """A (state, next state) argument pair as TAPI's DWORDs, None being 0 (unchanged)."""
    value = 0 if state is None else _validate.enum_value(state, cls, "state")
    next_value = 0 if next_state is None else _validate.enum_value(next_state, cls, "next_state")
    return value, next_value


def whole_seconds(value: Any, name: str) -> int:
    """A measurement period in whole seconds (DWORD)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _validate.dword(value, name)
    secs = seconds(value, name)
    if secs != int(secs):
        raise ValueError(f"{name} must be whole seconds, got {value!r}")
    return _validate.dword(int(secs), name)


class AgentSession:
    """An agent logged into an ACD group on an address (TAPI 3: ITAgentSession)."""

    __slots__ = ("__weakref__", "_agent", "_channel", "_handle", "_line", "_objects",
                 "address_id", "group")

    def __init__(self, objects: Objects, handle: int, agent: Agent | None = None,
                 group: UUID | None = None, address_id: int | None = None) -> None:
        self._objects = objects
        self._line = objects.line
        self._channel = objects._channel
        self._handle = handle
        self._agent = agent
        #: The ACD group (ITAgentSession::get_ACDGroup), known once created or listed.
        self.group = group
        #: The working address ID (ITAgentSession::get_Address), known once created or listed.
        self.address_id = address_id

    def _known(self, agent: Agent | None, group: UUID | None, address_id: int | None) -> None:
        """What a later list or creation taught about this session."""
        if agent is not None and self._agent is None:
            self._agent = agent
        if group is not None:
            self.group = group
        if address_id is not None:
            self.address_id = address_id

    @property
    def line(self) -> Line:
        return self._line

    @property
    def handle(self) -> int:
        """The hAgentSession."""
        return self._handle

    @property
    def agent(self) -> Agent | None:
        """The owning agent (ITAgentSession::get_Agent). A session first seen
        in an event is looked up once in the session lists of the line's
        agents (lineGetAgentSessionList, the app's default timeout); None if
        it belongs to none of them (an agent this app never created)."""
        if self._agent is None:
            self._objects.find_agent_of(self)
        return self._agent

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AgentSession):
            return NotImplemented
        return self._line is other._line and self._handle == other._handle

    def __hash__(self) -> int:
        return hash((id(self._line), self._handle))

    def __repr__(self) -> str:
        return f"<AgentSession {self._handle} group={self.group} on {self._line!r}>"

    def info(self, *, timeout: float | timedelta | None = None) -> AgentSessionInfo:
        """State and statistics in one lineGetAgentSessionInfo round trip."""
        channel = self._channel
        wait = channel.timeout if timeout is None else _validate.timeout(timeout, channel.timeout)
        return decode_session_info(channel.fixed(_SESSION_INFO, SESSION_INFO_SIZE, self._handle,
                                                 wait))

    def set_state(
        self,
        state: AgentSessionState | None,
        next_state: AgentSessionState | None = None,
        *,
        timeout: float | timedelta | None = None,
    ) -> None:
        """Change the session state (lineSetAgentSessionState; ITAgentSession::put_State).

        ``None`` (TAPI's 0) leaves the state, or the next state, unchanged.
        """
        states = _state_pair(state, next_state, AgentSessionState)
        channel = self._channel
        channel.call(lib.PT_OP_SET_SESSION_STATE, self._handle, *states,
                     timeout=_validate.timeout(timeout, channel.timeout))

    def end(self, *, timeout: float | timedelta | None = None) -> None:
        """Log out of the group: ``set_state(AgentSessionState.ENDED)``."""
        self.set_state(AgentSessionState.ENDED, timeout=timeout)
