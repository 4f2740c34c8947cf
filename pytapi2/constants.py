"""TAPI constants as enums. Values come from include/tapi_types.h via the
cffi module, so the Python names can never drift from the declarations.

``str()`` and f-strings give the member's name (``print(info.state)`` prints
``READY``; flags print as ``NEW_SESSION|STATE``); ``repr()`` stays the full
``<AgentSessionState.READY: 2>``; a numeric format spec (``f"{state:d}"``)
still formats the number.
"""

from __future__ import annotations

import enum

from pytapi2._native import lib

_NUMERIC_FORMATS = frozenset("bcdoxXneEfFgG%")


def _enum_str(self: enum.IntEnum) -> str:
    return self.name


def _flag_str(self: enum.IntFlag) -> str:
    value = int(self)
    names = [m.name for m in type(self) if m.value and m.value & value == m.value and m.name]
    rest = value
    for m in type(self):
        if m.name in names:
            rest &= ~m.value
    if rest:
        names.append(hex(rest))
    return "|".join(names) if names else "0"


def _format(self: enum.IntEnum | enum.IntFlag, format_spec: str) -> str:
    if format_spec and format_spec[-1] in _NUMERIC_FORMATS:
        return format(int(self), format_spec)
    return format(str(self), format_spec)


__all__ = [
    "AgentEventCode",
    "AgentSessionEventCode",
    "AgentSessionState",
    "AgentSessionStatus",
    "AgentState",
    "AgentStatus",
    "ApiVersion",
    "GroupStatus",
    "LineMessage",
    "ProxyRequestType",
    "ProxyStatus",
    "QueueStatus",
]


class AgentSessionState(enum.IntEnum):
    """LINEAGENTSESSIONSTATE_ (TAPI 3: AGENT_SESSION_STATE)."""

    __str__ = _enum_str
    __format__ = _format

    NOT_READY = lib.LINEAGENTSESSIONSTATE_NOTREADY
    READY = lib.LINEAGENTSESSIONSTATE_READY
    BUSY_ON_CALL = lib.LINEAGENTSESSIONSTATE_BUSYONCALL
    BUSY_WRAPUP = lib.LINEAGENTSESSIONSTATE_BUSYWRAPUP
    ENDED = lib.LINEAGENTSESSIONSTATE_ENDED
    #: The switch released the session. No TAPI 3 counterpart; pytapi2 and its
    #: simulator treat it as terminal like ENDED (duration frozen on entry).
    RELEASED = lib.LINEAGENTSESSIONSTATE_RELEASED

    @property
    def is_terminal(self) -> bool:
        return self in (AgentSessionState.ENDED, AgentSessionState.RELEASED)


class AgentSessionStatus(enum.IntFlag):
    """LINEAGENTSESSIONSTATUS_: what a LINE_AGENTSESSIONSTATUS reports."""

    __str__ = _flag_str
    __format__ = _format

    NEW_SESSION = lib.LINEAGENTSESSIONSTATUS_NEWSESSION
    STATE = lib.LINEAGENTSESSIONSTATUS_STATE
    UPDATE_INFO = lib.LINEAGENTSESSIONSTATUS_UPDATEINFO


class AgentState(enum.IntEnum):
    """LINEAGENTSTATEEX_ (agent-wide state, lineSetAgentStateEx)."""

    __str__ = _enum_str
    __format__ = _format

    NOT_READY = lib.LINEAGENTSTATEEX_NOTREADY
    READY = lib.LINEAGENTSTATEEX_READY
    BUSY_ACD = lib.LINEAGENTSTATEEX_BUSYACD
    BUSY_INCOMING = lib.LINEAGENTSTATEEX_BUSYINCOMING
    BUSY_OUTGOING = lib.LINEAGENTSTATEEX_BUSYOUTGOING
    UNKNOWN = lib.LINEAGENTSTATEEX_UNKNOWN
    RELEASED = lib.LINEAGENTSTATEEX_RELEASED


class AgentStatus(enum.IntFlag):
    """LINEAGENTSTATUSEX_: what a LINE_AGENTSTATUSEX reports."""

    __str__ = _flag_str
    __format__ = _format

    NEW_AGENT = lib.LINEAGENTSTATUSEX_NEWAGENT
    STATE = lib.LINEAGENTSTATUSEX_STATE
    UPDATE_INFO = lib.LINEAGENTSTATUSEX_UPDATEINFO


class ApiVersion(enum.IntEnum):
    """TAPI API versions (high word major, low word minor)."""

    V1_3 = lib.TAPI_VERSION1_0
    V1_4 = lib.TAPI_VERSION1_4
    V2_0 = lib.TAPI_VERSION2_0
    V2_1 = lib.TAPI_VERSION2_1
    V2_2 = lib.TAPI_VERSION2_2
    V3_0 = lib.TAPI_VERSION3_0
    V3_1 = lib.TAPI_VERSION3_1

    def __str__(self) -> str:
        return f"{self.value >> 16}.{self.value & 0xFFFF}"

    __format__ = _format


class LineMessage(enum.IntEnum):
    """LINE_ message IDs (LINEMESSAGE.dwMessageID)."""

    __str__ = _enum_str
    __format__ = _format

    ADDRESSSTATE = lib.LINE_ADDRESSSTATE
    CALLINFO = lib.LINE_CALLINFO
    CALLSTATE = lib.LINE_CALLSTATE
    CLOSE = lib.LINE_CLOSE
    DEVSPECIFIC = lib.LINE_DEVSPECIFIC
    DEVSPECIFICFEATURE = lib.LINE_DEVSPECIFICFEATURE
    GATHERDIGITS = lib.LINE_GATHERDIGITS
    GENERATE = lib.LINE_GENERATE
    LINEDEVSTATE = lib.LINE_LINEDEVSTATE
    MONITORDIGITS = lib.LINE_MONITORDIGITS
    MONITORMEDIA = lib.LINE_MONITORMEDIA
    MONITORTONE = lib.LINE_MONITORTONE
    REPLY = lib.LINE_REPLY
    REQUEST = lib.LINE_REQUEST
    CREATE = lib.LINE_CREATE
    AGENTSPECIFIC = lib.LINE_AGENTSPECIFIC
    AGENTSTATUS = lib.LINE_AGENTSTATUS
    APPNEWCALL = lib.LINE_APPNEWCALL
    PROXYREQUEST = lib.LINE_PROXYREQUEST
    REMOVE = lib.LINE_REMOVE
    AGENTSESSIONSTATUS = lib.LINE_AGENTSESSIONSTATUS
    QUEUESTATUS = lib.LINE_QUEUESTATUS
    AGENTSTATUSEX = lib.LINE_AGENTSTATUSEX
    GROUPSTATUS = lib.LINE_GROUPSTATUS
    PROXYSTATUS = lib.LINE_PROXYSTATUS
    APPNEWCALLHUB = lib.LINE_APPNEWCALLHUB
    CALLHUBCLOSE = lib.LINE_CALLHUBCLOSE
    DEVSPECIFICEX = lib.LINE_DEVSPECIFICEX


class QueueStatus(enum.IntFlag):
    """LINEQUEUESTATUS_: what a LINE_QUEUESTATUS reports (line-queuestatus.md)."""

    __str__ = _flag_str
    __format__ = _format

    UPDATE_INFO = lib.LINEQUEUESTATUS_UPDATEINFO
    NEW_QUEUE = lib.LINEQUEUESTATUS_NEWQUEUE
    QUEUE_REMOVED = lib.LINEQUEUESTATUS_QUEUEREMOVED


class GroupStatus(enum.IntFlag):
    """LINEGROUPSTATUS_: what a LINE_GROUPSTATUS reports (line-groupstatus.md)."""

    __str__ = _flag_str
    __format__ = _format

    NEW_GROUP = lib.LINEGROUPSTATUS_NEWGROUP
    GROUP_REMOVED = lib.LINEGROUPSTATUS_GROUPREMOVED


class ProxyRequestType(enum.IntEnum):
    """LINEPROXYREQUEST_: the request types a handler registers for."""

    __str__ = _enum_str
    __format__ = _format

    SET_AGENT_GROUP = lib.LINEPROXYREQUEST_SETAGENTGROUP
    SET_AGENT_STATE = lib.LINEPROXYREQUEST_SETAGENTSTATE
    SET_AGENT_ACTIVITY = lib.LINEPROXYREQUEST_SETAGENTACTIVITY
    GET_AGENT_CAPS = lib.LINEPROXYREQUEST_GETAGENTCAPS
    GET_AGENT_STATUS = lib.LINEPROXYREQUEST_GETAGENTSTATUS
    AGENT_SPECIFIC = lib.LINEPROXYREQUEST_AGENTSPECIFIC
    GET_AGENT_ACTIVITY_LIST = lib.LINEPROXYREQUEST_GETAGENTACTIVITYLIST
    GET_AGENT_GROUP_LIST = lib.LINEPROXYREQUEST_GETAGENTGROUPLIST
    CREATE_AGENT = lib.LINEPROXYREQUEST_CREATEAGENT
    SET_AGENT_MEASUREMENT_PERIOD = lib.LINEPROXYREQUEST_SETAGENTMEASUREMENTPERIOD
    GET_AGENT_INFO = lib.LINEPROXYREQUEST_GETAGENTINFO
    CREATE_AGENT_SESSION = lib.LINEPROXYREQUEST_CREATEAGENTSESSION
    GET_AGENT_SESSION_LIST = lib.LINEPROXYREQUEST_GETAGENTSESSIONLIST
    SET_AGENT_SESSION_STATE = lib.LINEPROXYREQUEST_SETAGENTSESSIONSTATE
    GET_AGENT_SESSION_INFO = lib.LINEPROXYREQUEST_GETAGENTSESSIONINFO
    GET_QUEUE_LIST = lib.LINEPROXYREQUEST_GETQUEUELIST
    SET_QUEUE_MEASUREMENT_PERIOD = lib.LINEPROXYREQUEST_SETQUEUEMEASUREMENTPERIOD
    GET_QUEUE_INFO = lib.LINEPROXYREQUEST_GETQUEUEINFO
    GET_GROUP_LIST = lib.LINEPROXYREQUEST_GETGROUPLIST
    SET_AGENT_STATE_EX = lib.LINEPROXYREQUEST_SETAGENTSTATEEX


class ProxyStatus(enum.IntFlag):
    """LINEPROXYSTATUS_: what a LINE_PROXYSTATUS reports in dwParam1 (the page
    calls it "the queue status"; NOTES.md: it is the LINEPROXYSTATUS_ value)."""

    __str__ = _flag_str
    __format__ = _format

    OPEN = lib.LINEPROXYSTATUS_OPEN
    CLOSE = lib.LINEPROXYSTATUS_CLOSE
    ALL_OPEN_FOR_ACD = lib.LINEPROXYSTATUS_ALLOPENFORACD


class AgentSessionEventCode(enum.IntEnum):
    """TAPI 3's AGENT_SESSION_EVENT (ASE_*, ne-tapi3cc-agent_session_event.md),
    what ITAgentSessionEvent::get_Event returns; values as in tapi3cc.h."""

    __str__ = _enum_str
    __format__ = _format

    NEW_SESSION = 0
    NOT_READY = 1
    READY = 2
    BUSY = 3
    WRAPUP = 4
    END = 5


class AgentEventCode(enum.IntEnum):
    """TAPI 3's AGENT_EVENT (AE_*, ne-tapi3cc-agent_event.md), what
    ITAgentEvent::get_Event returns; values as in tapi3cc.h."""

    __str__ = _enum_str
    __format__ = _format

    NOT_READY = 0
    READY = 1
    BUSY_ACD = 2
    BUSY_INCOMING = 3
    BUSY_OUTGOING = 4
    UNKNOWN = 5
