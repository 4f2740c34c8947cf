"""pytapi2._proxy_encode: a handler's typed answers encoded into TAPI's
structures, read back with pytapi2's own client-side decoders; too-small
buffers get the fixed part and dwNeededSize; bad values are refused by name."""

from __future__ import annotations

import struct
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from _proxy_helpers import session_info
from hypothesis import given
from hypothesis import strategies as st

from pytapi2 import AgentCaps, AgentInfo, AgentState, Group, Queue, QueueInfo
from pytapi2._proxy_encode import (
    AGENT_CAPS_V20_SIZE,
    SessionListEntry,
    encode_agent_caps,
    encode_agent_info,
    encode_group_list,
    encode_queue_info,
    encode_queue_list,
    encode_session_info,
    encode_session_list,
)
from pytapi2._structs import (
    decode_agent_caps,
    decode_agent_info,
    decode_group_list,
    decode_queue_info,
    decode_queue_list,
    decode_session_info,
    decode_session_list,
)

HEADER = struct.Struct("<3I")


def _padded(data: bytes, total: int) -> bytes:
    """The client's buffer after the write: `total` bytes, the rest untouched (0)."""
    assert len(data) <= total
    return data + bytes(total - len(data))


def test_session_info_round_trip() -> None:
    info = session_info()
    data = encode_session_info(info, 200)
    total, needed, used = HEADER.unpack_from(data)
    assert (total, needed, used) == (200, 76, 76) and len(data) == 76
    assert decode_session_info(_padded(data, 200)) == info


def test_agent_and_queue_info_round_trip() -> None:
    agent = AgentInfo(AgentState.BUSY_ACD, AgentState.READY, timedelta(hours=8), Decimal("1.25"),
                      7, 2, 3, timedelta(minutes=20), timedelta(minutes=25), timedelta(minutes=5))
    assert decode_agent_info(encode_agent_info(agent, 60)) == agent
    queue = QueueInfo(timedelta(hours=1), 10, 3, 2, 1, 0, timedelta(minutes=4),
                      timedelta(seconds=50), timedelta(seconds=20), 0)
    assert decode_queue_info(encode_queue_info(queue, 52)) == queue


@given(st.lists(st.text(max_size=40).filter(lambda t: "\0" not in t), max_size=20),
       st.integers(min_value=24, max_value=4000))
def test_group_list_fits_or_says_how_much_it_needs(names: list[str], total: int) -> None:
    groups = [Group(UUID(int=i + 1), name) for i, name in enumerate(names)]
    data = encode_group_list(groups, total)
    _, needed, used = HEADER.unpack_from(data)
    assert len(data) == used <= total
    if needed <= total:
        assert decode_group_list(_padded(data, total)) == groups
    else:
        assert used == 24 and decode_group_list(_padded(data, total)) == []
        # the client grows to dwNeededSize and asks again: now it fits
        assert decode_group_list(encode_group_list(groups, needed)) == groups


def test_session_and_queue_lists_round_trip() -> None:
    entries = [SessionListEntry(1, 2, UUID(int=3), 0), SessionListEntry(4, 2, UUID(int=5), 1)]
    decoded = decode_session_list(encode_session_list(entries, 100))
    assert [(e.session, e.agent, e.group, e.address_id) for e in decoded] == [
        (1, 2, UUID(int=3), 0), (4, 2, UUID(int=5), 1)]
    queues = [Queue(7, "Inbound"), Queue(8, "")]
    assert decode_queue_list(encode_queue_list(queues, 500)) == queues
    small = encode_session_list(entries, 30)
    assert HEADER.unpack_from(small) == (30, 24 + 2 * 28, 24)


def test_agent_caps_at_the_clients_version() -> None:
    caps = AgentCaps("Python ACD", 0x00030001, 0, 0, 0, 0, 0, ((1, 2, 3, 4),), UUID(int=9))
    assert decode_agent_caps(encode_agent_caps(caps, 1000, 0x00020002)) == caps
    old = encode_agent_caps(caps, 1000, 0x00020000)  # no ProxyGUID below 2.2
    _, needed, used = HEADER.unpack_from(old)
    assert needed == used == AGENT_CAPS_V20_SIZE + 22 + 16
    tight = encode_agent_caps(caps, 72, 0x00030001)
    assert HEADER.unpack_from(tight) == (72, 72 + 22 + 16, 72)


@pytest.mark.parametrize(("field", "value", "error", "match"), [
    ("total_talk_time", timedelta(seconds=-1), ValueError, "total_talk_time"),
    ("number_of_calls", 2**32, ValueError, "number_of_calls"),
    ("duration", 5, TypeError, "duration"),
    ("acd_call_rate", Decimal("0.00001"), ValueError, "acd_call_rate"),
])
def test_values_tapi_cannot_hold_are_refused_by_name(
        field: str, value: object, error: type[Exception], match: str) -> None:
    fields = {name: getattr(session_info(), name) for name in session_info().__slots__
              if name != "snapshot"}
    fields[field] = value
    bad = type(session_info())(**fields)
    with pytest.raises(error, match=match):
        encode_session_info(bad, 100)


def test_wrong_answer_types_are_refused() -> None:
    with pytest.raises(TypeError, match="AgentSessionInfo"):
        encode_session_info("info", 100)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="entry 0"):
        encode_session_list([(1, 2, UUID(int=3), 0)], 100)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="group 0"):
        encode_group_list(["Sales"], 100)  # type: ignore[list-item]
