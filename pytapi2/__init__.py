"""pytapi2: Windows TAPI 2.2 call-center agent sessions from Python."""

from __future__ import annotations

from pytapi2._native import Backend, BackendError, backend, load

__all__ = ["Backend", "BackendError", "backend", "load"]
__version__ = "0.1.0"
