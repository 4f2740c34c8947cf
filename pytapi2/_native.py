"""Native loading: the cffi binding and the choice of TAPI library.

The binding module ``pytapi2._tapi`` is compiled at install time and calls
TAPI through a dispatch table that :func:`load` fills at run time, so the
backend is chosen when pytapi2 is first used, not when it is built:

1. the path in the ``PYTAPI2_LIBRARY`` environment variable, if set;
2. the backend named by ``PYTAPI2_BACKEND`` (``simulator`` or ``tapi32``), if set;
3. ``tapi32.dll`` on Windows;
4. the bundled simulator elsewhere (``pytapi2/simulator/libtapisim.so``,
   ``libtapisim.dylib`` on macOS; ``tapisim.dll`` on Windows, where it is
   selected with ``PYTAPI2_BACKEND=simulator`` or ``load("simulator")``).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["Backend", "BackendError", "backend", "ensure_loaded", "ffi", "lib", "load"]

log = logging.getLogger("pytapi2")

BackendKind = Literal["tapi32", "simulator", "custom"]

ENV_LIBRARY = "PYTAPI2_LIBRARY"
ENV_BACKEND = "PYTAPI2_BACKEND"
#: Backend names accepted by :func:`load` and ``PYTAPI2_BACKEND``.
NAMED_BACKENDS: tuple[BackendKind, ...] = ("simulator", "tapi32")


def _installed_build(checkout: Path) -> Path | None:
    """Another pytapi2 package folder on sys.path that holds a built binding."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for entry in sys.path:
        candidate = Path(entry or ".").resolve() / "pytapi2"
        if candidate == checkout or not candidate.is_dir():
            continue
        if any(p.name.endswith(suffixes) for p in candidate.glob("_tapi.*")):
            return candidate
    return None


def _import_binding() -> tuple[Any, Any, Path]:
    """The compiled cffi module and the folder of the native build.

    Normally the binding sits next to this file. When Python runs from a
    source checkout that was installed with ``pip install .`` (not built in
    place), the checkout shadows the installed copy and has no compiled
    files: use the installed copy's build then, rather than fail.
    """
    here = Path(__file__).resolve().parent
    try:
        _tapi = importlib.import_module("pytapi2._tapi")
    except ModuleNotFoundError as exc:
        if exc.name != "pytapi2._tapi":
            raise
        built = _installed_build(here)
        if built is None:
            raise ImportError(
                "pytapi2's native module is not built: install pytapi2 (pip install .) "
                "or build it in place (python setup.py build_ext --inplace)"
            ) from None
        suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
        path = next(p for p in built.glob("_tapi.*") if p.name.endswith(suffixes))
        spec = importlib.util.spec_from_file_location("pytapi2._tapi", path)
        assert spec is not None and spec.loader is not None
        _tapi = importlib.util.module_from_spec(spec)
        sys.modules["pytapi2._tapi"] = _tapi
        spec.loader.exec_module(_tapi)
        log.debug("source checkout: using the native build installed in %s", built)
        return _tapi.ffi, _tapi.lib, built
    return _tapi.ffi, _tapi.lib, here


def simulator_names(platform: str = sys.platform) -> tuple[str, ...]:
    """File names the bundled simulator library may have on ``platform``, preferred first.

    On Windows a DLL has no ``lib`` prefix by convention (``tapisim.dll``, what
    setup.py and tools/build_wheels.py produce); ``libtapisim.dll`` is what a
    plain mingw ``-o lib%.dll`` build gives, accepted too.
    """
    if platform == "win32":
        return ("tapisim.dll", "libtapisim.dll")
    if platform == "darwin":
        return ("libtapisim.dylib",)
    return ("libtapisim.so",)


def _simulator_path(native_dir: Path) -> Path:
    folder = native_dir / "simulator"
    names = simulator_names()
    return next((folder / n for n in names if (folder / n).exists()), folder / names[0])


ffi, lib, NATIVE_DIR = _import_binding()
SIMULATOR_PATH = _simulator_path(NATIVE_DIR)


class BackendError(OSError):
    """The TAPI library could not be loaded or lacks a required function."""


@dataclass(frozen=True)
class Backend:
    """Which TAPI library pytapi2 is bound to."""

    kind: BackendKind
    path: str
    #: True when the library also exports the tapisim_* control API.
    is_simulator: bool


_lock = threading.Lock()
_current: Backend | None = None
# Asked by pytapi2.TapiApp: open apps pin the backend (their handles belong to it).
_pins = 0


def _named(name: str) -> tuple[BackendKind, str]:
    if name == "simulator":
        return "simulator", str(SIMULATOR_PATH)
    # tapi32 on any OS: off Windows the load fails with the loader's own message.
    return "tapi32", "tapi32.dll"


def configured_library() -> tuple[BackendKind, str] | None:
    """The library the environment asks for (``PYTAPI2_LIBRARY`` / ``PYTAPI2_BACKEND``), if any."""
    library = os.environ.get(ENV_LIBRARY)
    if library:
        return "custom", library
    name = os.environ.get(ENV_BACKEND, "").strip().lower()
    if not name:
        return None
    if name not in NAMED_BACKENDS:
        raise BackendError(
            f"{ENV_BACKEND}={os.environ[ENV_BACKEND]!r} is not a backend name: use one of "
            f"{', '.join(NAMED_BACKENDS)} (or {ENV_LIBRARY}=path for any other TAPI library)"
        )
    return _named(name)


def default_library() -> tuple[BackendKind, str]:
    """The library :func:`ensure_loaded` would load, and why."""
    configured = configured_library()
    if configured is not None:
        return configured
    if sys.platform == "win32":
        return "tapi32", "tapi32.dll"
    return "simulator", str(SIMULATOR_PATH)


def load(path: str | os.PathLike[str] | None = None) -> Backend:
    """Bind pytapi2 to a TAPI library (``None``: the default, see module doc).

    ``path`` is a library path or a backend name: ``"simulator"`` (the bundled
    simulator, on any OS) or ``"tapi32"`` (``tapi32.dll``); a file that happens
    to be called ``simulator`` is loaded as ``./simulator``.

    Switching is refused while a :class:`pytapi2.TapiApp` is open, because its
    handles belong to the library that issued them.
    """
    if path is None:
        kind, target = default_library()
    else:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        target = os.fspath(path)
        if not isinstance(target, str):
            raise TypeError("path must be a text path (str), not bytes")
        if target in NAMED_BACKENDS:
            kind, target = _named(target)
        elif Path(target).resolve() == SIMULATOR_PATH.resolve():
            kind = "simulator"
        elif target.lower() == "tapi32.dll":
            kind = "tapi32"
        else:
            kind = "custom"
    global _current
    with _lock:
        if _pins:
            raise BackendError("cannot switch the TAPI library while a TapiApp is open")
        if kind == "simulator" and not Path(target).exists():
            raise BackendError(
                f"the bundled TAPI simulator is missing at {target}; reinstall pytapi2 "
                f"or set {ENV_LIBRARY} to a TAPI library"
            )
        error = ffi.new("char[]", 512)
        if lib.pytapi2_load(os.fsencode(target), error, len(error)) != 0:
            raise BackendError(f"cannot load TAPI library {target}: {ffi.string(error).decode()}")
        _current = Backend(kind, target, bool(lib.pytapi2_has_simulator()))
        log.debug("TAPI backend: %s", _current)
        return _current


def ensure_loaded() -> Backend:
    """The bound backend, loading the default one on first use."""
    current = _current
    if current is not None:
        return current
    return load() if _current is None else _current


def backend() -> Backend:
    """Which TAPI library is loaded (loading the default one if none is yet)."""
    return ensure_loaded()


def pin() -> None:
    """Keep the backend fixed while an app uses it (see :func:`load`)."""
    global _pins
    ensure_loaded()
    with _lock:
        _pins += 1


def unpin() -> None:
    global _pins
    with _lock:
        _pins -= 1


def cdata_address(obj: Any) -> int:
    """Numeric address of a cdata pointer (for diagnostics)."""
    return int(ffi.cast("uintptr_t", obj))
