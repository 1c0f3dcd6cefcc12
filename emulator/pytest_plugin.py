"""Pytest plugin: the emulator as fixtures, one per test process, reset before each test that uses it.

Loaded with `-p emulator.pytest_plugin` (pyproject.toml), so the emulator's own tests and the project's share it.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def emulator_server():
    """The process's emulator (the storage engine is process-wide, so there is only ever one)."""
    from emulator.server import Emulator

    with Emulator() as server:
        yield server


@pytest.fixture
def emulator(emulator_server):
    """The running emulator, emptied: no buckets, only the root account, no counters, faults or switches."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def control(emulator):
    """The emulator's control surface (faults, delays, counters, switches) over HTTP, as other processes reach it."""
    from emulator.control import EmulatorControl

    return EmulatorControl(emulator.url)
