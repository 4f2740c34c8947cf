"""Machine facts recorded with every run, and the process's resident set size."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def _first_line(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text(errors="replace").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def gcc_version(cc: str) -> str | None:
    try:
        out = subprocess.run([cc, "--version"], capture_output=True, text=True, check=False,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.splitlines()[0] if out.returncode == 0 and out.stdout else None


def facts(cc: str) -> dict[str, Any]:
    """What the numbers depend on: CPU, load, OS, interpreter, toolchain."""
    import cffi

    import pytapi2

    try:
        affinity: int | None = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    mem_total = _first_line("/proc/meminfo", "MemTotal")
    return {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": _first_line("/proc/cpuinfo", "model name") or platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "memory_total": mem_total,
        "load_average_start": load_average(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "cffi": cffi.__version__,
        "pytapi2": pytapi2.__version__,
        "pytapi2_path": str(Path(pytapi2.__file__).resolve().parent),
        "backend": pytapi2.backend().path,
        "cc": gcc_version(cc),
    }


def rss_bytes() -> int:
    """Current resident set size (Linux: /proc/self/statm; elsewhere the peak RSS)."""
    try:
        resident = int(Path("/proc/self/statm").read_text().split()[1])
        return resident * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
