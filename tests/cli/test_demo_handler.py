"""``pytapi2 demo --handler``: the demo's client served by a Python agent
handler in the same process (the simulator's own ACD off), and the one-line
errors for a handler that cannot be used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_cli_command import ROOT, TIMEOUT, _env, assert_one_line_error, ok, run

# The example of the checkout these tests belong to (the command runs from
# the installed package's directory, so the path must be absolute).
EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "examples" / "acd_handler.py"
EXAMPLE = str(EXAMPLE_FILE)
needs_example = pytest.mark.skipif(not EXAMPLE_FILE.exists(),
                                   reason="examples/ is not beside the tests (tests copied "
                                   "without the checkout, as on the Windows CI)")

#: A handler of its own with data no other model has: 42 calls per session.
OWN_HANDLER = '''
import itertools
import threading
from datetime import timedelta
from decimal import Decimal

from pytapi2 import AgentSessionInfo, AgentSessionState
from pytapi2.proxy import (AgentHandler, CreateAgentRequest, CreateAgentSessionRequest,
                           GetAgentSessionInfoRequest, ProxyRequestType as T)


class Served:
    def __init__(self, scenario, now, device_id):
        self.now = now
        self.start = now()
        self.handles = itertools.count(0x7000)
        self.handler = AgentHandler(device_id, [
            T.CREATE_AGENT, T.CREATE_AGENT_SESSION, T.SET_AGENT_SESSION_STATE,
            T.GET_AGENT_SESSION_INFO])
        self.thread = threading.Thread(target=self.handler.serve, args=(self.answer,),
                                       kwargs={"timeout": float("inf")})
        self.thread.start()

    def answer(self, request):
        if isinstance(request, (CreateAgentRequest, CreateAgentSessionRequest)):
            return next(self.handles)
        if isinstance(request, GetAgentSessionInfoRequest):
            return AgentSessionInfo(
                state=AgentSessionState.BUSY_WRAPUP, next_state=None, start_time=self.start,
                duration=self.now() - self.start, number_of_calls=42,
                total_talk_time=timedelta(minutes=42), average_talk_time=timedelta(minutes=1),
                total_call_time=timedelta(minutes=42), average_call_time=timedelta(minutes=1),
                total_wrapup_time=timedelta(0), average_wrapup_time=timedelta(0),
                acd_call_rate=Decimal(0), longest_time_to_answer=timedelta(seconds=42),
                average_time_to_answer=timedelta(seconds=4))
        return None

    def close(self):
        self.handler.close()
        self.thread.join()


def demo_handler(scenario, now, device_id):
    return Served(scenario, now, device_id)
'''


def demo_json(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ok("demo", "--once", "--json", "--scenario", "small",
                                             *args))
    return document


@needs_example
def test_the_example_handler_serves_the_demo() -> None:
    builtin = demo_json()
    served = demo_json("--handler", EXAMPLE)
    sessions = served["sessions"]
    # Every agent of the scenario logged in, in each of its groups (small: 5).
    assert {(r["agent"], r["group"]) for r in sessions} == {
        (r["agent"], r["group"]) for r in builtin["sessions"]}
    # The example ACD's own data, which the simulator's model never gives:
    # its handle space (from 0x1000), its rate with four places, no traffic.
    assert all(r["session"] >= 0x1000 for r in sessions)
    assert all(r["session"] < 0x1000 for r in builtin["sessions"])
    assert {r["acd_call_rate"] for r in sessions} == {"0.0000"}
    assert {r["state"] for r in sessions} == {"READY"}
    assert sum(r["calls"] for r in sessions) == 0 < sum(r["calls"] for r in builtin["sessions"])
    # Its durations run on the simulator's clock, to the end of the period.
    assert served["time"] == builtin["time"]
    assert all(r["duration"] == 8 * 3600 for r in sessions)


def test_a_handler_module_by_name(tmp_path: Path) -> None:
    (tmp_path / "own_handler.py").write_text(OWN_HANDLER, encoding="utf-8")
    env = _env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "pytapi2", "demo", "--once", "--json", "--scenario", "small",
         "--handler", "own_handler"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert result.returncode == 0, result.stderr
    sessions = json.loads(result.stdout)["sessions"]
    assert len(sessions) == 5
    assert all(r["calls"] == 42 and r["state"] == "BUSY_WRAPUP" for r in sessions)
    assert all(r["session"] >= 0x7000 for r in sessions)


def test_a_missing_handler_file_is_one_line() -> None:
    assert_one_line_error(run("demo", "--once", "--handler", "examples/no_such.py"),
                          "--handler examples/no_such.py", "no such file")


def test_a_missing_handler_module_is_one_line() -> None:
    assert_one_line_error(run("demo", "--once", "--handler", "no_such_handler_module"),
                          "--handler no_such_handler_module", "no such file or module")


def test_a_file_without_the_entry_point_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nothing.py"
    path.write_text("VALUE = 1\n", encoding="utf-8")
    assert_one_line_error(run("demo", "--once", "--handler", str(path)),
                          f"--handler {path}", "demo_handler(scenario, now, device_id)")


def test_a_file_that_fails_to_load_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("raise RuntimeError('broken on purpose')\n", encoding="utf-8")
    assert_one_line_error(run("demo", "--once", "--handler", str(path)),
                          f"--handler {path}", "broken on purpose")


@needs_example
def test_a_live_demo_with_the_handler_ends_with_the_final_table() -> None:
    out = ok("demo", "--scenario", "small", "--handler", EXAMPLE, "--speed", "100000",
             "--for", "30m", "--interval", "0.05")
    blocks = [b for b in out.split("\n\n") if b.startswith("Small call center |")]
    assert blocks and blocks[-1].splitlines()[0].endswith("| final")
    assert "READY" in blocks[-1]
