"""The benchmark suite's quick mode runs end to end (``python -m benchmarks --quick``).

Checks that every benchmark ran and produced positive numbers, never how fast:
timings belong to the full run on a quiet machine, not to CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pytapi2

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # the quick mode takes a few seconds; this only bounds a hang

pytestmark = [
    pytest.mark.skipif(not (ROOT / "benchmarks" / "run.py").exists(),
                       reason="benchmarks/ is not part of this tree"),
    pytest.mark.skipif(shutil.which(os.environ.get("CC", "gcc")) is None,
                       reason="the C loop needs a C compiler"),
]


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    env = dict(os.environ)
    env.pop("PYTAPI2_LIBRARY", None)
    # The child imports the pytapi2 this test imported (installed or in-place
    # build) and the benchmarks package of this checkout.
    package_root = str(Path(pytapi2.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root, str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out / "quick.json"),
         "--plot", str(out / "quick.png")],
        cwd=out, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Targets" in result.stdout
    data: dict[str, Any] = json.loads((out / "quick.json").read_text())
    if data["plot"] is not None:
        assert (out / "quick.png").stat().st_size > 0
    else:
        assert "matplotlib" in data["plot_skipped"]
    return data


def test_every_benchmark_is_present(document: dict[str, Any]) -> None:
    assert document["mode"] == "quick"
    sizes = document["config"]["sizes"]
    assert sizes
    expected = {"refresh/pytapi2", "refresh/pytapi2_fields", "refresh/ctypes_tuned",
                "refresh/ctypes_peer", "refresh/c_loop", "threads/8", "memory", "import"}
    for n in sizes:
        expected.add(f"session_list/N={n}")
        for latency in ("0ms", "1ms"):
            expected |= {f"pipelined/{latency}/N={n}", f"sequential/{latency}/N={n}",
                         f"speedup/{latency}/N={n}"}
    missing = expected - set(document["benchmarks"])
    assert not missing, f"benchmarks missing from the JSON: {sorted(missing)}"


def test_timings_are_positive(document: dict[str, Any]) -> None:
    for name, result in document["benchmarks"].items():
        if name in ("memory", "import"):
            continue
        if name.startswith("speedup/"):
            assert _positive(result["median"]), (name, result)
            continue
        assert result["rounds"] >= 1 and result["loops_per_round"] >= 1, (name, result)
        for key in ("median_s", "q1_s", "q3_s"):
            assert _positive(result[key]), (name, key, result)
        assert all(_positive(v) for v in result["values_s"]), (name, result)
        if "per_session_s" in result:
            assert _positive(result["per_session_s"]), (name, result)


def test_memory_and_import(document: dict[str, Any]) -> None:
    memory = document["benchmarks"]["memory"]
    for key in ("refreshes", "rss_before_bytes", "rss_after_bytes", "seconds_per_refresh"):
        assert _positive(memory[key]), (key, memory)
    assert isinstance(memory["rss_growth_bytes"], int)
    imported = document["benchmarks"]["import"]
    assert _positive(imported["import_s"]), imported
    assert _positive(imported["python_import_pytapi2"]["median_s"]), imported


def test_targets_and_machine_facts(document: dict[str, Any]) -> None:
    targets = document["targets"]
    assert len(targets) >= 6
    for target in targets:
        assert isinstance(target["met"], bool) and isinstance(target["value"], (int, float))
    machine = document["machine"]
    for key in ("python", "platform", "cpu_count", "cffi", "backend", "cc"):
        assert machine[key], key
