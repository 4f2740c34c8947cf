"""Native parts of pytapi2; all metadata lives in pyproject.toml.

Two native artefacts are built by ``pip install .``:
- ``pytapi2._tapi``: the cffi binding (API mode), from pytapi2/_ffi_build.py;
- ``pytapi2/simulator/libtapisim.so``: the TAPI simulator, a plain C11 shared
  library (not a Python extension) exporting the TAPI functions and the
  tapisim_* control API. POSIX only: on Windows the backend is tapi32.dll.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SIMULATOR = "pytapi2.simulator.libtapisim"
SIMULATOR_FILE = "libtapisim.dylib" if sys.platform == "darwin" else "libtapisim.so"
HERE = Path(__file__).resolve().parent


class BuildExt(build_ext):
    """build_ext that also builds the simulator as a plain shared library."""

    def get_ext_filename(self, fullname: str) -> str:
        # Called with the dotted full name and with its last part alone.
        if fullname.split(".")[-1] == SIMULATOR.split(".")[-1]:
            return os.path.join(*fullname.split(".")[:-1], SIMULATOR_FILE)
        return super().get_ext_filename(fullname)

    def get_export_symbols(self, ext: Extension) -> list[str]:
        # Not a Python module: no PyInit_ symbol to export.
        if ext.name == SIMULATOR:
            return list(ext.export_symbols or [])
        return super().get_export_symbols(ext)


ext_modules = []
if os.name == "posix":
    csrc = HERE / "pytapi2/simulator/csrc"
    sources = sorted(str(p.relative_to(HERE)) for p in csrc.glob("*.c"))
    ext_modules.append(
        Extension(
            SIMULATOR,
            sources=sources,
            # Headers too: a changed struct or constant must rebuild every module.
            depends=sorted(
                str(p.relative_to(HERE))
                for p in [*csrc.glob("*.h"), *(HERE / "include").glob("*.h")]
            ),
            include_dirs=["include"],
            extra_compile_args=[
                "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
                "-fvisibility=hidden", "-D_POSIX_C_SOURCE=200809L",
            ],
            extra_link_args=["-pthread"],
        )
    )

setup(
    cffi_modules=["pytapi2/_ffi_build.py:ffibuilder"],
    ext_modules=ext_modules,
    cmdclass={"build_ext": BuildExt},
)
