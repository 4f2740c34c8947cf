"""Choosing the TAPI library: PYTAPI2_LIBRARY, PYTAPI2_BACKEND, load("simulator"), per OS."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import pytapi2
from pytapi2 import _native


@pytest.fixture(autouse=True)
def restore_backend() -> Iterator[None]:
    """Each test may switch the library; the one loaded before comes back."""
    before = _native.ensure_loaded()
    yield
    pytapi2.load(before.path)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(_native.ENV_LIBRARY, raising=False)
    monkeypatch.delenv(_native.ENV_BACKEND, raising=False)
    return monkeypatch


def test_load_by_name_selects_the_bundled_simulator() -> None:
    backend = pytapi2.load("simulator")
    assert backend.kind == "simulator" and backend.is_simulator
    assert Path(backend.path) == _native.SIMULATOR_PATH
    assert _native.SIMULATOR_PATH.name in _native.simulator_names()
    assert pytapi2.backend() == backend


def test_the_simulator_by_its_path_is_the_simulator() -> None:
    backend = pytapi2.load(_native.SIMULATOR_PATH)
    assert backend.kind == "simulator" and backend.is_simulator


def test_simulator_file_names_per_os() -> None:
    assert _native.simulator_names("win32") == ("tapisim.dll", "libtapisim.dll")
    assert _native.simulator_names("linux") == ("libtapisim.so",)
    assert _native.simulator_names("darwin") == ("libtapisim.dylib",)


def test_default_is_tapi32_on_windows_and_the_simulator_elsewhere(
    clean_env: pytest.MonkeyPatch,
) -> None:
    assert _native.configured_library() is None
    clean_env.setattr(sys, "platform", "win32")
    assert _native.default_library() == ("tapi32", "tapi32.dll")
    clean_env.setattr(sys, "platform", "linux")
    assert _native.default_library() == ("simulator", str(_native.SIMULATOR_PATH))


@pytest.mark.parametrize("platform", ["win32", "linux"])
def test_pytapi2_backend_selects_by_name_on_every_os(
    clean_env: pytest.MonkeyPatch, platform: str
) -> None:
    clean_env.setattr(sys, "platform", platform)
    clean_env.setenv(_native.ENV_BACKEND, "simulator")
    assert _native.default_library() == ("simulator", str(_native.SIMULATOR_PATH))
    clean_env.setenv(_native.ENV_BACKEND, " Tapi32 ")
    assert _native.default_library() == ("tapi32", "tapi32.dll")


def test_pytapi2_library_wins_over_pytapi2_backend(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(_native.ENV_BACKEND, "simulator")
    clean_env.setenv(_native.ENV_LIBRARY, "/opt/provider/libtapi.so")
    assert _native.default_library() == ("custom", "/opt/provider/libtapi.so")


def test_an_unknown_backend_name_is_refused_naming_the_variable(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv(_native.ENV_BACKEND, "simulater")
    with pytest.raises(pytapi2.BackendError, match=r"PYTAPI2_BACKEND='simulater'.*simulator"):
        _native.default_library()
    with pytest.raises(pytapi2.BackendError, match="PYTAPI2_BACKEND"):
        pytapi2.load()


def test_environment_selection_is_what_load_loads(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(_native.ENV_BACKEND, "simulator")
    backend = pytapi2.load()
    assert backend.kind == "simulator" and backend.is_simulator


@pytest.mark.skipif(sys.platform == "win32", reason="tapi32.dll exists on Windows")
def test_tapi32_by_name_off_windows_fails_clearly() -> None:
    with pytest.raises(pytapi2.BackendError, match=r"tapi32\.dll"):
        pytapi2.load("tapi32")
    assert pytapi2.backend().is_simulator  # the previous binding stays
