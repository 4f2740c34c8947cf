"""Registers pytapi2's pytest plugin when pytapi2 runs from a checkout (an
installed pytapi2 registers it through its ``pytest11`` entry point)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytapi2"):
        from pytapi2.simulator import pytest_plugin

        config.pluginmanager.register(pytest_plugin, "pytapi2")
