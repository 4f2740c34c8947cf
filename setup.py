"""Native parts of pytapi2; all metadata lives in pyproject.toml.

Two native artefacts are built by ``pip install .``, on POSIX and on Windows:
- ``pytapi2._tapi``: the cffi binding (API mode, abi3), from pytapi2/_ffi_build.py;
- the TAPI simulator, a plain C11 shared library (not a Python extension)
  exporting the TAPI functions and the tapisim_* control API:
  ``pytapi2/simulator/libtapisim.so`` (``.dylib`` on macOS) or
  ``pytapi2/simulator/tapisim.dll`` on Windows (MSVC or mingw-w64).

On Windows the DLL exports exactly the functions of include/tapi_functions.h
and include/tapisim.h, under their undecorated names (as tapi32.dll does, also
for the x86 stdcall ones): the export list is given to the linker (a .def
file), so GetProcAddress("lineInitializeExW") works on x86 as on x64.

Cross-built Windows wheels (from Linux, mingw-w64): tools/build_wheels.py,
which uses :func:`simulator_build` below so both builds agree.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SIMULATOR = "pytapi2.simulator.libtapisim"


def simulator_file(platform: str = sys.platform) -> str:
    """The simulator library's file name (the first name pytapi2/_native.py looks for)."""
    if platform == "win32":
        return "tapisim.dll"
    return "libtapisim.dylib" if platform == "darwin" else "libtapisim.so"


def _ffi_build() -> ModuleType:
    """pytapi2/_ffi_build.py, for its parser of the declaration headers."""
    path = HERE / "pytapi2/_ffi_build.py"
    spec = importlib.util.spec_from_file_location("_pytapi2_ffi_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exported_functions() -> list[str]:
    """Every function the simulator exports: the TAPI ones, then the tapisim_ ones."""
    build = _ffi_build()
    return [p.name for p in build.TAPI_PROTOTYPES + build.SIM_PROTOTYPES]


def simulator_build(target: str) -> dict[str, list[str]]:
    """Sources, headers and flags of the simulator for ``target``.

    ``target``: "posix", "msvc" or "mingw" (gcc for Windows, native or cross).
    Windows flags do not include the export list: the caller passes it (a
    .def file for the linker, or setuptools' export_symbols).
    """
    csrc = HERE / "pytapi2/simulator/csrc"
    build: dict[str, list[str]] = {
        "sources": sorted(str(p.relative_to(HERE)) for p in csrc.glob("*.c")),
        # Headers too: a changed struct or constant must rebuild every module.
        "depends": sorted(
            str(p.relative_to(HERE)) for p in [*csrc.glob("*.h"), *(HERE / "include").glob("*.h")]
        ),
        "include_dirs": ["include"],
    }
    gcc_warnings = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"]
    if target == "posix":
        build["compile"] = [*gcc_warnings, "-fvisibility=hidden", "-D_POSIX_C_SOURCE=200809L"]
        build["link"] = ["-pthread"]
    elif target == "mingw":
        # Native Win32 threads (the simulator's platform layer), no winpthreads;
        # libgcc linked in so the DLL needs nothing but Windows' own DLLs.
        # --kill-at: x86 stdcall exports without the @N suffix, as tapi32.dll.
        build["compile"] = gcc_warnings
        build["link"] = ["-static-libgcc", "-Wl,--kill-at"]
    elif target == "msvc":
        # Warnings are not errors here: the MSVC version on a user's machine is
        # not one CI has seen, and a new warning must not break `pip install`.
        build["compile"] = ["/std:c11", "/O2", "/W3"]
        build["link"] = []
    else:
        raise ValueError(f"unknown simulator target {target!r}")
    return build


class BuildExt(build_ext):
    """build_ext that also builds the simulator as a plain shared library."""

    def build_extensions(self) -> None:
        if sys.platform == "win32":
            target = "msvc" if self.compiler.compiler_type == "msvc" else "mingw"
            for ext in self.extensions:
                if ext.name == SIMULATOR:
                    flags = simulator_build(target)
                    ext.extra_compile_args = flags["compile"]
                    ext.extra_link_args = flags["link"]
        super().build_extensions()

    def get_ext_filename(self, fullname: str) -> str:
        # Called with the dotted full name and with its last part alone.
        if fullname.split(".")[-1] == SIMULATOR.split(".")[-1]:
            return os.path.join(*fullname.split(".")[:-1], simulator_file())
        return super().get_ext_filename(fullname)

    def get_export_symbols(self, ext: Extension) -> list[str]:
        # Not a Python module: no PyInit_ symbol to export.
        if ext.name == SIMULATOR:
            return list(ext.export_symbols or [])
        return super().get_export_symbols(ext)


def _simulator_extension() -> Extension:
    windows = sys.platform == "win32"
    flags = simulator_build("posix" if not windows else "msvc")  # Windows: set per compiler
    return Extension(
        SIMULATOR,
        sources=flags["sources"],
        depends=flags["depends"],
        include_dirs=flags["include_dirs"],
        extra_compile_args=flags["compile"],
        extra_link_args=flags["link"],
        # Windows: exactly these, undecorated (MSVC /EXPORT, mingw a .def file).
        export_symbols=exported_functions() if windows else [],
    )


if __name__ == "__main__":
    setup(
        cffi_modules=["pytapi2/_ffi_build.py:ffibuilder"],
        ext_modules=[_simulator_extension()],
        cmdclass={"build_ext": BuildExt},
        # The binding is built against the stable ABI (cffi defines Py_LIMITED_API
        # and, on Windows, links python3.dll): one wheel per OS for CPython >= 3.10.
        options={"bdist_wheel": {"py_limited_api": "cp310"}},
    )
