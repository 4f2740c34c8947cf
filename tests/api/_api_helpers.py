"""Helpers of the public-API tests (imported by the test modules)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import pytapi2
from pytapi2 import _native

# The model every public-API test starts from (see conftest.py). Test modules
# import these from here, never from `conftest`: that name is ambiguous when
# several test folders are collected together.
START = datetime(2026, 1, 5, 9, 0, 0)
GROUP = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
GROUP2 = UUID("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f")
PIN = "4321"
AGENT_IDS = [f"10{i:02d}" for i in range(1, 9)]


class Raw:
    """A structure TAPI filled through the app's engine: ``ptr`` for field
    reads, ``data`` as the raw bytes. Holds the buffer alive."""

    def __init__(self, buffer: Any, struct: str, size: int) -> None:
        self.buffer = buffer
        self.ptr = _native.ffi.cast(struct + " *", buffer)
        self.data = bytes(_native.ffi.buffer(buffer, size))


def raw_call(line: pytapi2.Line, function: str, struct: str, size: int,
             invoke: Callable[[Any], int]) -> Raw:
    """One asynchronous call made by hand through the app's engine."""
    ffi = _native.ffi
    buffer = ffi.new("char[]", size)
    pointer = ffi.cast(struct + " *", buffer)
    pointer.dwTotalSize = size
    engine = line.app._engine
    engine.wait(engine.submit(function, lambda: invoke(pointer), (buffer,), line.handle), 10.0)
    return Raw(buffer, struct, size)


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Wait for a condition driven by other threads (ends as soon as it holds)."""
    event = threading.Event()
    remaining = timeout
    step = 0.001
    while remaining > 0:
        if predicate():
            return True
        event.wait(step)
        remaining -= step
        step = min(step * 2, 0.05)
    return predicate()
