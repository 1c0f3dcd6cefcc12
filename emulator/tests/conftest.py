"""Clients of the emulator for its own tests (the `emulator` fixture comes from emulator/pytest_plugin.py)."""

from __future__ import annotations

import pytest

from emulator import clients
from emulator.control import EmulatorControl
from tests.support import processes

BUCKET = "registry-1250000000"


@pytest.fixture
def root(emulator) -> tuple[str, str]:
    return emulator.iam.root_secret_id, emulator.iam.root_secret_key


@pytest.fixture
def cos(emulator, root):
    """cos-python-sdk-v5 with the root key, region ap-guangzhou."""
    return clients.cos_client(emulator.url, *root)


@pytest.fixture
def bucket(cos) -> str:
    """An empty bucket in ap-guangzhou."""
    cos.create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
def control(emulator) -> EmulatorControl:
    return EmulatorControl(emulator.url)


@pytest.fixture(scope="session")
def tls_emulator():
    """`python -m emulator --tls` as a child: (URL, CA file). Tests that use it empty it first (the control surface)."""
    process, url, ca_file = processes.start_emulator("--tls")
    try:
        yield url, ca_file
    finally:
        processes.stop(process)
