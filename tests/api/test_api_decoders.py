"""Decoders of the TAPI structures, fed well-formed and malformed buffers."""

from __future__ import annotations

import contextlib
import struct
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytapi2 import AgentSessionState, AgentState, TapiProtocolError
from pytapi2._convert import datetime_to_ole_date
from pytapi2._native import ffi
from pytapi2._structs import (
    AgentSessionInfo,
    decode_agent_caps,
    decode_agent_info,
    decode_group_list,
    decode_queue_info,
    decode_queue_list,
    decode_session_info,
    decode_session_infos,
    decode_session_list,
)

SESSION_INFO = struct.Struct("<5IdIIIIIIIIqII")
G1 = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")


def test_struct_sizes_match_the_declarations() -> None:
    assert SESSION_INFO.size == ffi.sizeof("LINEAGENTSESSIONINFO") == 76
    assert ffi.sizeof("LINEAGENTINFO") == 56
    assert ffi.sizeof("LINEAGENTSESSIONENTRY") == 28
    assert ffi.sizeof("LINEAGENTGROUPENTRY") == 24
    assert ffi.sizeof("LINEQUEUEENTRY") == 12
    assert ffi.sizeof("LINEAGENTCAPS") == 72


def session_info_bytes(**fields: object) -> bytes:
    values = dict(total=76, needed=76, used=76, state=2, next=1,
                  date=datetime_to_ole_date(datetime(2026, 1, 5, 9)), duration=3600, calls=4,
                  talk=800, avg_talk=200, call=1000, avg_call=250, wrap=200, avg_wrap=50,
                  rate=40000, longest=12, avg_answer=6)
    values.update(fields)
    return SESSION_INFO.pack(*values.values())


def test_session_info_fields_and_computed() -> None:
    info = decode_session_info(session_info_bytes(), snapshot=100.0)
    assert info.state is AgentSessionState.READY
    assert info.next_state is AgentSessionState.NOT_READY
    assert info.start_time == datetime(2026, 1, 5, 9)
    assert info.duration == timedelta(hours=1)
    assert info.number_of_calls == 4
    assert info.total_talk_time == timedelta(seconds=800)
    assert info.average_call_time == timedelta(seconds=250)
    assert info.acd_call_rate == Decimal("4.0000")
    assert info.longest_time_to_answer == timedelta(seconds=12)
    assert not info.ended and info.end_time is None
    assert info.idle_time == timedelta(seconds=2600)
    assert info.occupancy == pytest.approx(1000 / 3600)
    assert info.duration_at(130.0) == timedelta(seconds=3630)
    assert info.duration_at(90.0) == timedelta(hours=1)  # never before the snapshot
    with pytest.raises(AttributeError):
        info.state = AgentSessionState.ENDED  # type: ignore[misc]
    assert not hasattr(info, "__dict__")


def test_session_info_ended_and_zero_duration() -> None:
    info = decode_session_info(session_info_bytes(state=0x10, next=0, duration=0, call=0),
                               snapshot=0.0)
    assert info.ended and info.next_state is None
    assert info.end_time == info.start_time
    assert info.occupancy == 0.0
    assert info.duration_at(1e6) == timedelta(0)
    released = decode_session_info(session_info_bytes(state=0x20, call=5000))
    assert released.ended and released.idle_time == timedelta(0)


def test_session_info_equality_ignores_snapshot() -> None:
    data = session_info_bytes()
    assert decode_session_info(data, snapshot=1.0) == decode_session_info(data, snapshot=2.0)
    assert isinstance(hash(decode_session_info(data)), int)
    assert isinstance(decode_session_info(data), AgentSessionInfo)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 75,
        session_info_bytes(used=75),
        session_info_bytes(used=77),
        session_info_bytes(state=0x40),
        session_info_bytes(next=3),
        session_info_bytes(date=float("nan")),
        session_info_bytes(date=1e12),
    ],
)
def test_session_info_malformed(data: bytes) -> None:
    with pytest.raises(TapiProtocolError):
        decode_session_info(data)


def test_session_info_larger_buffer_is_fine() -> None:
    data = session_info_bytes(total=100, used=80) + b"\xff" * 24
    assert decode_session_info(data).number_of_calls == 4


def test_agent_and_queue_info() -> None:
    agent = struct.pack("<6Iq6I", 56, 56, 56, 2, 0, 3600, 123456, 3, 2, 1, 30, 40, 10)
    info = decode_agent_info(agent)
    assert info.state is AgentState.READY and info.next_state is None
    assert info.overall_call_rate == Decimal("12.3456")
    assert info.measurement_period == timedelta(hours=1)
    assert info.total_acd_wrapup_time == timedelta(seconds=10)
    with pytest.raises(TapiProtocolError):
        decode_agent_info(agent[:40])
    queue = struct.pack("<13I", 52, 52, 52, 60, 9, 2, 1, 0, 0, 30, 12, 7, 0)
    q = decode_queue_info(queue)
    assert q.total_calls_queued == 9 and q.average_wait_time == timedelta(seconds=7)
    with pytest.raises(TapiProtocolError):
        decode_queue_info(struct.pack("<13I", 52, 52, 53, *([0] * 10)))


# -- lists ---------------------------------------------------------------------


def session_list(entries: list[tuple[int, int, UUID, int]], *, count: int | None = None,
                 list_size: int | None = None, list_offset: int = 24,
                 used: int | None = None) -> bytes:
    body = b"".join(struct.pack("<II16sI", s, a, g.bytes_le, addr) for s, a, g, addr in entries)
    size = 24 + len(body)
    header = struct.pack("<6I", size, size, size if used is None else used,
                         len(entries) if count is None else count,
                         len(body) if list_size is None else list_size, list_offset)
    return header + body


def test_session_list() -> None:
    entries = [(i + 1, 7, G1, i % 2) for i in range(3)]
    decoded = decode_session_list(session_list(entries))
    assert [(e.session, e.agent, e.group, e.address_id) for e in decoded] == entries
    assert decode_session_list(session_list([])) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"count": 4},                       # more entries than the list holds
        {"count": 0xFFFFFFFF},              # huge count
        {"list_size": 0xFFFFFFF0},          # list past dwUsedSize
        {"list_offset": 30},                # list runs past dwUsedSize
        {"list_offset": 0xFFFFFFFF},        # offset overflow
        {"used": 50},                       # dwUsedSize cuts the list
        {"used": 1000},                     # dwUsedSize past the buffer
        {"used": 10},                       # dwUsedSize below the fixed part
    ],
)
def test_session_list_malformed(kwargs: dict[str, int]) -> None:
    data = session_list([(i + 1, 7, G1, 0) for i in range(3)], **kwargs)
    with pytest.raises(TapiProtocolError):
        decode_session_list(data)


def group_list(names: list[bytes], *, offsets: list[int] | None = None,
               sizes: list[int] | None = None, used_delta: int = 0) -> bytes:
    count = len(names)
    list_size = 24 * count
    strings_at = 24 + list_size
    entries = b""
    strings = b""
    for i, raw in enumerate(names):
        offset = strings_at + len(strings) if offsets is None else offsets[i]
        size = len(raw) if sizes is None else sizes[i]
        entries += struct.pack("<16sII", G1.bytes_le, size, offset)
        strings += raw
    total = strings_at + len(strings)
    return struct.pack("<6I", total, total, total + used_delta, count, list_size, 24) + \
        entries + strings


def test_group_list_names() -> None:
    data = group_list(["Sales\0".encode("utf-16-le"), "Support".encode("utf-16-le"),
                       "Ünïcødé 🎧\0".encode("utf-16-le"), b""])
    groups = decode_group_list(data)
    assert [g.name for g in groups] == ["Sales", "Support", "Ünïcødé 🎧", ""]
    assert all(g.id == G1 for g in groups)


@pytest.mark.parametrize(
    "data",
    [
        group_list(["Sales".encode("utf-16-le")], sizes=[11]),            # odd size
        group_list([b"\x00\xd8\x41\x00"]),                               # lone surrogate
        group_list(["Sales".encode("utf-16-le")], offsets=[1000]),         # offset past used
        group_list(["Sales".encode("utf-16-le")], sizes=[0xFFFFFFFE]),     # size past used
        group_list(["Sales".encode("utf-16-le")], used_delta=-4),          # used cuts name
    ],
)
def test_group_list_malformed(data: bytes) -> None:
    with pytest.raises(TapiProtocolError):
        decode_group_list(data)


def test_queue_list() -> None:
    name = "Main\0".encode("utf-16-le")
    data = struct.pack("<6I", 24 + 12 + len(name), 0, 24 + 12 + len(name), 1, 12, 24) + \
        struct.pack("<3I", 42, len(name), 36) + name
    (queue,) = decode_queue_list(data)
    assert (queue.id, queue.name) == (42, "Main")
    bad = struct.pack("<6I", 36, 0, 36, 2, 12, 24) + struct.pack("<3I", 42, 0, 0)
    with pytest.raises(TapiProtocolError):
        decode_queue_list(bad)


def test_agent_caps() -> None:
    info = "Sim\0".encode("utf-16-le")
    body = struct.pack("<14I16s", 0, 0, 0, len(info), 88, 0x30001, 3, 0x7F, 0x7F, 1, 7, 1, 16,
                       72, G1.bytes_le) + struct.pack("<4I", 1, 2, 3, 4) + info
    total = len(body)
    data = struct.pack("<3I", total, total, total) + body[12:]
    caps = decode_agent_caps(data)
    assert caps.handler_info == "Sim" and caps.extension_ids == ((1, 2, 3, 4),)
    assert caps.proxy_guid == G1
    with pytest.raises(TapiProtocolError):
        decode_agent_caps(data[:60])


# -- fuzz: any bytes decode or raise TapiProtocolError, nothing else -------------

DECODERS = [decode_session_info, decode_agent_info, decode_queue_info, decode_session_list,
            decode_group_list, decode_queue_list, decode_agent_caps]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(DECODERS))
def test_fuzz_random_bytes(data: bytes, decoder: object) -> None:
    with contextlib.suppress(TapiProtocolError):
        decoder(data)  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(
    count=st.integers(0, 2**32 - 1), list_size=st.integers(0, 2**32 - 1),
    list_offset=st.integers(0, 2**32 - 1), used=st.integers(0, 2**32 - 1),
    name_size=st.integers(0, 2**32 - 1), name_offset=st.integers(0, 2**32 - 1),
    decoder=st.sampled_from([decode_session_list, decode_group_list, decode_queue_list]),
)
def test_fuzz_list_headers(count: int, list_size: int, list_offset: int, used: int,
                           name_size: int, name_offset: int, decoder: object) -> None:
    body = struct.pack("<16sII", G1.bytes_le, name_size, name_offset) * 4 + b"A\0B\0" * 8
    data = struct.pack("<6I", 24 + len(body), 0, used, count, list_size, list_offset) + body
    with contextlib.suppress(TapiProtocolError):
        decoder(data)  # type: ignore[operator]


def test_session_infos_block() -> None:
    # A batch block: entry 0 clean, entry 1 not clean (left to the caller),
    # entry 2 clean but with an unknown state (its own error, not the batch's).
    good, bad = session_info_bytes(), session_info_bytes(state=0x40)
    block = good + bytes(len(good)) + bad
    results, failed = decode_session_infos(block, b"\x01\x00\x01", len(good), 5.0)
    assert results[0] == decode_session_info(good) and results[0].snapshot == 5.0
    assert results[1] is None
    assert isinstance(results[2], TapiProtocolError) and "dwAgentSessionState" in str(results[2])
    assert failed
    # Entries larger than the structure (a size learnt from a grown reply).
    wide = good + bytes(4)
    results, failed = decode_session_infos(wide * 2, b"\x01\x01", len(wide), 1.0)
    assert results == [decode_session_info(good)] * 2 and not failed
    with pytest.raises(ValueError, match="beyond"):
        decode_session_info(good, 1.0, offset=4, size=len(good))
