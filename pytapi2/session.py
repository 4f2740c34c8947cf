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
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pytapi2 import _validate
from pytapi2._convert import seconds, uuid_to_guid_bytes
from pytapi2._native import ffi, lib
from pytapi2._requests import struct_type
from pytapi2._structs import (
    AgentInfo,
    AgentSessionInfo,
    decode_agent_info,
    decode_session_info,
    decode_session_list,
)
from pytapi2.constants import AgentSessionState, AgentState

if TYPE_CHECKING:
    from pytapi2.app import Line

__all__ = ["Agent", "AgentSession"]

# Resolved once: the fixed-size structures refreshed by info() (see _requests.StructType).
_SESSION_INFO = struct_type("LINEAGENTSESSIONINFO")
_AGENT_INFO = struct_type("LINEAGENTINFO")


def _optional_text(value: Any, name: str) -> Any:
    """A WCHAR[] copy of an optional string (kept alive with the request), or NULL."""
    if value is None:
        return ffi.NULL
    return ffi.new("WCHAR[]", _validate.text(value, name))


class Agent:
    """An ACD agent on a line (TAPI 3: ITAgent)."""

    __slots__ = ("__weakref__", "_handle", "_id", "_line", "_pin")

    def __init__(self, line: Line, handle: int, agent_id: str | None = None,
                 pin: str | None = None) -> None:
        self._line = line
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
        pin_buffer = _optional_text(pin, "pin")
        wait = self._line._timeout(timeout)
        guid = ffi.new("GUID *")
        ffi.memmove(guid, uuid_to_guid_bytes(group), 16)
        handle = self._line._call_for_handle(
            "lineCreateAgentSessionW", lib.lineCreateAgentSessionW,
            (self._handle, pin_buffer, address, guid), (guid, pin_buffer), wait)
        return self._line._session(handle, agent=self, group=group, address_id=address)

    def list_sessions(self, *, timeout: float | timedelta | None = None) -> list[AgentSession]:
        """The agent's sessions (lineGetAgentSessionList; ITAgent::get_AgentSessions)."""
        wait = self._line._timeout(timeout)
        line_handle, agent_handle = self._line._live_handle("lineGetAgentSessionList"), self._handle
        data = self._line._get_struct(
            "lineGetAgentSessionList", "LINEAGENTSESSIONLIST", 4096,
            lib.lineGetAgentSessionList, (line_handle, agent_handle), wait,
        )
        line = self._line
        result = []
        for entry in decode_session_list(data):
            agent = self if entry.agent == self._handle else line._agent(entry.agent)
            result.append(line._session(entry.session, agent=agent, group=entry.group,
                                        address_id=entry.address_id))
        return result

    @property
    def sessions(self) -> list[AgentSession]:
        """:meth:`list_sessions` with the app's default timeout."""
        return self.list_sessions()

    # -- state and statistics ------------------------------------------------------
    def info(self, *, timeout: float | timedelta | None = None) -> AgentInfo:
        """Agent-wide state and statistics (lineGetAgentInfo)."""
        line = self._line
        wait = line._app._timeout if timeout is None else line._timeout(timeout)
        args = (line._live_handle("lineGetAgentInfo"), self._handle)
        return decode_agent_info(
            line._get_fixed("lineGetAgentInfo", _AGENT_INFO, lib.lineGetAgentInfo, args, wait))

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
        self._line._call("lineSetAgentStateEx", lib.lineSetAgentStateEx,
                         (self._handle, *states), (), self._line._timeout(timeout))

    def set_measurement_period(
        self, period: float | timedelta, *, timeout: float | timedelta | None = None
    ) -> None:
        """Set the statistics window, whole seconds (lineSetAgentMeasurementPeriod;
        ITAgent::put_MeasurementPeriod)."""
        value = _period(period, "period")
        self._line._call("lineSetAgentMeasurementPeriod", lib.lineSetAgentMeasurementPeriod,
                         (self._handle, value), (), self._line._timeout(timeout))


def _state_pair(state: Any, next_state: Any, cls: type[enum.IntEnum]) -> tuple[int, int]:
    """A (state, next state) argument pair as TAPI's DWORDs, None being 0 (unchanged)."""
    value = 0 if state is None else _validate.enum_value(state, cls, "state")
    next_value = 0 if next_state is None else _validate.enum_value(next_state, cls, "next_state")
    return value, next_value


def _period(value: Any, name: str) -> int:
    """A measurement period in whole seconds (DWORD)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _validate.dword(value, name)
    secs = seconds(value, name)
    if secs != int(secs):
        raise ValueError(f"{name} must be whole seconds, got {value!r}")
    return _validate.dword(int(secs), name)


class AgentSession:
    """An agent logged into an ACD group on an address (TAPI 3: ITAgentSession)."""

    __slots__ = ("__weakref__", "_agent", "_handle", "_line", "address_id", "group")

    def __init__(self, line: Line, handle: int, agent: Agent | None = None,
                 group: UUID | None = None, address_id: int | None = None) -> None:
        self._line = line
        self._handle = handle
        self._agent = agent
        #: The ACD group (ITAgentSession::get_ACDGroup), known once created or listed.
        self.group = group
        #: The working address ID (ITAgentSession::get_Address), known once created or listed.
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
            self._line._find_agent_of(self)
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
        line = self._line
        app = line._app
        wait = app._timeout if timeout is None else line._timeout(timeout)
        if line._closed or app._closed:
            line._live_handle("lineGetAgentSessionInfo")  # raises TapiClosedError
        return decode_session_info(line._get_fixed(
            "lineGetAgentSessionInfo", _SESSION_INFO, lib.lineGetAgentSessionInfo,
            (line._handle, self._handle), wait))

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
        self._line._call("lineSetAgentSessionState", lib.lineSetAgentSessionState,
                         (self._handle, *states), (), self._line._timeout(timeout))

    def end(self, *, timeout: float | timedelta | None = None) -> None:
        """Log out of the group: ``set_state(AgentSessionState.ENDED)``."""
        self.set_state(AgentSessionState.ENDED, timeout=timeout)
