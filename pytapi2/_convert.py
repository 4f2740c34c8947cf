"""Conversions between TAPI's wire values and Python types.

- OLE Automation DATE (double, days since 1899-12-30) <-> naive ``datetime``;
  exact for negative DATEs, whose integer part counts days *before* the
  epoch while the fraction still counts time *forward* within that day
  (-1.25 is 1899-12-29 06:00, not 1899-12-28 18:00).
- CURRENCY (int64, value * 10 000) <-> ``Decimal``, exactly.
- GUID (16 bytes: Data1..Data3 little-endian, then 8 bytes) <-> ``uuid.UUID``.
- The simulator's clock (int ms since 1970-01-01, naive) <-> ``datetime``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

OLE_EPOCH = datetime(1899, 12, 30)
UNIX_EPOCH = datetime(1970, 1, 1)

_US_PER_DAY = 86_400_000_000
_CURRENCY_SCALE = 10_000
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

# Day parts of the first and last DATE days OLE Automation defines
# (0100-01-01 and 9999-12-31).
MIN_OLE_DATE = -657434
MAX_OLE_DATE = 2958465


def ole_date_to_datetime(value: float) -> datetime:
    """A DATE as a naive datetime, rounded to the microsecond.

    A double carries ~0.5 µs of resolution at present-day dates, so the
    microsecond is the precision TAPI's DATEs actually have.
    """
    if not math.isfinite(value):
        raise ValueError(f"DATE {value!r} is not a finite number")
    days = math.trunc(value)
    # The day part decides the range: -657434.5 is 0100-01-01 12:00.
    if not MIN_OLE_DATE <= days <= MAX_OLE_DATE:
        raise ValueError(f"DATE {value!r} is outside the datetime range (years 100..9999)")
    fraction = abs(value - days)
    micros = round(fraction * _US_PER_DAY)
    try:
        return OLE_EPOCH + timedelta(days=days, microseconds=micros)
    except OverflowError:
        raise ValueError(f"DATE {value!r} is outside the datetime range (years 1..9999)") from None


def datetime_to_ole_date(when: datetime) -> float:
    """A naive datetime as a DATE (the inverse of :func:`ole_date_to_datetime`)."""
    if not isinstance(when, datetime):
        raise TypeError(f"expected a datetime, got {type(when).__name__}")
    if when.tzinfo is not None:
        raise ValueError("DATE has no time zone: pass a naive datetime")
    delta = when - OLE_EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    days, time_of_day = divmod(micros, _US_PER_DAY)  # floor: time_of_day >= 0
    if days >= 0:
        return days + time_of_day / _US_PER_DAY
    return days - time_of_day / _US_PER_DAY


def currency_to_decimal(raw: int) -> Decimal:
    """A CURRENCY's int64 as an exact Decimal (raw / 10 000)."""
    return Decimal(raw).scaleb(-4)


def decimal_to_currency(value: Decimal | int) -> int:
    """A Decimal as CURRENCY's int64; refuses values it cannot hold exactly."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"expected a Decimal or int, got {type(value).__name__}")
    if not Decimal(value).is_finite():
        raise ValueError(f"{value} is not a finite amount")
    scaled = Decimal(value).scaleb(4)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 4 decimal places")
    raw = int(scaled)
    if not _INT64_MIN <= raw <= _INT64_MAX:
        raise ValueError(f"{value} is outside the CURRENCY range")
    return raw


def guid_bytes_to_uuid(raw: bytes) -> UUID:
    """16 bytes of a GUID in memory (little-endian first three fields) as a UUID."""
    return UUID(bytes_le=bytes(raw))


def uuid_to_guid_bytes(value: UUID) -> bytes:
    if not isinstance(value, UUID):
        raise TypeError(f"expected a uuid.UUID, got {type(value).__name__}")
    return value.bytes_le


def unix_ms_to_datetime(ms: int) -> datetime:
    return UNIX_EPOCH + timedelta(milliseconds=ms)


def datetime_to_unix_ms(when: datetime) -> int:
    if not isinstance(when, datetime):
        raise TypeError(f"expected a datetime, got {type(when).__name__}")
    if when.tzinfo is not None:
        raise ValueError("the simulator clock is naive: pass a naive datetime")
    delta = when - UNIX_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def seconds(value: float | timedelta, name: str) -> float:
    """A duration argument (seconds or timedelta) as float seconds, checked."""
    if isinstance(value, timedelta):
        result = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise TypeError(f"{name} must be seconds (int/float) or a timedelta, "
                        f"got {type(value).__name__}")
    if not math.isfinite(result) or result < 0:
        raise ValueError(f"{name} must be a finite, non-negative duration, got {value!r}")
    return result
