"""Decoders of the TAPI structures pytapi2 reads, and the snapshots they produce.

Each ``decode_*`` takes a ``bytes`` copy of exactly the buffer TAPI filled
and returns immutable Python values; malformed input raises
:class:`TapiProtocolError` (never an out-of-bounds read).
"""

from __future__ import annotations

import enum
import struct
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from pytapi2._convert import currency_to_decimal, ole_date_to_datetime
from pytapi2._varsize import entries, header, utf16
from pytapi2.constants import AgentSessionState, AgentState
from pytapi2.errors import TapiProtocolError
from pytapi2.snapshots import (
    AgentCaps,
    AgentInfo,
    AgentSessionInfo,
    Group,
    Queue,
    QueueInfo,
    SessionEntry,
)

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


# The hot path of a refresh builds AgentSessionInfo without its generated
# __init__ (keyword parsing plus one object.__setattr__ per field, ~1.5 us):
# the fields are stored on a typed mutable twin with the very same slots, whose
# class is then set to AgentSessionInfo -- from then on it is an ordinary
# frozen AgentSessionInfo (same type, __setattr__ refuses, equal and hashable
# as ever). CPython checks that the slot layouts are identical; if it refused
# (another interpreter), the fields are copied with object.__setattr__.
class _SessionInfoBuilder:
    __slots__ = AgentSessionInfo.__slots__
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
    snapshot: float


# timedelta of a whole number of seconds and Decimal of a CURRENCY, cached:
# statistics repeat from one refresh to the next, and a dict hit is ~4x cheaper
# than building the value. Plain dicts (a subclass with __missing__ is not
# specialised by the interpreter and costs ~20 ns more per field): a miss
# raises KeyError, the decoder then learns all the values of the reply
# (_learn_session_values) and decodes again. Bounded: cleared when full.
_SECONDS_LIMIT = 65536
_RATES_LIMIT = 4096
_SECOND = timedelta(seconds=1)  # timedelta * int is exact and skips argument parsing


def _learn_session_values(seconds: tuple[int, ...], rate: int) -> None:
    if len(_SECONDS) + len(seconds) > _SECONDS_LIMIT:
        _SECONDS.clear()
    for value in seconds:
        if value not in _SECONDS:
            _SECONDS[value] = _SECOND * value
    if rate not in _RATES:
        if len(_RATES) >= _RATES_LIMIT:
            _RATES.clear()
        _RATES[rate] = Decimal(rate).scaleb(-4)  # currency_to_decimal, exact


_new = object.__new__
_SECONDS: dict[int, timedelta] = {}
_RATES: dict[int, Decimal] = {}
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


def _session_state(value: int, what: str) -> AgentSessionState:
    state = _SESSION_STATES.get(value)
    if state is None:
        raise _unknown_state(value, what)
    return state


def decode_session_info(data: bytes, snapshot: float | None = None, offset: int = 0,
                        size: int | None = None) -> AgentSessionInfo:
    """Decode a LINEAGENTSESSIONINFO (one struct.unpack_from over the buffer):
    all of ``data``, or the ``size`` bytes at ``offset`` (an entry of a batch)."""
    if size is None:
        size = len(data) - offset
    elif offset + size > len(data):
        raise ValueError(f"an entry of {size} bytes at {offset} is beyond the {len(data)} "
                         "bytes of data")
    if size < SESSION_INFO_SIZE:
        header(data[offset:offset + size], SESSION_INFO_SIZE, _SESSION_WHAT)  # raises
    (_, _, used, state, next_state, date, duration, calls, total_talk, avg_talk, total_call,
     avg_call, total_wrap, avg_wrap, rate, longest, avg_answer) = _SESSION_INFO.unpack_from(
        data, offset)
    if used < SESSION_INFO_SIZE or used > size:
        header(data[offset:offset + size], SESSION_INFO_SIZE, _SESSION_WHAT)  # raises
    states = _SESSION_STATES
    info = _new(_SessionInfoBuilder)
    info.state = states.get(state) or _session_state(
        state, "LINEAGENTSESSIONINFO.dwAgentSessionState")
    info.next_state = (states.get(next_state) or _session_state(
        next_state, "LINEAGENTSESSIONINFO.dwNextAgentSessionState")) if next_state else None
    info.start_time = _DATE_CACHE.get(date) or _session_start(date)
    seconds = _SECONDS
    info.number_of_calls = calls
    try:
        info.duration = seconds[duration]
        info.total_talk_time = seconds[total_talk]
        info.average_talk_time = seconds[avg_talk]
        info.total_call_time = seconds[total_call]
        info.average_call_time = seconds[avg_call]
        info.total_wrapup_time = seconds[total_wrap]
        info.average_wrapup_time = seconds[avg_wrap]
        info.acd_call_rate = _RATES[rate]
        info.longest_time_to_answer = seconds[longest]
        info.average_time_to_answer = seconds[avg_answer]
    except KeyError:
        # A value not cached yet (rare: the first refreshes, new statistics).
        _learn_session_values((duration, total_talk, avg_talk, total_call, avg_call,
                               total_wrap, avg_wrap, longest, avg_answer), rate)
        return decode_session_info(data, snapshot, offset, size)
    info.snapshot = time.monotonic() if snapshot is None else snapshot
    return _freeze(info)


def decode_session_infos(block: bytes, clean: bytes, size: int, snapshot: float
                         ) -> tuple[list[AgentSessionInfo | TapiProtocolError | None], bool]:
    """The LINEAGENTSESSIONINFOs of a batch, entry i the ``size`` bytes at
    ``i * size``: each decoded (or its TapiProtocolError) where ``clean[i]``,
    else None; and whether any failed to decode. No copy per entry; one
    ``snapshot`` for all."""
    results: list[AgentSessionInfo | TapiProtocolError | None] = []
    append = results.append
    decode = decode_session_info
    offset = 0
    failed = False
    for ok in clean:
        if ok:
            try:
                append(decode(block, snapshot, offset, size))
            except TapiProtocolError as exc:
                append(exc)
                failed = True
        else:
            append(None)
        offset += size
    return results, failed


def _freeze_by_class(info: _SessionInfoBuilder) -> AgentSessionInfo:
    # The one place the twin becomes the frozen type (same slots, checked by
    # CPython; see _pick_freeze).
    # A plain store (the twin is mutable): cheaper than object.__setattr__.
    info.__class__ = AgentSessionInfo  # type: ignore[assignment]
    return info  # type: ignore[return-value]  # it is one now


def _freeze_by_setattr(info: _SessionInfoBuilder) -> AgentSessionInfo:
    result = _new(AgentSessionInfo)
    for name in AgentSessionInfo.__slots__:
        object.__setattr__(result, name, getattr(info, name))
    return result


def _pick_freeze() -> Callable[[_SessionInfoBuilder], AgentSessionInfo]:
    try:
        _freeze_by_class(_new(_SessionInfoBuilder))
    except TypeError:  # pragma: no cover - CPython accepts identical slot layouts
        return _freeze_by_setattr
    return _freeze_by_class


_freeze = _pick_freeze()


# --------------------------------------------------------------------------
# LINEAGENTINFO


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


def decode_session_list(data: bytes) -> list[SessionEntry]:
    _, start, count = _list(data, _SESSION_ENTRY.size, "LINEAGENTSESSIONLIST")
    result = []
    for session, agent, guid, address in _SESSION_ENTRY.iter_unpack(
        data[start:start + count * _SESSION_ENTRY.size]
    ):
        result.append(SessionEntry(session, agent, UUID(bytes_le=guid), address))
    return result


def decode_group_list(data: bytes) -> list[Group]:
    used, start, count = _list(data, _GROUP_ENTRY.size, "LINEAGENTGROUPLIST")
    result = []
    for i in range(count):
        guid, size, offset = _GROUP_ENTRY.unpack_from(data, start + i * _GROUP_ENTRY.size)
        name = utf16(data, used, size, offset, f"LINEAGENTGROUPLIST entry {i} name")
        result.append(Group(UUID(bytes_le=guid), name))
    return result


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
