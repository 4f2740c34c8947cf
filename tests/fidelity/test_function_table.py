"""The TAPI function list exists once: the simulator's table
(pytapi2/simulator/csrc/tapi_fn_table.h) is generated from
include/tapi_functions.h by tools/gen_fn_table.py and must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "pytapi2" / "simulator" / "csrc" / "tapi_fn_table.h"

# The Windows CI runs the tests from a copy of the tree without pytapi2/
# (against the installed wheel, which has no C sources): nothing to compare.
pytestmark = pytest.mark.skipif(not TABLE.exists(),
                                reason="the simulator's C sources are not in this tree")


def test_function_table_is_generated_from_the_prototypes() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_fn_table.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_every_prototype_is_in_the_table() -> None:
    prototypes = [line.split("(")[0].split()[-1]
                  for line in (ROOT / "include" / "tapi_functions.h").read_text().splitlines()
                  if line.startswith("LONG WINAPI ")]
    table = TABLE.read_text()
    assert [line[len("SIM_FN("):].split(",")[0] for line in table.splitlines()
            if line.startswith("SIM_FN(")] == prototypes
    assert len(prototypes) == 22  # 19 + lineProxyMessage/Response, lineGetProxyStatus
