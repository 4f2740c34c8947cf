"""The ``pytapi2`` command, run as a subprocess (``python -m pytapi2 ...``).

Every command on the bundled simulator: tables, ``--json`` documents and
their internal consistency, one-line errors for bad arguments and bad
scenario files, and Ctrl-C on ``watch``. Scenarios are small and periods
short so the whole file runs in a few seconds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import pytapi2

ROOT = Path(pytapi2.__file__).resolve().parent.parent
TIMEOUT = 60

# Two groups, four agents: 1001 ends at 10:00 (ENDED mid-run), 1002 takes a
# break, 2002 logs in late. [[agents]] tables after the groups (the other
# layout the docs allow; the bundled default uses an inline array).
SMALL = """
name = "CLI test center"
date = 2026-03-02
start = "09:00"
end = "12:00"
speed = 600

[[groups]]
name = "Sales"
calls_per_hour = 90
mean_talk = "3m"
mean_wrapup = "30s"
mean_ring = "5s"
patience = "2m"
seed = 7

[[groups]]
name = "Support"
queues = [{ id = 42, name = "Support line" }]
calls_per_hour = 60
mean_talk = 240
mean_wrapup = "1m"
seed = 8

[[agents]]
id = "1001"
pin = "1234"
groups = ["Sales"]
shift = "09:00-10:00"

[[agents]]
id = "1002"
groups = ["Sales"]
shift = "09:00-12:00"
breaks = ["09:30-09:45"]

[[agents]]
id = "2001"
groups = ["Support"]
shift = "09:00-12:00"

[[agents]]
id = "2002"
groups = ["Support"]
shift = "09:30-12:00"
"""

RECORD_KEYS = {
    "session", "agent", "group", "state", "next_state", "start_time", "end_time", "ended",
    "duration", "calls", "total_talk_time", "average_talk_time", "total_call_time",
    "average_call_time", "total_wrapup_time", "average_wrapup_time", "occupancy",
    "longest_time_to_answer", "average_time_to_answer", "idle_time", "acd_call_rate",
}
HMS = re.compile(r"^\d+:\d{2}:\d{2}$")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTAPI2_LIBRARY", None)  # the bundled simulator
    if sys.platform == "win32":
        env["PYTAPI2_BACKEND"] = "simulator"  # not the default there (tapi32.dll is)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(*args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytapi2", *args],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout, check=False,
    )


def ok(*args: str) -> str:
    result = run(*args)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Non-zero exit (1 or 2), exactly one stderr line naming the problem."""
    assert result.returncode in (1, 2), (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got: {result.stderr!r}"
    line = lines[0]
    assert line.startswith("error: "), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture
def scenario_file(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def demo_json(scenario: Path, period: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        ok("demo", "--scenario", str(scenario), "--once", "--for", period, "--json")
    )
    return document


def by_agent(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {record["agent"]: record for record in document["sessions"]}


def check_consistent(record: dict[str, Any], now: datetime) -> None:
    """Durations, counts and averages of one record agree with each other."""
    assert set(record) == RECORD_KEYS
    start = datetime.fromisoformat(record["start_time"])
    duration = record["duration"]
    calls = record["calls"]
    assert isinstance(duration, int) and duration >= 0
    for total, average in (("total_talk_time", "average_talk_time"),
                           ("total_call_time", "average_call_time"),
                           ("total_wrapup_time", "average_wrapup_time")):
        assert isinstance(record[total], int) and isinstance(record[average], int)
        if calls:
            # Whole seconds, as TAPI reports them: average = total / calls, truncated.
            assert record[average] == record[total] // calls, (total, record)
        else:
            assert record[total] == record[average] == 0, record
    assert record["total_talk_time"] <= record["total_call_time"] <= duration
    if duration:
        assert record["occupancy"] == pytest.approx(record["total_call_time"] / duration,
                                                    abs=1e-6)
    assert record["idle_time"] == duration - record["total_call_time"]
    assert record["longest_time_to_answer"] >= record["average_time_to_answer"] >= 0
    if record["ended"]:
        assert record["state"] in ("ENDED", "RELEASED")
        end = datetime.fromisoformat(record["end_time"])
        assert end == start + timedelta(seconds=duration)
        assert end <= now
    else:
        assert record["end_time"] is None
        # A running session has been counting up to the clock of the snapshot.
        assert abs((now - start).total_seconds() - duration) <= 1, (now, record)


# -- demo --once -------------------------------------------------------------------------


def test_demo_once_json_is_consistent_and_ended_sessions_stop(small: Path) -> None:
    first = demo_json(small, "2h")
    later = demo_json(small, "2h30m")
    assert first["scenario"] == "CLI test center"
    assert first["backend"] == "simulator"
    now = datetime.fromisoformat(first["time"])
    assert now == datetime(2026, 3, 2, 11, 0)
    assert datetime.fromisoformat(later["time"]) == datetime(2026, 3, 2, 11, 30)

    for document in (first, later):
        for record in document["sessions"]:
            check_consistent(record, datetime.fromisoformat(document["time"]))
    a, b = by_agent(first), by_agent(later)
    assert sorted(a) == ["1001", "1002", "2001", "2002"]
    assert {a[x]["group"] for x in ("1001", "1002")} == {"Sales"}
    assert {a[x]["group"] for x in ("2001", "2002")} == {"Support"}
    assert sum(r["calls"] for r in first["sessions"]) > 0, "the traffic produced no calls"

    # 1001's shift ended at 10:00: ENDED, one hour long, and frozen since.
    assert a["1001"]["ended"] and a["1001"]["state"] == "ENDED"
    assert a["1001"]["duration"] == 3600
    assert b["1001"] == a["1001"]
    # The others kept counting; 2002 logged in at its shift start, 09:30.
    assert datetime.fromisoformat(a["2002"]["start_time"]) == datetime(2026, 3, 2, 9, 30)
    assert a["2002"]["duration"] == 5400
    for agent in ("1002", "2001", "2002"):
        assert not a[agent]["ended"]
        assert b[agent]["duration"] == a[agent]["duration"] + 1800
        assert b[agent]["calls"] >= a[agent]["calls"]


def test_demo_once_is_repeatable(small: Path) -> None:
    assert demo_json(small, "45m") == demo_json(small, "45m")


def test_demo_once_table(small: Path) -> None:
    lines = ok("demo", "--scenario", str(small), "--once", "--for", "1h30m").splitlines()
    header = lines[0].split()
    assert header[:3] == ["AGENT", "GROUP", "STATE"] and "DURATION" in header
    assert set(lines[1]) <= {"-", " "}
    rows = [line.split() for line in lines[2:]]
    assert [row[0] for row in rows] == ["1001", "1002", "2001", "2002"]
    assert rows[0][2] == "ENDED" and rows[0][4] == "1:00:00"
    assert rows[3][3] == "09:30:00" and rows[3][4] == "1:00:00"
    for row in rows:
        assert HMS.match(row[4]) and HMS.match(row[6]) and HMS.match(row[7])
        assert row[8].endswith("%")
    # Aligned: every row is as wide as the rule under the header, or narrower
    # only by trailing blanks stripped; the DURATION column ends at one place.
    end = lines[0].index("DURATION") + len("DURATION")
    assert all(line[end - 1] != " " for line in lines[2:])


def test_bundled_default_scenario_runs(tmp_path: Path) -> None:
    document: dict[str, Any] = json.loads(ok("demo", "--once", "--for", "1h", "--json"))
    sessions = document["sessions"]
    assert document["scenario"] == "Acme Insurance, Monday"
    assert {r["group"] for r in sessions} == {"Sales", "Support", "Billing"}
    assert 5 <= len(sessions) <= 25
    for record in sessions:
        check_consistent(record, datetime.fromisoformat(document["time"]))


# -- live demo and watch ---------------------------------------------------------------


def test_demo_live_runs_to_the_end_of_the_period(small: Path) -> None:
    out = ok("demo", "--scenario", str(small), "--speed", "36000", "--for", "30m")
    blocks = [block for block in out.split("\n\n") if block.strip()]
    assert len(blocks) >= 2  # the first table and the final one
    assert blocks[0].startswith("CLI test center | 2026-03-02 09:00")
    final = out[out.index("final:"):].splitlines()
    assert final[1].startswith("CLI test center | 2026-03-02 09:30:00 ")  # exactly --for
    assert any(line.startswith("1001 ") for line in final)


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGINT to send to a child "
                    "process: Ctrl-C is a console event (CTRL_C_EVENT) for a whole console")
def test_watch_stops_cleanly_on_ctrl_c(small: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytapi2", "watch", "--scenario", str(small), "--speed", "600"],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first: list[str] = []
        for line in proc.stdout:  # a non-terminal gets one table per update
            if not line.strip():
                break
            first.append(line)
        assert first and first[0].startswith("CLI test center | 2026-03-02 09:")
        assert first[1].split()[:2] == ["AGENT", "GROUP"]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, 130), (proc.returncode, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err == ""


# -- info and sessions ---------------------------------------------------------------------


def test_info() -> None:
    out = ok("info")
    assert "backend: simulator" in out
    assert re.search(r"^devices: 1$", out, re.M)
    assert re.search(r"^\s*0\s+\d+\.\d+$", out, re.M)
    document = json.loads(ok("info", "--json"))
    assert document["backend"] == "simulator" and document["simulator"] is True
    assert document["library"].endswith(("libtapisim.so", "libtapisim.dylib", "tapisim.dll"))
    assert [d["device"] for d in document["devices"]] == [0]
    assert re.fullmatch(r"\d+\.\d+", document["devices"][0]["api_version"])


def test_sessions_on_an_empty_simulator() -> None:
    result = run("sessions")
    assert result.returncode == 0
    assert "(no agent sessions)" in result.stdout
    assert "--scenario" in result.stderr  # the hint says how to get sessions
    assert json.loads(ok("sessions", "--json"))["sessions"] == []


def test_sessions_with_a_scenario(small: Path) -> None:
    document = json.loads(ok("sessions", "--scenario", str(small), "--for", "20m", "--json"))
    now = datetime.fromisoformat(document["time"])
    assert now == datetime(2026, 3, 2, 9, 20)
    agents = by_agent(document)
    assert sorted(agents) == ["1001", "1002", "2001"]  # 2002 starts at 09:30
    for record in document["sessions"]:
        check_consistent(record, now)
    table = ok("sessions", "--scenario", str(small), "--for", "20m", "--line", "0")
    assert table.splitlines()[0].startswith("AGENT")


def test_sessions_for_named_agents(small: Path) -> None:
    document = json.loads(ok("sessions", "--scenario", str(small), "--for", "10m",
                             "--agent", "1001:1234", "--json"))
    # The scenario's sessions plus --agent's (the same one, listed once).
    assert sorted(r["agent"] for r in document["sessions"]) == ["1001", "1002", "2001"]


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["demo", "--for", "5x"], ["--for", "5x"]),
        (["demo", "--for", "0s"], ["--for", "positive"]),
        (["demo", "--speed", "-3"], ["--speed"]),
        (["demo", "--json"], ["--json", "--once"]),
        (["sessions", "--line", "x"], ["--line"]),
        (["sessions", "--for", "1h"], ["--for", "--scenario"]),
        (["launch"], ["launch"]),
        ([], ["COMMAND"]),
        (["watch", "--agent", ":9"], ["--agent"]),
    ],
)
def test_bad_arguments(args: list[str], needles: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert_one_line_error(result, *needles)


def test_missing_line_device() -> None:
    assert_one_line_error(run("sessions", "--line", "5"), "--line 5", "no such line")


def test_missing_scenario_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert_one_line_error(run("demo", "--once", "--scenario", str(missing)), str(missing))


VALID_GROUP = '[[groups]]\nname = "Sales"\ncalls_per_hour = 10\n'
VALID_AGENT = '[[agents]]\nid = "1"\ngroups = ["Sales"]\nshift = "09:00-10:00"\n'


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (VALID_GROUP + '[[groups]]\nname = "B"\ncalls_per_hour = "fast"\n' + VALID_AGENT,
         ['groups[1].calls_per_hour: expected a non-negative number, got "fast"']),
        (VALID_GROUP + '[[groups]]\nname = "B"\ncalls_per_hour = -5\n' + VALID_AGENT,
         ["groups[1].calls_per_hour", "non-negative"]),
        (VALID_GROUP.replace("10", "10\nmean_talk = \"long\"") + VALID_AGENT,
         ['groups[0].mean_talk: expected a duration', '"long"']),
        (VALID_GROUP + VALID_AGENT.replace('"Sales"', '"Marketing"'),
         ['agents[0].groups: unknown group "Marketing"']),
        (VALID_GROUP + VALID_AGENT.replace("09:00-10:00", "9 to 5"),
         ["agents[0].shift: expected a time span"]),
        (VALID_GROUP + VALID_AGENT.replace("09:00-10:00", "25:00-26:00"),
         ["agents[0].shift: expected a time of day"]),
        (VALID_GROUP + VALID_AGENT + 'breaks = ["11:00-11:15"]\n',
         ["agents[0].breaks[0]", "not inside the shift"]),
        (VALID_GROUP + VALID_AGENT + VALID_AGENT, ['agents[1].id: duplicate agent id "1"']),
        (VALID_GROUP.replace("calls_per_hour", "calls_per_hr") + VALID_AGENT,
         ["groups[0].calls_per_hr: unknown key"]),
        (VALID_GROUP + VALID_AGENT.replace('id = "1"', "id = 1"),
         ["agents[0].id: expected a non-empty string, got 1"]),
        (VALID_GROUP + VALID_AGENT.replace('id = "1"', 'id = "1"\npin = 1234'),
         ["agents[0].pin: expected a non-empty string, got 1234"]),
        (VALID_GROUP.replace('name = "Sales"', 'name = "Sales"\nid = "not-a-guid"') + VALID_AGENT
         .replace('"Sales"', '"Sales"'), ['groups[0].id: expected a UUID string']),
        (VALID_AGENT, ["groups: missing"]),
        (VALID_GROUP, ["agents: missing"]),
        ('date = "monday"\n' + VALID_GROUP + VALID_AGENT, ["date: expected a TOML local date"]),
        ("speed = 0\n" + VALID_GROUP + VALID_AGENT, ["speed: expected a positive number"]),
        ("name = \n" + VALID_GROUP, ["invalid TOML", "line 1"]),
    ],
)
def test_bad_scenario_files(
    scenario_file: Callable[[str], Path], text: str, needles: list[str]
) -> None:
    path = scenario_file(text)
    line = assert_one_line_error(run("demo", "--once", "--scenario", str(path)), *needles)
    assert line.startswith(f"error: {path}: ")


def test_bad_scenario_file_in_every_command(scenario_file: Callable[[str], Path]) -> None:
    path = scenario_file(VALID_GROUP.replace("10", '"fast"') + VALID_AGENT)
    for command in ("sessions", "watch", "demo"):
        assert_one_line_error(run(command, "--scenario", str(path)),
                              "groups[0].calls_per_hour")


def test_debug_shows_the_traceback(scenario_file: Callable[[str], Path]) -> None:
    path = scenario_file(VALID_GROUP.replace("10", '"fast"') + VALID_AGENT)
    result = run("demo", "--once", "--debug", "--scenario", str(path))
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "ScenarioError" in result.stderr
