"""Argument checks made before any C call: TypeError / ValueError naming the argument."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

from pytapi2._convert import seconds

__all__ = ["dword", "enum_value", "text", "timeout", "uuid"]

DWORD_MAX = 0xFFFFFFFF
_E = TypeVar("_E", bound=enum.IntEnum)


def dword(value: Any, name: str) -> int:
    """An unsigned 32-bit integer argument."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not 0 <= value <= DWORD_MAX:
        raise ValueError(f"{name} must be in 0..{DWORD_MAX:#x}, got {value}")
    return int(value)


def _article(word: str) -> str:
    return f"an {word}" if word[:1].upper() in "AEIOU" else f"a {word}"


def enum_value(value: Any, cls: type[_E], name: str) -> int:
    """A member of ``cls`` (plain ints accepted only if they are a member's value)."""
    if isinstance(value, cls):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or isinstance(value, enum.Enum):
        raise TypeError(f"{name} must be {_article(cls.__name__)}, got {type(value).__name__}")
    try:
        return int(cls(value))
    except ValueError:
        raise ValueError(f"{name} must be {_article(cls.__name__)}, got {value!r}") from None


def text(value: Any, name: str, *, max_length: int = 32767) -> str:
    """A string for a WCHAR parameter: str, no NUL, bounded length."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{name} must not contain NUL characters")
    if len(value) > max_length:
        raise ValueError(f"{name} is too long ({len(value)} > {max_length} characters)")
    try:
        value.encode("utf-16-le")
    except UnicodeEncodeError:
        raise ValueError(f"{name} contains unpaired surrogates") from None
    return value


def uuid(value: Any, name: str) -> UUID:
    if not isinstance(value, UUID):
        raise TypeError(f"{name} must be a uuid.UUID, got {type(value).__name__}")
    return value


def timeout(value: Any, default: float | None, name: str = "timeout") -> float | None:
    """A timeout in seconds: None -> ``default``; float('inf') -> wait forever."""
    if value is None:
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == float("inf"):
        return None
    if not isinstance(value, (int, float, timedelta)) or isinstance(value, bool):
        raise TypeError(f"{name} must be seconds (int/float) or a timedelta, "
                        f"got {type(value).__name__}")
    try:
        return seconds(value, name)
    except ValueError:
        # seconds() says "finite", but a timeout may be float('inf'): say so.
        raise ValueError(f"{name} must be a non-negative number of seconds or timedelta "
                         f"(float('inf') waits forever), got {value!r}") from None
