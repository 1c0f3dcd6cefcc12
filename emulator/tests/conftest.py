"""Clients of the emulator for its own tests (the `emulator` fixture comes from emulator/pytest_plugin.py)."""

from __future__ import annotations

import pytest

from emulator import clients

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
