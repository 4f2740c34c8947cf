"""Decoders of the TAPI structures pytapi2 reads, and the snapshots they produce.

Each ``decode_*`` takes a ``bytes`` copy of exactly the buffer TAPI filled
and returns immutable Python values; malformed input raises
:class:`TapiProtocolError` (never an out-of-bounds read).
"""

from __future__ import annotations

import enum
import math
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from pytapi2._convert import currency_to_decimal, ole_date_to_datetime
from pytapi2._varsize import entries, header, utf16
from pytapi2.constants import AgentSessionState, AgentState
from pytapi2.errors import TapiProtocolError

__all__ = [
    "AgentCaps",
    "AgentInfo",
    "AgentSessionInfo",
    "Group",
    "Queue",
    "QueueInfo",
    "SessionEntry",
    "decode_agent_caps",
    "decode_agent_info",
    "decode_group_list",
    "decode_queue_info",
    "decode_queue_list",
    "decode_session_info",
    "decode_session_list",
]

_E = TypeVar("_E", bound=enum.IntEnum)

# LINEAGENTSESSIONINFO: 5 DWORDs, DATE, 8 DWORDs, CURRENCY, 2 DWORDs = 76 bytes.
_SESSION_INFO = struct.Struct("<5IdIIIIIIIIqII")
SESSION_INFO_SIZE = _SESSION_INFO.size
# LINEAGENTINFO: 6 DWORDs, CURRENCY, 6 DWORDs = 56 bytes.
_AGENT_INFO = struct.Struct("<6Iq6I")
AGENT_INFO_SIZE = _AGENT_INFO.size
# LINEQUEUEINFO: 13 DWORDs = 52 bytes.
_QUEUE_INFO = struct.Struct("<13I")
QUEUE_INFO_SIZE = _QUEUE_INFO.size
# List headers (LINEAGENTSESSIONLIST, LINEAGENTGROUPLIST, LINEQUEUELIST): 6 DWORDs.
_LIST = struct.Struct("<6I")
LIST_SIZE = _LIST.size
# LINEAGENTSESSIONENTRY: hAgentSession, hAgent, GUID, dwWorkingAddressID = 28 bytes.
_SESSION_ENTRY = struct.Struct("<II16sI")
# LINEAGENTGROUPENTRY: GUID, dwNameSize, dwNameOffset = 24 bytes.
_GROUP_ENTRY = struct.Struct("<16sII")
# LINEQUEUEENTRY: dwQueueID, dwNameSize, dwNameOffset = 12 bytes.
_QUEUE_ENTRY = struct.Struct("<3I")
# LINEAGENTCAPS: 14 DWORDs, GUID = 72 bytes.
_AGENT_CAPS = struct.Struct("<14I16s")
AGENT_CAPS_SIZE = _AGENT_CAPS.size
_EXTENSION_ID = struct.Struct("<4I")


def _enum(cls: type[_E], value: int, what: str) -> _E:
    try:
        return cls(value)
    except ValueError:
        raise TapiProtocolError(f"{what}: unknown {cls.__name__} value {value:#x}") from None


def _enum_or_none(cls: type[_E], value: int, what: str) -> _E | None:
    return None if value == 0 else _enum(cls, value, what)


def _seconds(value: int) -> timedelta:
    return timedelta(seconds=value)


# --------------------------------------------------------------------------
# LINEAGENTSESSIONINFO


@dataclass(frozen=True, slots=True)
class AgentSessionInfo:
    """One lineGetAgentSessionInfo snapshot (ITAgentSession's statistics).

    Durations are ``timedelta`` (TAPI counts whole seconds). ``snapshot`` is
    the ``time.monotonic()`` of the moment the reply was decoded, used by
    :meth:`duration_at` to extrapolate a running session's duration.
    """

    state: AgentSessionState
    next_state: AgentSessionState | None
    start_time: datetime
    duration: timedelta
    number_of_calls: int
    total_talk_time: timedelta
    average_talk_time: timedelta
    total_call_time: timedelta
    average_call_time: timedelta
    total_wrapup_time: timedelta
    average_wrapup_time: timedelta
    acd_call_rate: Decimal
    longest_time_to_answer: timedelta
    average_time_to_answer: timedelta
    snapshot: float = field(default_factory=time.monotonic, compare=False, repr=False)

    @property
    def ended(self) -> bool:
        """The session is over (ENDED or RELEASED): its duration no longer grows."""
        return self.state in (AgentSessionState.ENDED, AgentSessionState.RELEASED)

    @property
    def end_time(self) -> datetime | None:
        """start_time + duration once the session has ended; else None."""
        return self.start_time + self.duration if self.ended else None

    @property
    def idle_time(self) -> timedelta:
        """Session time not spent on ACD calls (duration - total call time, >= 0)."""
        return max(self.duration - self.total_call_time, timedelta(0))

    @property
    def occupancy(self) -> float:
        """Share of the session spent on ACD calls (0.0 for a zero duration)."""
        if not self.duration:
            return 0.0
        return self.total_call_time / self.duration

    def duration_at(self, t: float | None = None) -> timedelta:
        """The session duration at monotonic time ``t`` (default: now).

        Frozen once the session has ended; otherwise the snapshot's duration
        plus the monotonic time elapsed since the snapshot was taken.
        """
        if self.ended:
            return self.duration
        if t is None:
            t = time.monotonic()
        elif isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise TypeError(f"t must be a time.monotonic() timestamp, got {t!r}")
        return self.duration + timedelta(seconds=max(0.0, t - self.snapshot))


# The hot path of a refresh builds AgentSessionInfo without its generated
# __init__ (keyword parsing plus one object.__setattr__ per field, ~1.5 us):
# the fields are stored on an instance of a mutable twin with the very same
# slots, whose class is then switched to AgentSessionInfo -- from then on it is
# an ordinary frozen AgentSessionInfo (same type, __setattr__ refuses, equal
# and hashable as ever). The switch needs identical slot layouts, which CPython
# checks; if it were refused (another interpreter), object.__setattr__ is used.
class _SessionInfoBuilder:
    __slots__ = AgentSessionInfo.__slots__


_new = object.__new__
_decimal = Decimal
_SECOND = timedelta(seconds=1)  # timedelta * int is exact and skips argument parsing
_SESSION_STATES: dict[int, AgentSessionState] = {m.value: m for m in AgentSessionState}
# start_time is fixed for a session's life: its DATE -> datetime conversion is
# cached (bounded: cleared when full; a miss costs one ole_date_to_datetime).
_DATE_CACHE: dict[float, datetime] = {}
_DATE_CACHE_SIZE = 4096
_SESSION_WHAT = "LINEAGENTSESSIONINFO"


def _session_start(date: float) -> datetime:
    """The cached ole_date_to_datetime of a dateSessionStartTime."""
    start = _DATE_CACHE.get(date)
    if start is None:
        try:
            start = ole_date_to_datetime(date)
        except ValueError as exc:
            raise TapiProtocolError(f"LINEAGENTSESSIONINFO.dateSessionStartTime: {exc}") from None
        if len(_DATE_CACHE) >= _DATE_CACHE_SIZE:
            _DATE_CACHE.clear()
        _DATE_CACHE[date] = start
    return start


def _unknown_state(value: int, what: str) -> TapiProtocolError:
    return TapiProtocolError(f"{what}: unknown AgentSessionState value {value:#x}")


def decode_session_info(data: bytes, snapshot: float | None = None) -> AgentSessionInfo:
    """Decode a LINEAGENTSESSIONINFO (one struct.unpack_from over the buffer)."""
    size = len(data)
    if size < SESSION_INFO_SIZE:
        header(data, SESSION_INFO_SIZE, _SESSION_WHAT)  # raises with detail
    (_, _, used, state, next_state, date, duration, calls, total_talk, avg_talk, total_call,
     avg_call, total_wrap, avg_wrap, rate, longest, avg_answer) = _SESSION_INFO.unpack_from(data)
    if used < SESSION_INFO_SIZE or used > size:
        header(data, SESSION_INFO_SIZE, _SESSION_WHAT)  # raises with detail
    states = _SESSION_STATES
    info: Any = _new(_SessionInfoBuilder)
    info.state = states.get(state)
    if info.state is None:
        raise _unknown_state(state, "LINEAGENTSESSIONINFO.dwAgentSessionState")
    if next_state:
        info.next_state = states.get(next_state)
        if info.next_state is None:
            raise _unknown_state(next_state, "LINEAGENTSESSIONINFO.dwNextAgentSessionState")
    else:
        info.next_state = None
    info.start_time = _DATE_CACHE.get(date) or _session_start(date)
    second = _SECOND
    info.duration = second * duration
    info.number_of_calls = calls
    info.total_talk_time = second * total_talk
    info.average_talk_time = second * avg_talk
    info.total_call_time = second * total_call
    info.average_call_time = second * avg_call
    info.total_wrapup_time = second * total_wrap
    info.average_wrapup_time = second * avg_wrap
    info.acd_call_rate = _decimal(rate).scaleb(-4)  # currency_to_decimal, inlined
    info.longest_time_to_answer = second * longest
    info.average_time_to_answer = second * avg_answer
    info.snapshot = time.monotonic() if snapshot is None else snapshot
    return _freeze(info)


def _freeze_by_class(info: Any) -> AgentSessionInfo:
    info.__class__ = AgentSessionInfo
    return info  # type: ignore[no-any-return]


def _freeze_by_setattr(info: Any) -> AgentSessionInfo:
    result = _new(AgentSessionInfo)
    for name in AgentSessionInfo.__slots__:
        object.__setattr__(result, name, getattr(info, name))
    return result


def _pick_freeze() -> Callable[[Any], AgentSessionInfo]:
    probe: Any = _new(_SessionInfoBuilder)
    try:
        probe.__class__ = AgentSessionInfo
    except TypeError:  # pragma: no cover - CPython accepts identical slot layouts
        return _freeze_by_setattr
    return _freeze_by_class


_freeze = _pick_freeze()


# --------------------------------------------------------------------------
# LINEAGENTINFO


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """One lineGetAgentInfo snapshot (ITAgent's statistics, over all sessions)."""

    state: AgentState
    next_state: AgentState | None
    measurement_period: timedelta
    overall_call_rate: Decimal
    number_of_acd_calls: int
    number_of_incoming_calls: int
    number_of_outgoing_calls: int
    total_acd_talk_time: timedelta
    total_acd_call_time: timedelta
    total_acd_wrapup_time: timedelta


def decode_agent_info(data: bytes) -> AgentInfo:
    header(data, AGENT_INFO_SIZE, "LINEAGENTINFO")
    (_, _, _, state, next_state, period, rate, acd, incoming, outgoing, talk, call,
     wrap) = _AGENT_INFO.unpack_from(data)
    return AgentInfo(
        state=_enum(AgentState, state, "LINEAGENTINFO.dwAgentState"),
        next_state=_enum_or_none(AgentState, next_state, "LINEAGENTINFO.dwNextAgentState"),
        measurement_period=_seconds(period),
        overall_call_rate=currency_to_decimal(rate),
        number_of_acd_calls=acd,
        number_of_incoming_calls=incoming,
        number_of_outgoing_calls=outgoing,
        total_acd_talk_time=_seconds(talk),
        total_acd_call_time=_seconds(call),
        total_acd_wrapup_time=_seconds(wrap),
    )


# --------------------------------------------------------------------------
# LINEQUEUEINFO


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """One lineGetQueueInfo snapshot (statistics over the measurement period)."""

    measurement_period: timedelta
    total_calls_queued: int
    current_calls_queued: int
    total_calls_abandoned: int
    total_calls_flowed_in: int
    total_calls_flowed_out: int
    longest_ever_wait_time: timedelta
    current_longest_wait_time: timedelta
    average_wait_time: timedelta
    final_disposition: int


def decode_queue_info(data: bytes) -> QueueInfo:
    header(data, QUEUE_INFO_SIZE, "LINEQUEUEINFO")
    (_, _, _, period, queued, current, abandoned, flowed_in, flowed_out, longest_ever,
     current_longest, average, disposition) = _QUEUE_INFO.unpack_from(data)
    return QueueInfo(
        measurement_period=_seconds(period),
        total_calls_queued=queued,
        current_calls_queued=current,
        total_calls_abandoned=abandoned,
        total_calls_flowed_in=flowed_in,
        total_calls_flowed_out=flowed_out,
        longest_ever_wait_time=_seconds(longest_ever),
        current_longest_wait_time=_seconds(current_longest),
        average_wait_time=_seconds(average),
        final_disposition=disposition,
    )


# --------------------------------------------------------------------------
# Lists


def _list(data: bytes, entry_size: int, what: str) -> tuple[int, int, int]:
    """Check a list header; return (used size, list start, entry count)."""
    hdr = header(data, LIST_SIZE, what)
    _, _, _, count, list_size, list_offset = _LIST.unpack_from(data)
    start, count = entries(data, hdr.used, count, list_size, list_offset, entry_size, what)
    return hdr.used, start, count


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One LINEAGENTSESSIONENTRY."""

    session: int
    agent: int
    group: UUID
    address_id: int


def decode_session_list(data: bytes) -> list[SessionEntry]:
    _, start, count = _list(data, _SESSION_ENTRY.size, "LINEAGENTSESSIONLIST")
    result = []
    for session, agent, guid, address in _SESSION_ENTRY.iter_unpack(
        data[start:start + count * _SESSION_ENTRY.size]
    ):
        result.append(SessionEntry(session, agent, UUID(bytes_le=guid), address))
    return result


@dataclass(frozen=True, slots=True)
class Group:
    """An ACD group (LINEAGENTGROUPENTRY; TAPI 3: ITACDGroup)."""

    id: UUID
    name: str


def decode_group_list(data: bytes) -> list[Group]:
    used, start, count = _list(data, _GROUP_ENTRY.size, "LINEAGENTGROUPLIST")
    result = []
    for i in range(count):
        guid, size, offset = _GROUP_ENTRY.unpack_from(data, start + i * _GROUP_ENTRY.size)
        name = utf16(data, used, size, offset, f"LINEAGENTGROUPLIST entry {i} name")
        result.append(Group(UUID(bytes_le=guid), name))
    return result


@dataclass(frozen=True, slots=True)
class Queue:
    """An ACD queue of a group (LINEQUEUEENTRY; TAPI 3: ITQueue)."""

    id: int
    name: str


def decode_queue_list(data: bytes) -> list[Queue]:
    used, start, count = _list(data, _QUEUE_ENTRY.size, "LINEQUEUELIST")
    result = []
    for i in range(count):
        queue_id, size, offset = _QUEUE_ENTRY.unpack_from(data, start + i * _QUEUE_ENTRY.size)
        name = utf16(data, used, size, offset, f"LINEQUEUELIST entry {i} name")
        result.append(Queue(queue_id, name))
    return result


# --------------------------------------------------------------------------
# LINEAGENTCAPS


@dataclass(frozen=True, slots=True)
class AgentCaps:
    """LINEAGENTCAPS: what the agent handler of an address supports."""

    handler_info: str
    caps_version: int
    features: int
    states: int
    next_states: int
    max_group_entries: int
    agent_status_messages: int
    extension_ids: tuple[tuple[int, int, int, int], ...]
    proxy_guid: UUID


def decode_agent_caps(data: bytes) -> AgentCaps:
    hdr = header(data, AGENT_CAPS_SIZE, "LINEAGENTCAPS")
    (_, _, _, info_size, info_offset, version, features, states, next_states, max_groups,
     messages, num_ext, ext_size, ext_offset, proxy) = _AGENT_CAPS.unpack_from(data)
    info = utf16(data, hdr.used, info_size, info_offset, "LINEAGENTCAPS.AgentHandlerInfo")
    start, count = entries(data, hdr.used, num_ext, ext_size, ext_offset, 16,
                           "LINEAGENTCAPS.AgentExtensionIDList")
    ext = tuple(_EXTENSION_ID.unpack_from(data, start + 16 * i) for i in range(count))
    return AgentCaps(
        handler_info=info,
        caps_version=version,
        features=features,
        states=states,
        next_states=next_states,
        max_group_entries=max_groups,
        agent_status_messages=messages,
        extension_ids=ext,
        proxy_guid=UUID(bytes_le=proxy),
    )
