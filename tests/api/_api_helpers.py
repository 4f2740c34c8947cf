"""Helpers of the public-API tests (imported by the test modules)."""

from __future__ import annotations

import threading
import time
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


_OPS = {
    "lineGetGroupListW": "PT_OP_GROUP_LIST",
    "lineGetAgentSessionList": "PT_OP_SESSION_LIST",
    "lineGetAgentSessionInfo": "PT_OP_SESSION_INFO",
}


def raw_call(line: pytapi2.Line, function: str, struct: str, size: int,
             *args: int) -> Raw:
    """One structure request through the line's request core, read raw:
    ``args`` are the arguments after hLine (a handle), as the core takes them."""
    ffi, lib = _native.ffi, _native.lib
    core = line.app._core
    req = core.new_request()
    status = core.issue(req, getattr(lib, _OPS[function]), line.handle, *args, size=size)
    core.wait(req, status, 10.0, time.monotonic() + 10.0)
    buffer = ffi.new("char[]", bytes(ffi.buffer(req.buffer, req.size)))
    return Raw(buffer, struct, int(req.size))


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
