"""Variable-size TAPI structures: sizing, and bounds-checked reading.

Every variable-size structure starts with dwTotalSize (set by the caller),
dwNeededSize and dwUsedSize (set by TAPI). TAPI fills the variable part only
when it fits; otherwise the caller grows the buffer to dwNeededSize and asks
again (memory-allocation.md).

Decoding always works on a ``bytes`` copy of exactly the buffer handed to
TAPI, and every Size/Offset pair is checked against dwUsedSize before it is
read, so a malformed structure raises :class:`TapiProtocolError` and never
reads out of bounds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from pytapi2.errors import TapiProtocolError

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_SIZE",
    "Header",
    "entries",
    "header",
    "region",
    "utf16",
]

#: How often a call is repeated with a grown buffer before giving up.
MAX_ATTEMPTS = 5
#: Largest buffer pytapi2 hands to TAPI for one structure (64 MiB).
MAX_SIZE = 64 * 1024 * 1024

_HEADER = struct.Struct("<3I")
_SIZE_OFFSET = struct.Struct("<2I")


@dataclass(frozen=True, slots=True)
class Header:
    total: int
    needed: int
    used: int


def header(data: bytes, fixed_size: int, what: str) -> Header:
    """Check the size fields of a structure whose fixed part is ``fixed_size``.

    dwUsedSize must cover the fixed part and lie within the buffer.
    """
    if len(data) < fixed_size:
        raise TapiProtocolError(f"{what}: buffer of {len(data)} bytes is smaller than the "
                                f"fixed part ({fixed_size} bytes)", function=None)
    total, needed, used = _HEADER.unpack_from(data, 0)
    if used < fixed_size:
        raise TapiProtocolError(f"{what}: dwUsedSize {used} is smaller than the fixed part "
                                f"({fixed_size} bytes)")
    if used > len(data):
        raise TapiProtocolError(f"{what}: dwUsedSize {used} exceeds the buffer "
                                f"({len(data)} bytes)")
    return Header(total, needed, used)


def region(data: bytes, used: int, size: int, offset: int, what: str) -> tuple[int, int]:
    """Check that [offset, offset + size) lies within the used part; return (start, end).

    A zero size is always valid (whatever the offset).
    """
    if size == 0:
        return 0, 0
    end = offset + size
    if offset < 0 or end > used or end > len(data):
        raise TapiProtocolError(f"{what}: {size} bytes at offset {offset} lie outside "
                                f"the {used} used bytes")
    return offset, end


def size_offset(data: bytes, at: int) -> tuple[int, int]:
    """A (dwXxxSize, dwXxxOffset) pair at byte ``at``."""
    size, offset = _SIZE_OFFSET.unpack_from(data, at)
    return size, offset


def entries(
    data: bytes, used: int, count: int, list_size: int, list_offset: int, entry_size: int,
    what: str,
) -> tuple[int, int]:
    """Check an entry list (count * entry_size within the list, list within dwUsedSize).

    Returns the list's start offset and the number of entries.
    """
    if count * entry_size > list_size:
        raise TapiProtocolError(f"{what}: {count} entries of {entry_size} bytes do not fit "
                                f"in a list of {list_size} bytes")
    if count == 0:
        return 0, 0
    start, _ = region(data, used, list_size, list_offset, what + " list")
    return start, count


def utf16(data: bytes, used: int, size: int, offset: int, what: str) -> str:
    """A WCHAR string field: UTF-16-LE, one trailing NUL stripped."""
    start, end = region(data, used, size, offset, what)
    if size % 2:
        raise TapiProtocolError(f"{what}: odd string size {size}")
    raw = data[start:end]
    if raw.endswith(b"\0\0"):
        raw = raw[:-2]
    try:
        return raw.decode("utf-16-le", errors="strict")
    except UnicodeDecodeError as exc:
        raise TapiProtocolError(f"{what}: invalid UTF-16 ({exc.reason})") from None
