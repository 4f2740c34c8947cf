"""The README's Python blocks run as printed, each in a fresh interpreter on
the bundled simulator (a new user's first run), and say what they claim."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import pytapi2

# The README of the checkout these tests belong to; the blocks import the
# pytapi2 being tested (installed, or built in place), wherever it lives.
README = Path(__file__).resolve().parent.parent / "README.md"
PACKAGE_PARENT = Path(pytapi2.__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not README.exists(),
                                reason="README.md is not beside the tests (tests copied without "
                                "the checkout, as on the Windows CI)")


def python_blocks() -> list[tuple[str, str]]:
    """(heading above it, code) of every ```python block."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, re.M | re.S):
        heading = [h for h in re.findall(r"^#+ (.*)$", text[:match.start()], re.M)][-1]
        blocks.append((heading, match.group(1)))
    return blocks


def run_block(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTAPI2_LIBRARY"}
    env["PYTHONPATH"] = str(PACKAGE_PARENT)
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_readme_has_the_blocks_this_file_checks() -> None:
    headings = [h for h, _ in python_blocks()]
    assert "A tour" in headings and "The simulator" in headings
    assert "In your own tests" in headings


@pytest.mark.parametrize("heading", ["A tour", "The simulator"])
def test_block_runs_as_printed(heading: str, tmp_path: Path) -> None:
    code = next(c for h, c in python_blocks() if h == heading)
    result = run_block(code, tmp_path)
    assert result.returncode == 0, result.stderr
    if heading == "A tour":
        lines = result.stdout.splitlines()
        assert lines[1] == "['Sales', 'Support']"
        # Enums print as names, as the comment in the tour says.
        assert lines[2] == "READY 2026-01-05 09:00:00 0:00:00 0 0:00:00 0.0000 0.0"
        assert lines[3:] and all(line.endswith("is now READY") for line in lines[3:])
    else:
        assert result.stdout.splitlines() == ["1"]


def test_the_own_tests_block_passes_under_pytest(tmp_path: Path) -> None:
    """The plugin example, as a user's test file (an installed pytapi2 brings
    the plugin through its pytest11 entry point; a checkout names it)."""
    code = next(c for h, c in python_blocks() if h == "In your own tests")
    (tmp_path / "test_mine.py").write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTAPI2_LIBRARY"}
    env["PYTHONPATH"] = str(PACKAGE_PARENT)
    installed = any(ep.name == "pytapi2" for ep in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "pytapi2.simulator.pytest_plugin"]  # a checkout
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin,
         "test_mine.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
