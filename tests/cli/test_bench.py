"""``pytapi2 bench`` against the simulator: what it reports, and that the
latencies it reports respect bounds the simulator guarantees.

No test here times anything tightly. Every latency check is a bound that a
slow, loaded machine cannot break: a reply configured to come 1 ms late
cannot arrive sooner, a worker blocked by a 50 ms reply cannot send during
those 50 ms, and a worker that needs >= 1 ms per request cannot keep up with
2000 requests a second. Accuracy (p50 within 10% of the configured latency)
depends on the machine's scheduling and is measured by
``python -m benchmarks.cli_bench`` instead (results in benchmarks/README.md).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pytapi2
from pytapi2 import AgentSessionState
from pytapi2.cli.bench import REQUESTS, BenchConfig, Worker, run_phase
from pytapi2.simulator import Fault, Simulator

ROOT = Path(pytapi2.__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="runs on the simulator")


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTAPI2_LIBRARY"}
    return subprocess.run([sys.executable, "-m", "pytapi2", "bench", "--no-progress", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def bench_json(*args: str) -> dict[str, Any]:
    result = bench("--json", *args)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_json_document_and_closed_loop_bounds() -> None:
    doc = bench_json("--latency", "2ms", "--duration", "0.5s", "--mode", "both",
                     "--request", "info", "--request", "agent-info", "--rate", "100")
    assert doc["backend"] == "simulator"
    assert doc["config"]["latency_s"] == 0.002
    assert doc["overhead"]["per_request_us"] > 0
    results = doc["results"]
    assert [(r["request"], r["mode"]) for r in results] == [
        ("info", "closed"), ("info", "open"), ("agent-info", "closed"), ("agent-info", "open")]
    for r in results:
        lat = r["latency_us"]
        assert r["requests"] > 0 and r["errors"] == {}
        assert lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99.9"] <= lat["max"]
        # No reply can come sooner than the configured latency.
        assert lat["p50"] >= 2000
    closed = results[0]
    # One worker, >= 2 ms a request: at most 500 a second.
    assert closed["throughput_per_s"] <= 500
    assert closed["function"] == "lineGetAgentSessionInfo"
    opened = results[1]
    assert opened["target_rate"] == 100 and opened["scheduled"] == 50
    assert opened["send_lag_us"]["p50"] >= 0
    assert len(opened["timeline"]) == 10


def test_one_delayed_reply_in_100_shows_at_p99_in_the_open_loop() -> None:
    """Every 100th reply 50 ms late. The open loop (one worker, a request every
    5 ms) counts the requests queued behind it from their intended send time:
    per 100 requests, the delayed one and the 5 scheduled in the first 25 ms of
    its stall wait >= 25 ms, so p99 >= 25 ms. The closed loop only sees the
    delayed request itself (coordinated omission): its max shows it."""
    doc = bench_json("--latency", "1ms", "--delay-every", "100", "--delay", "50ms",
                     "--duration", "2s", "--rate", "200")
    closed, opened = doc["results"]
    assert closed["latency_us"]["max"] >= 51_000
    assert opened["latency_us"]["p99"] >= 25_000
    assert opened["latency_us"]["max"] >= 51_000


def test_open_loop_above_capacity_shows_latency_growing() -> None:
    """2000 requests a second to a provider that needs >= 1 ms for each: the
    i-th request cannot complete before (i + 1) ms although it was due at
    i / 2 ms, so its latency is >= i / 2 ms: every tenth of the run is slower
    than the one before."""
    doc = bench_json("--latency", "1ms", "--duration", "1s", "--rate", "2000",
                     "--mode", "open", "--warmup", "0")
    (opened,) = doc["results"]
    assert opened["requests"] < opened["scheduled"] == 2000
    medians = [t["p50_us"] for t in opened["timeline"] if t["requests"]]
    assert len(medians) >= 3
    assert medians == sorted(medians)
    # The first tenth's requests are i < 200: the last tenth that has any, >= 100 ms more.
    assert medians[-1] - medians[0] >= 50_000


def test_errors_are_counted_by_lineerr(tapisim: Simulator, tapi_line: pytapi2.Line,
                                       tapi_agent: pytapi2.Agent,
                                       tapi_session: pytapi2.AgentSession) -> None:
    tapi_session.set_state(AgentSessionState.READY, AgentSessionState.READY)
    tapisim.inject_fault("lineGetAgentSessionInfo", Fault.REPLY_ERROR, count=5,
                         error=0x80000048)  # LINEERR_OPERATIONFAILED
    config = BenchConfig(duration=0.2, warmup=0)
    result = run_phase([Worker(tapi_line, tapi_agent, tapi_session)], REQUESTS["info"],
                       "closed", config, tapisim)
    assert result.errors == {"LINEERR_OPERATIONFAILED": 5}
    assert result.requests >= 6
    assert not math.isnan(result.percentiles_us["p50"])


def test_table_output_and_overhead_line() -> None:
    result = bench("--duration", "0.2s", "--warmup", "0", "--request", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pytapi2 bench — simulator")
    header = lines[1].split()
    assert header[:3] == ["REQUEST", "MODE", "N"] and "P99.9" in header and "ERRORS" in header
    assert any(line.startswith("list ") and " closed " in line for line in lines)
    assert any(line.startswith("harness overhead: ") for line in lines)
    assert any("open loop: sends left" in line for line in lines)
    assert "\x1b" not in result.stdout


def test_plot_needs_the_extra_or_writes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latency.png"
    result = bench("--duration", "0.1s", "--warmup", "0", "--plot", str(path))
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
    except ImportError:
        assert result.returncode == 1
        assert result.stderr.strip() == ("error: --plot needs matplotlib: pip install "
                                         "'pytapi2[bench]'")
    else:
        assert result.returncode == 0, result.stderr
        assert path.stat().st_size > 0


def test_off_the_simulator_it_needs_agents() -> None:
    env = {**os.environ, "PYTAPI2_LIBRARY": "/nonexistent/libtapi.so"}
    result = subprocess.run([sys.executable, "-m", "pytapi2", "bench"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
