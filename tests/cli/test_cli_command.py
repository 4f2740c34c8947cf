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
    "session", "agent", "name", "group", "time_in_state", "state", "next_state", "start_time",
    "end_time", "ended",
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
    frozen = {k: v for k, v in a["1001"].items() if k != "time_in_state"}
    assert {k: v for k, v in b["1001"].items() if k != "time_in_state"} == frozen
    assert b["1001"]["time_in_state"] == a["1001"]["time_in_state"] + 1800  # ended 10:00
    # The others kept counting; 2002 logged in at its shift start, 09:30.
    assert datetime.fromisoformat(a["2002"]["start_time"]) == datetime(2026, 3, 2, 9, 30)
    assert a["2002"]["duration"] == 5400
    for agent in ("1002", "2001", "2002"):
        assert not a[agent]["ended"]
        assert b[agent]["duration"] == a[agent]["duration"] + 1800
        assert b[agent]["calls"] >= a[agent]["calls"]


def test_demo_once_is_repeatable(small: Path) -> None:
    assert demo_json(small, "45m") == demo_json(small, "45m")


def _table_rows(text: str) -> dict[str, list[str]]:
    """Session rows of a plain table by agent ID (the first column); group
    totals rows start with the group name, which no agent ID is."""
    rows = {}
    for line in text.splitlines()[3:]:
        cells = line.split()
        if cells and cells[0].isdigit():
            rows[cells[0]] = cells
    return rows


def test_demo_once_table(small: Path) -> None:
    text = ok("demo", "--scenario", str(small), "--once", "--for", "1h30m")
    lines = text.splitlines()
    assert lines[0].startswith("CLI test center | 2026-03-02 10:30:00 | simulator")
    header = lines[1].split()
    assert header[:3] == ["AGENT", "NAME", "STATE"] and "DURATION" in header
    assert set(lines[2].strip()) == {"─"}
    rows = _table_rows(text)
    assert list(rows) == ["1001", "1002", "2001", "2002"]
    assert rows["1001"][1] == "ENDED" and rows["1001"][4] == "1:00:00"  # no names: 1 col less
    assert rows["2002"][3] == "09:30:00" and rows["2002"][4] == "1:00:00"
    for row in rows.values():
        assert HMS.match(row[2]) and HMS.match(row[4]) and HMS.match(row[6])
        assert row[8].endswith("%")
    # Grouped: each group's totals row comes before its sessions.
    sales, support = lines.index(next(x for x in lines if x.startswith("Sales "))), \
        lines.index(next(x for x in lines if x.startswith("Support ")))
    assert sales < lines.index(next(x for x in lines if x.startswith("1001 "))) < support
    # The queue panel.
    assert any(x.startswith("QUEUE ") for x in lines)
    assert any(x.startswith("Support: Support line ") for x in lines)
    # Aligned: the DURATION column ends at one place in every row.
    end = lines[1].index("DURATION") + len("DURATION")
    assert all(line[end - 1] != " " for line in lines[3:] if line[:4] in rows)


def test_demo_piped_prints_one_final_table(small: Path) -> None:
    out = ok("demo", "--scenario", str(small), "--speed", "36000", "--for", "30m")
    assert out.count("CLI test center |") == 1, out
    title = out.splitlines()[0]
    assert title.startswith("CLI test center | 2026-03-02 09:30:00 | sim x36000")
    assert title.endswith("| final")
    assert "1001" in _table_rows(out)


def test_demo_json_lines(small: Path) -> None:
    out = ok("demo", "--scenario", str(small), "--speed", "7200", "--for", "30m", "--json",
             "--interval", "0.05")
    documents = [json.loads(line) for line in out.splitlines()]
    assert len(documents) >= 2  # at least one interval and the final one
    times = [datetime.fromisoformat(d["time"]) for d in documents]
    assert times == sorted(times) and times[-1] == datetime(2026, 3, 2, 9, 30)
    for document in documents:
        assert set(document) == {"time", "backend", "scenario", "sessions", "queues"}
        for record in document["sessions"]:
            assert set(record) == RECORD_KEYS


def test_demo_interval_prints_tables(small: Path) -> None:
    out = ok("demo", "--scenario", str(small), "--speed", "7200", "--for", "30m",
             "--interval", "0.05")
    blocks = [b for b in out.split("\n\n") if b.startswith("CLI test center |")]
    assert len(blocks) >= 2
    assert blocks[-1].splitlines()[0].endswith("| final")


def test_demo_head_exits_0() -> None:
    """`pytapi2 demo | head` (the reader goes away): exit 0, nothing on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytapi2", "demo", "--once"],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like head after its lines
    err = proc.stderr.read()
    assert proc.wait(timeout=TIMEOUT) == 0, err
    assert err == b""


def test_bundled_default_scenario_runs(tmp_path: Path) -> None:
    document: dict[str, Any] = json.loads(ok("demo", "--once", "--for", "1h", "--json"))
    sessions = document["sessions"]
    assert document["scenario"] == "Acme Insurance, Monday"
    assert {r["group"] for r in sessions} == {"Sales", "Support", "Billing"}
    assert 5 <= len(sessions) <= 25
    for record in sessions:
        check_consistent(record, datetime.fromisoformat(document["time"]))


# -- live demo and watch ---------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGINT to send to a child "
                    "process: Ctrl-C is a console event (CTRL_C_EVENT) for a whole console")
def test_watch_stops_cleanly_on_ctrl_c(small: Path) -> None:
    """Ctrl-C ends watch with the final state and exit 130. The child starts
    with SIGINT at its default disposition whatever this process inherited (a
    background job of a non-interactive shell ignores SIGINT, and an ignored
    SIGINT is inherited), so the test does not depend on how it is started."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytapi2", "watch", "--scenario", str(small), "--speed", "600",
         "--json", "--interval", "0.1"],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["scenario"] == "CLI test center"
        assert datetime.fromisoformat(first["time"]) >= datetime(2026, 3, 2, 9, 0)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, (proc.returncode, err)
    assert err == ""
    last = json.loads(out.splitlines()[-1])  # the state when it stopped
    assert {r["agent"] for r in last["sessions"]} >= {"1001", "1002", "2001"}


@pytest.mark.skipif(sys.platform == "win32",
                    reason="Popen.terminate is TerminateProcess on Windows: no signal to handle")
def test_watch_stops_cleanly_on_sigterm(small: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytapi2", "watch", "--scenario", str(small), "--json",
         "--interval", "0.1"],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())
        proc.terminate()
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130 and err == ""


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
    assert "0/0 active" in result.stdout
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
    assert table.splitlines()[1].startswith("AGENT")


def test_sessions_for_named_agents(small: Path) -> None:
    document = json.loads(ok("sessions", "--scenario", str(small), "--for", "10m",
                             "--agent", "1001:1234", "--json"))
    # Only the agent named (its one session, listed once).
    assert [r["agent"] for r in document["sessions"]] == ["1001"]
    document = json.loads(ok("demo", "--scenario", "default", "--once", "--for", "1h",
                             "--agent", "1001:4321", "--agent", "2001:2001", "--json"))
    assert sorted(r["agent"] for r in document["sessions"]) == ["1001", "2001"]


def test_agent_errors_name_the_agent(small: Path) -> None:
    result = run("sessions", "--scenario", str(small), "--for", "10m",
                 "--agent", "1001:1234", "--agent", "2001:9999")
    # 2001 has no PIN in the scenario: any PIN passes; 1001's is checked.
    assert result.returncode == 0, result.stderr
    line = assert_one_line_error(
        run("sessions", "--scenario", "default", "--for", "10m",
            "--agent", "1001:4321", "--agent", "2001:9999"),
        "--agent 2001", "wrong PIN", "LINEERR_INVAL", "lineCreateAgentW")
    assert "1001" not in line
    assert_one_line_error(run("sessions", "--scenario", "default", "--agent", "9999"),
                          "--agent 9999", "no such agent in default.toml")


def test_unknown_agent_on_an_empty_simulator_says_it_starts_empty() -> None:
    # TAPI documents only LINEERR_INVALPARAM for an unknown agent or a wrong PIN.
    assert_one_line_error(run("sessions", "--agent", "1001:4321"), "--agent 1001",
                          "unknown agent ID or wrong PIN", "starts empty", "--scenario")


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["demo", "--for", "5x"], ["--for", "5x"]),
        (["demo", "--for", "0s"], ["--for", "positive"]),
        (["demo", "--speed", "-3"], ["--speed"]),
        (["demo", "--speed", "3e6"], ["--speed", "3e6", "1e+06"]),
        (["demo", "--speed", "1e12"], ["--speed", "1e12"]),
        (["demo", "--once", "--for", "1e9"], ["--for", "7 days"]),
        (["demo", "--once", "--speed", "10"], ["--speed", "--once"]),
        (["demo", "--once", "--interval", "1"], ["--interval", "--once"]),
        (["watch", "--interval", "0"], ["--interval"]),
        (["bench", "--concurrency", "0"], ["--concurrency"]),
        (["bench", "--rate", "-1"], ["--rate"]),
        (["bench", "--latency", "5 parsecs"], ["--latency"]),
        (["scenario", "nope"], ["nope"]),
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
         ['groups[1].calls_per_hour: expected a non-negative number up to 1e+07, got "fast"']),
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
        (VALID_GROUP + VALID_AGENT.replace("shift", "shfit"),
         ["agents[0].shfit: unknown key (did you mean 'shift'?"]),
        (VALID_GROUP + VALID_AGENT.replace("09:00-10:00", "08:00-08:00"),
         ["agents[0].shift", '"08:00-08:00" is empty']),
        (VALID_GROUP + VALID_AGENT.replace('groups = ["Sales"]', "groups = []"),
         ["agents[0].groups: expected a non-empty array of group names, got an empty array"]),
        (VALID_GROUP + VALID_AGENT.replace('groups = ["Sales"]', 'groups = ["Sales", 5]'),
         ['agents[0].groups', 'got ["Sales", 5]']),
        (VALID_GROUP.replace("= 10", "= 2e7") + VALID_AGENT,
         ["groups[0].calls_per_hour", "up to 1e+07", "2e+07"]),
        (VALID_GROUP + "mean_talk = 2e6\n" + VALID_AGENT,
         ["groups[0].mean_talk", "at most 1e+06 seconds"]),
        (VALID_GROUP + VALID_AGENT.replace('id = "1"', 'id = "' + "7" * 100_000 + '"'),
         ["agents[0].id: too long (100000 characters", "at most 255"]),
        ("speed = 3e6\n" + VALID_GROUP + VALID_AGENT, ["speed", "up to 1e+06"]),
        ("date = 9999-12-31\n" + VALID_GROUP + VALID_AGENT, ["date", "9999-12-31"]),
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
    assert len(line) < 400  # a 100 000-character value is not echoed back


def test_break_at_the_shift_start(scenario_file: Callable[[str], Path]) -> None:
    """A break from the first minute of the shift is allowed and taken."""
    path = scenario_file(VALID_GROUP + VALID_AGENT + 'breaks = ["09:00-09:15"]\n')
    first = json.loads(ok("demo", "--once", "--scenario", str(path), "--for", "10m", "--json"))
    assert first["sessions"][0]["state"] == "NOT_READY"
    assert first["sessions"][0]["time_in_state"] == 600
    later = json.loads(ok("demo", "--once", "--scenario", str(path), "--for", "20m", "--json"))
    assert later["sessions"][0]["state"] != "NOT_READY"


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


# -- help, docs, bundled scenarios ----------------------------------------------------------


def test_help_points_to_installed_docs_that_exist() -> None:
    out = ok("--help")
    lines = out.splitlines()
    path = Path(lines[lines.index("Full reference: 'pytapi2 docs' prints it; installed at:") + 1]
                .strip())
    assert path.is_file() and path.name == "cli.md"
    assert path.parent == ROOT / "pytapi2" / "cli"  # package data, installed with pytapi2
    assert ok("docs") == path.read_text(encoding="utf-8")
    assert "## `pytapi2 bench`" in ok("docs")


def test_bundled_scenario_printed_is_a_valid_starting_point(tmp_path: Path) -> None:
    text = ok("scenario", "default")
    assert text.startswith("# The bundled pytapi2 demo scenario")
    mine = tmp_path / "my.toml"
    mine.write_text(text.replace("Acme Insurance, Monday", "Mine"), encoding="utf-8")
    document = json.loads(ok("demo", "--scenario", str(mine), "--once", "--for", "10m",
                             "--json"))
    assert document["scenario"] == "Mine"
