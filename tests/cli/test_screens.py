"""The live view in a real terminal: tmux at 80x24 and 120x40.

The demo runs in a detached tmux pane of that size; afterwards the pane's
whole history is captured. Every line must fit the width (measured in
terminal cells), the frame must have been redrawn in place (its title
exactly once in screen + scrollback, nothing scrolled into the history), and
the final frame must show the end of the run. Set PYTAPI2_SCREENS_DIR to keep
the captures (docs/screens/ holds the ones from the last documentation run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

import pytapi2

ROOT = Path(pytapi2.__file__).resolve().parent.parent
DONE = "__pytapi2_done__"

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None,
                       reason="tmux is not installed (tests/cli/test_view.py checks the "
                       "same layout with rich's recording console)"),
    pytest.mark.skipif(sys.platform == "win32", reason="tmux is POSIX"),
]


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "-f", os.devnull, *args], check=True,
                          capture_output=True, text=True, timeout=30).stdout


def capture(width: int, height: int, *args: str, timeout: float = 60) -> tuple[list[str], int]:
    """Run ``python -m pytapi2 ARGS`` in a WIDTHxHEIGHT pane until it ends;
    returns the pane's lines (history + screen) and the history size."""
    socket = f"pytapi2-test-{os.getpid()}-{width}x{height}"
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "PYTAPI2_LIBRARY")}
    command = " ".join([sys.executable, "-m", "pytapi2", *args])
    subprocess.run(
        ["tmux", "-L", socket, "-f", os.devnull, "new-session", "-d", "-x", str(width),
         "-y", str(height), "-c", str(ROOT), f"{command}; printf {DONE}; sleep 600"],
        env=env, check=True, timeout=30)
    try:
        deadline = time.monotonic() + timeout
        while True:  # wait for the command to end (a condition, polled)
            screen = _tmux(socket, "capture-pane", "-p")
            if DONE in screen:
                break
            assert time.monotonic() < deadline, f"pytapi2 did not finish:\n{screen}"
            time.sleep(0.1)
        text = _tmux(socket, "capture-pane", "-p", "-S", "-", "-E", "-")
        history = int(_tmux(socket, "display-message", "-p", "#{history_size}").strip())
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], check=False, timeout=30,
                       capture_output=True)
    lines = text.splitlines()
    lines = lines[:next(i for i, line in enumerate(lines) if DONE in line)]
    keep = os.environ.get("PYTAPI2_SCREENS_DIR")
    if keep:
        name = "-".join(a.lstrip("-") for a in args[:1]) + f"-{width}x{height}.txt"
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / name).write_text("\n".join(line.rstrip() for line in lines) + "\n",
                                       encoding="utf-8")
    return lines, history


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_demo_live_view_fits_and_redraws_in_place(width: int, height: int) -> None:
    lines, history = capture(width, height, "demo", "--speed", "3600", "--for", "2h")
    assert lines, "nothing captured"
    assert max(cell_len(line.rstrip()) for line in lines) <= width
    titles = [line for line in lines if line.startswith("Acme Insurance, Monday |")]
    assert len(titles) == 1, "frames piled up:\n" + "\n".join(lines)
    assert history == 0, "the frame scrolled into the terminal's history"
    assert lines[0] == titles[0]
    assert "2026-01-05 10:00:00" in titles[0] and titles[0].rstrip().endswith("final")
    assert any(line.startswith("AGENT") for line in lines)
    assert any(line.startswith("QUEUE") for line in lines) or height < 30
    assert len([line for line in lines if line.strip()]) <= height - 1


def test_a_terminal_of_twelve_rows_keeps_the_title() -> None:
    lines, history = capture(80, 12, "demo", "--speed", "3600", "--for", "1h")
    assert history == 0
    assert lines[0].startswith("Acme Insurance, Monday |")
    assert sum(line.startswith("Acme Insurance") for line in lines) == 1
    assert any(line.startswith("+") and line.split()[1] == "more" for line in lines)
