"""Property tests (Hypothesis) of every conversion and decoder.

Conversions round-trip exactly at their documented precision; decoders fed
arbitrary bytes, sizes and offsets raise only TapiProtocolError, and never
read past dwUsedSize (the bytes after it may be anything: same result).
"""

from __future__ import annotations

import contextlib
import math
import struct
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pytapi2 import _convert, _structs, _varsize
from pytapi2.errors import TapiProtocolError

CI = settings(max_examples=300, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])

OLE_MIN_DT = datetime(100, 1, 1)
OLE_MAX_DT = datetime(9999, 12, 31, 23, 59, 59, 999_999)
US_PER_DAY = 86_400_000_000
INT64 = st.integers(-(2**63), 2**63 - 1)
DWORD = st.integers(0, 0xFFFFFFFF)

DECODERS: dict[str, Callable[[bytes], Any]] = {
    "session_info": _structs.decode_session_info,
    "agent_info": _structs.decode_agent_info,
    "queue_info": _structs.decode_queue_info,
    "session_list": _structs.decode_session_list,
    "group_list": _structs.decode_group_list,
    "queue_list": _structs.decode_queue_list,
    "agent_caps": _structs.decode_agent_caps,
}
FIXED = {
    "session_info": _structs.SESSION_INFO_SIZE,
    "agent_info": _structs.AGENT_INFO_SIZE,
    "queue_info": _structs.QUEUE_INFO_SIZE,
    "session_list": _structs.LIST_SIZE,
    "group_list": _structs.LIST_SIZE,
    "queue_list": _structs.LIST_SIZE,
    "agent_caps": _structs.AGENT_CAPS_SIZE,
}


# ---------------------------------------------------------------------------
# DATE <-> datetime


# A double resolves a microsecond only while |DATE| < 2**16 days, i.e. from
# 1720-04-15 to 2079-06-06; outside, its spacing grows to 40 us at year 9999.
EXACT_MIN_DT = _convert.OLE_EPOCH - timedelta(days=2**16 - 1)
EXACT_MAX_DT = _convert.OLE_EPOCH + timedelta(days=2**16) - timedelta(microseconds=1)


@CI
@given(st.datetimes(min_value=EXACT_MIN_DT, max_value=EXACT_MAX_DT))
@example(EXACT_MIN_DT)
@example(EXACT_MAX_DT)
@example(datetime(1899, 12, 30))
@example(datetime(1899, 12, 29, 6))  # DATE -1.25
@example(datetime(1899, 12, 29, 23, 59, 59, 999_999))
@example(datetime(1899, 12, 30, 0, 0, 0, 1))
@example(datetime(2026, 1, 5, 9, 0, 0, 500_001))
def test_date_round_trip_to_the_microsecond(when: datetime) -> None:
    date = _convert.datetime_to_ole_date(when)
    assert math.isfinite(date)
    assert _convert.ole_date_to_datetime(date) == when


@CI
@given(st.datetimes(min_value=datetime(100, 1, 2), max_value=OLE_MAX_DT))
@example(datetime(2080, 1, 1, 0, 0, 0, 2))
@example(datetime(9999, 12, 31, 23, 59, 59))
@example(datetime(100, 1, 2, 0, 0, 0, 1))
def test_date_round_trip_within_the_resolution_of_a_double(when: datetime) -> None:
    date = _convert.datetime_to_ole_date(when)
    back = _convert.ole_date_to_datetime(date)
    # half the spacing of doubles at that DATE, plus the rounding to 1 us
    bound = math.ulp(date) * US_PER_DAY / 2 + 0.5 + 1e-6
    assert abs((back - when) / timedelta(microseconds=1)) <= bound


def test_first_ole_day_after_midnight() -> None:
    when = datetime(100, 1, 1, 12)
    assert _convert.ole_date_to_datetime(_convert.datetime_to_ole_date(when)) == when


def _exact_micros(value: float) -> Fraction:
    """Microseconds since 1899-12-30 that a DATE means (OLE: the integer part
    counts days, the fraction counts time forward within that day)."""
    exact = Fraction(value)
    days = math.trunc(exact)
    return days * US_PER_DAY + abs(exact - days) * US_PER_DAY


@CI
@given(st.floats(min_value=float(_convert.MIN_OLE_DATE), max_value=2958465.99999))
@example(-1.25)
@example(-0.5)
@example(-1.9999999999)
@example(-657434.0)
@example(0.0)
def test_date_decodes_within_half_a_microsecond(value: float) -> None:
    when = _convert.ole_date_to_datetime(value)
    delta = when - _convert.OLE_EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    assert abs(micros - _exact_micros(value)) <= Fraction(1, 2) + Fraction(1, 10_000)


def test_negative_dates_count_the_time_forward() -> None:
    assert _convert.ole_date_to_datetime(-1.25) == datetime(1899, 12, 29, 6)
    assert _convert.ole_date_to_datetime(-2.75) == datetime(1899, 12, 28, 18)
    assert _convert.datetime_to_ole_date(datetime(1899, 12, 29, 6)) == -1.25


@CI
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                 st.floats(min_value=-1e300, max_value=_convert.MIN_OLE_DATE - 1),
                 st.floats(min_value=2958466.0, max_value=1e300)))
def test_bad_dates_raise_value_error_only(value: float) -> None:
    with contextlib.suppress(ValueError):
        _convert.ole_date_to_datetime(value)


# ---------------------------------------------------------------------------
# CURRENCY <-> Decimal, GUID <-> UUID


@CI
@given(INT64)
@example(-(2**63))
@example(2**63 - 1)
def test_currency_round_trip(raw: int) -> None:
    value = _convert.currency_to_decimal(raw)
    assert value == Decimal(raw) / 10_000
    assert _convert.decimal_to_currency(value) == raw


@CI
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4,
                   min_value=Decimal(-(2**63)) / 10_000, max_value=Decimal(2**63 - 1) / 10_000))
def test_decimal_round_trip(value: Decimal) -> None:
    assert _convert.currency_to_decimal(_convert.decimal_to_currency(value)) == value


@CI
@given(st.decimals(allow_nan=True, allow_infinity=False).filter(lambda d: not d.is_snan()))
@example(Decimal("0.00001"))
@example(Decimal(2**63) / 10_000)
@example(Decimal("NaN"))
def test_decimal_out_of_range_or_too_precise_is_value_error(value: Decimal) -> None:
    try:
        raw = _convert.decimal_to_currency(value)
    except ValueError:
        return
    assert Decimal(raw) / 10_000 == value


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "sNaN"])
def test_decimal_infinities_are_value_error(value: str) -> None:
    with pytest.raises(ValueError):
        _convert.decimal_to_currency(Decimal(value))


@CI
@given(st.binary(min_size=16, max_size=16))
def test_guid_round_trip(raw: bytes) -> None:
    value = _convert.guid_bytes_to_uuid(raw)
    assert _convert.uuid_to_guid_bytes(value) == raw
    assert _convert.guid_bytes_to_uuid(_convert.uuid_to_guid_bytes(value)) == value


@CI
@given(st.uuids())
def test_uuid_round_trip_and_layout(value: UUID) -> None:
    raw = _convert.uuid_to_guid_bytes(value)
    data1, data2, data3 = struct.unpack_from("<IHH", raw)
    assert (data1, data2, data3) == (value.time_low, value.time_mid, value.time_hi_version)
    assert raw[8:] == value.bytes[8:]


@CI
@given(st.binary().filter(lambda b: len(b) != 16))
def test_guid_of_wrong_length_is_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        _convert.guid_bytes_to_uuid(raw)


@CI
@given(st.integers(-(2**40), 2**40))
def test_simulator_clock_round_trip(ms: int) -> None:
    assert _convert.datetime_to_unix_ms(_convert.unix_ms_to_datetime(ms)) == ms


# ---------------------------------------------------------------------------
# Decoders: arbitrary bytes, and structures built from arbitrary sizes/offsets


def _decode(name: str, data: bytes) -> tuple[str, Any]:
    """('ok', value) or ('protocol', message); any other exception propagates."""
    try:
        return "ok", DECODERS[name](data)
    except TapiProtocolError as exc:
        assert str(exc)
        return "protocol", str(exc)


@CI
@given(st.sampled_from(sorted(DECODERS)), st.binary(max_size=512))
def test_decoders_on_random_bytes(name: str, data: bytes) -> None:
    _decode(name, data)


@st.composite
def structures(draw: st.DrawFn) -> tuple[str, bytes]:
    """A structure whose size and offset fields are arbitrary but whose bytes
    are mostly plausible: the header is coherent more often than not, and the
    variable part holds UTF-16 text, NULs and garbage."""
    name = draw(st.sampled_from(sorted(DECODERS)))
    fixed = FIXED[name]
    body = bytearray(draw(st.binary(min_size=fixed, max_size=fixed + 256)))
    used = draw(st.one_of(st.integers(fixed, len(body)), DWORD))
    struct.pack_into("<3I", body, 0, len(body), draw(st.one_of(st.just(used), DWORD)), used)
    small = st.integers(0, len(body) + 8)
    field = st.one_of(small, DWORD)
    if name.endswith("_list"):
        entry = {"session_list": 28, "group_list": 24, "queue_list": 12}[name]
        count = draw(st.one_of(st.integers(0, 6), DWORD))
        list_size = draw(st.one_of(st.just(min(count * entry, 0xFFFFFFFF)), field))
        struct.pack_into("<3I", body, 12, count, list_size,
                         draw(st.one_of(st.just(fixed), field)))
        for i in range(min(count, 6)):
            at = fixed + i * entry + entry - 8
            if at + 8 <= len(body) and name != "session_list":
                struct.pack_into("<2I", body, at, draw(field), draw(field))
    elif name == "agent_caps":
        struct.pack_into("<2I", body, 12, draw(field), draw(field))
        struct.pack_into("<3I", body, 44, draw(st.one_of(st.integers(0, 4), DWORD)), draw(field),
                         draw(field))
    elif name == "session_info":
        struct.pack_into("<2I", body, 12, draw(st.sampled_from([1, 2, 4, 8, 16, 32, 0, 3])),
                         draw(st.sampled_from([0, 1, 2, 4, 8, 16, 32, 5])))
        struct.pack_into("<d", body, 20, draw(st.floats()))
    text = draw(st.text(max_size=20)).encode("utf-16-le", "surrogatepass")
    at = draw(st.integers(fixed, len(body)))
    body[at:at + len(text)] = text[:max(0, len(body) - at)]
    return name, bytes(body[:len(body)])


@CI
@given(structures(), st.binary(min_size=1, max_size=64))
def test_decoders_only_raise_protocol_error_and_never_read_past_used(
        item: tuple[str, bytes], garbage: bytes) -> None:
    name, data = item
    outcome = _decode(name, data)
    used = int.from_bytes(data[8:12], "little")
    keep = max(used, 12)  # never cut into the header itself
    if keep <= len(data):
        # Anything after dwUsedSize is not TAPI's: replacing or extending it
        # must not change the result.
        tail = (garbage * (len(data) // len(garbage) + 2))[:len(data) - keep + len(garbage)]
        assert _decode(name, data[:keep] + tail) == outcome


@CI
@given(st.binary(max_size=64), DWORD, DWORD, st.text(max_size=10))
def test_utf16_region(prefix: bytes, size: int, offset: int, text: str) -> None:
    data = prefix + text.encode("utf-16-le", "surrogatepass") + b"\0\0"
    used = len(data)
    try:
        value = _varsize.utf16(data, used, size, offset, "field")
    except TapiProtocolError:
        return
    assert size == 0 or (offset + size <= used and size % 2 == 0)
    assert isinstance(value, str) and len(value) <= size // 2


@CI
@given(st.binary(max_size=64), DWORD, DWORD, DWORD, st.integers(1, 64))
def test_entries_region(data: bytes, count: int, size: int, offset: int, entry: int) -> None:
    try:
        start, n = _varsize.entries(data, len(data), count, size, offset, entry, "list")
    except TapiProtocolError:
        return
    assert n == count
    assert n == 0 or start + n * entry <= len(data)


def test_session_info_snapshot_is_a_value() -> None:
    data = bytearray(_structs.SESSION_INFO_SIZE)
    struct.pack_into("<5I", data, 0, len(data), len(data), len(data), 1, 0)
    info = _structs.decode_session_info(bytes(data), snapshot=1.0)
    assert info.duration_at(11.0) == timedelta(seconds=10)
