"""Encoders of an agent handler's answers (:mod:`pytapi2.proxy`).

Each encoder turns a typed answer into the bytes of the TAPI output
structure that the client's request carries (LINEAGENTSESSIONINFO,
LINEAGENTSESSIONLIST, ...), for the ``total`` bytes the client allocated
(its dwTotalSize, which the handler must not change). The result is what
is written over the structure: dwUsedSize bytes, header included.

The variable-size rule (variably-sized-data-structures.md): when the whole
answer does not fit, only the fixed part is returned, with dwNeededSize
saying how much is needed and the counts and list sizes left zero, so the
client grows its buffer and asks again. Offsets are relative to the
structure itself (ns-tapi-lineproxyrequest.md). Values that a DWORD, a DATE
or a CURRENCY cannot hold raise ValueError naming the field, before
anything is written.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from pytapi2._convert import datetime_to_ole_date, decimal_to_currency
from pytapi2.snapshots import AgentCaps, AgentInfo, AgentSessionInfo, Group, Queue, QueueInfo

__all__ = [
    "SessionListEntry",
    "encode_agent_caps",
    "encode_agent_info",
    "encode_group_list",
    "encode_queue_info",
    "encode_queue_list",
    "encode_session_info",
    "encode_session_list",
]

_DWORD_MAX = 0xFFFFFFFF
_SESSION_INFO = struct.Struct("<5IdIIIIIIIIqII")
_AGENT_INFO = struct.Struct("<6Iq6I")
_QUEUE_INFO = struct.Struct("<13I")
_LIST = struct.Struct("<6I")
_SESSION_ENTRY = struct.Struct("<II16sI")
_GROUP_ENTRY = struct.Struct("<16sII")
_QUEUE_ENTRY = struct.Struct("<3I")
_AGENT_CAPS = struct.Struct("<14I16s")
#: LINEAGENTCAPS without ProxyGUID: its size for clients below TAPI 2.2.
AGENT_CAPS_V20_SIZE = _AGENT_CAPS.size - 16
_TAPI_2_2 = 0x00020002


@dataclass(frozen=True, slots=True)
class SessionListEntry:
    """One LINEAGENTSESSIONENTRY of an answer to GetAgentSessionList."""

    session: int
    agent: int
    group: UUID
    address_id: int


def _dword(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if not 0 <= value <= _DWORD_MAX:
        raise ValueError(f"{what} must fit a DWORD (0..{_DWORD_MAX:#x}), got {value}")
    return value


def _secs(value: timedelta, what: str) -> int:
    """A duration as TAPI's whole seconds (truncated)."""
    if not isinstance(value, timedelta):
        raise TypeError(f"{what} must be a timedelta, got {type(value).__name__}")
    if value < timedelta(0):
        raise ValueError(f"{what} must not be negative, got {value}")
    return _dword(value // timedelta(seconds=1), what)


def _currency(value: Decimal, what: str) -> int:
    try:
        return decimal_to_currency(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{what}: {exc}") from None


def _state(value: int | None) -> int:
    return 0 if value is None else int(value)


def _text(value: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"a name must be a str, got {type(value).__name__}")
    return (value + "\0").encode("utf-16-le")


def _fit(fixed: bytes, total: int, needed: int, body: bytes) -> bytes:
    """The header (total, needed, used) + rest of `fixed` + `body`, or the
    fixed part alone with dwNeededSize when it does not fit."""
    if needed <= total:
        return struct.pack("<3I", total, needed, needed) + fixed[12:] + body
    return struct.pack("<3I", total, needed, len(fixed)) + fixed[12:]


def encode_session_info(info: AgentSessionInfo, total: int) -> bytes:
    if not isinstance(info, AgentSessionInfo):
        raise TypeError(f"expected an AgentSessionInfo, got {type(info).__name__}")
    size = _SESSION_INFO.size
    data = _SESSION_INFO.pack(
        total, size, size, int(info.state), _state(info.next_state),
        datetime_to_ole_date(info.start_time),
        _secs(info.duration, "duration"),
        _dword(info.number_of_calls, "number_of_calls"),
        _secs(info.total_talk_time, "total_talk_time"),
        _secs(info.average_talk_time, "average_talk_time"),
        _secs(info.total_call_time, "total_call_time"),
        _secs(info.average_call_time, "average_call_time"),
        _secs(info.total_wrapup_time, "total_wrapup_time"),
        _secs(info.average_wrapup_time, "average_wrapup_time"),
        _currency(info.acd_call_rate, "acd_call_rate"),
        _secs(info.longest_time_to_answer, "longest_time_to_answer"),
        _secs(info.average_time_to_answer, "average_time_to_answer"),
    )
    return _fit(data, total, size, b"")


def encode_agent_info(info: AgentInfo, total: int) -> bytes:
    if not isinstance(info, AgentInfo):
        raise TypeError(f"expected an AgentInfo, got {type(info).__name__}")
    size = _AGENT_INFO.size
    data = _AGENT_INFO.pack(
        total, size, size, int(info.state), _state(info.next_state),
        _secs(info.measurement_period, "measurement_period"),
        _currency(info.overall_call_rate, "overall_call_rate"),
        _dword(info.number_of_acd_calls, "number_of_acd_calls"),
        _dword(info.number_of_incoming_calls, "number_of_incoming_calls"),
        _dword(info.number_of_outgoing_calls, "number_of_outgoing_calls"),
        _secs(info.total_acd_talk_time, "total_acd_talk_time"),
        _secs(info.total_acd_call_time, "total_acd_call_time"),
        _secs(info.total_acd_wrapup_time, "total_acd_wrapup_time"),
    )
    return _fit(data, total, size, b"")


def encode_queue_info(info: QueueInfo, total: int) -> bytes:
    if not isinstance(info, QueueInfo):
        raise TypeError(f"expected a QueueInfo, got {type(info).__name__}")
    size = _QUEUE_INFO.size
    data = _QUEUE_INFO.pack(
        total, size, size,
        _secs(info.measurement_period, "measurement_period"),
        _dword(info.total_calls_queued, "total_calls_queued"),
        _dword(info.current_calls_queued, "current_calls_queued"),
        _dword(info.total_calls_abandoned, "total_calls_abandoned"),
        _dword(info.total_calls_flowed_in, "total_calls_flowed_in"),
        _dword(info.total_calls_flowed_out, "total_calls_flowed_out"),
        _secs(info.longest_ever_wait_time, "longest_ever_wait_time"),
        _secs(info.current_longest_wait_time, "current_longest_wait_time"),
        _secs(info.average_wait_time, "average_wait_time"),
        _dword(info.final_disposition, "final_disposition"),
    )
    return _fit(data, total, size, b"")


def _list(total: int, count: int, entries: bytes, strings: bytes) -> bytes:
    fixed = _LIST.size
    needed = fixed + len(entries) + len(strings)
    if needed > total:
        return _fit(_LIST.pack(total, needed, fixed, 0, 0, 0), total, needed, b"")
    header = _LIST.pack(total, needed, needed, count, len(entries), fixed)
    return header + entries + strings


def encode_session_list(entries: Sequence[SessionListEntry], total: int) -> bytes:
    body = bytearray()
    for i, e in enumerate(entries):
        if not isinstance(e, SessionListEntry):
            raise TypeError(f"entry {i} must be a SessionListEntry, got {type(e).__name__}")
        if not isinstance(e.group, UUID):
            raise TypeError(f"entry {i}: group must be a uuid.UUID")
        body += _SESSION_ENTRY.pack(_dword(e.session, f"entry {i} session"),
                                    _dword(e.agent, f"entry {i} agent"), e.group.bytes_le,
                                    _dword(e.address_id, f"entry {i} address_id"))
    return _list(total, len(entries), bytes(body), b"")


def _named_list(total: int, entry: struct.Struct,
                items: Sequence[tuple[bytes | int, str]]) -> bytes:
    """Entries (key, name) with their names after the entry array."""
    names = [_text(name) for _, name in items]
    at = _LIST.size + entry.size * len(items)
    body = bytearray()
    for (key, _), name in zip(items, names, strict=True):
        body += entry.pack(key, len(name), at)
        at += len(name)
    return _list(total, len(items), bytes(body), b"".join(names))


def encode_group_list(groups: Sequence[Group], total: int) -> bytes:
    items: list[tuple[bytes | int, str]] = []
    for i, g in enumerate(groups):
        if not isinstance(g, Group) or not isinstance(g.id, UUID):
            raise TypeError(f"group {i} must be a pytapi2.Group with a uuid.UUID id")
        items.append((g.id.bytes_le, g.name))
    return _named_list(total, _GROUP_ENTRY, items)


def encode_queue_list(queues: Sequence[Queue], total: int) -> bytes:
    items: list[tuple[bytes | int, str]] = []
    for i, q in enumerate(queues):
        if not isinstance(q, Queue):
            raise TypeError(f"queue {i} must be a pytapi2.Queue, got {type(q).__name__}")
        items.append((_dword(q.id, f"queue {i} id"), q.name))
    return _named_list(total, _QUEUE_ENTRY, items)


def encode_agent_caps(caps: AgentCaps, total: int, client_version: int) -> bytes:
    """LINEAGENTCAPS at the client's version: without ProxyGUID below 2.2."""
    if not isinstance(caps, AgentCaps):
        raise TypeError(f"expected an AgentCaps, got {type(caps).__name__}")
    fixed = _AGENT_CAPS.size if client_version >= _TAPI_2_2 else AGENT_CAPS_V20_SIZE
    info = _text(caps.handler_info) if caps.handler_info else b""
    ext = b"".join(struct.pack("<4I", *(_dword(v, "extension id") for v in ids))
                   for ids in caps.extension_ids)
    needed = fixed + len(info) + len(ext)
    fits = needed <= total
    info_at, ext_at = fixed, fixed + len(info)
    data = _AGENT_CAPS.pack(
        total, needed, needed if fits else fixed,
        len(info) if fits else 0, info_at if fits and info else 0,
        _dword(caps.caps_version, "caps_version"), _dword(caps.features, "features"),
        _dword(caps.states, "states"), _dword(caps.next_states, "next_states"),
        _dword(caps.max_group_entries, "max_group_entries"),
        _dword(caps.agent_status_messages, "agent_status_messages"),
        len(caps.extension_ids) if fits else 0, len(ext) if fits else 0,
        ext_at if fits and ext else 0, caps.proxy_guid.bytes_le,
    )[:fixed]
    return data + info + ext if fits else data
