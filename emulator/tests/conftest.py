"""Clients of the emulator for its own tests (the `emulator` fixture comes from emulator/pytest_plugin.py)."""

from __future__ import annotations

import pytest
import requests

from emulator import clients
from tests.support import processes

BUCKET = "registry-1250000000"


def signed_request(emulator, cos, method: str, bucket: str, key: str = "", **options) -> requests.Response:
    """A request cos-python-sdk-v5 signs but does not send itself: with headers or parameters its methods do not
    take. options: headers, params, data."""
    headers, params = options.pop("headers", {}), options.get("params", {})
    authorization = cos.get_auth(
        Method=method, Bucket=bucket, Key=key or "/", Headers=headers, Params=params, SignHost=False
    )
    return requests.request(
        method,
        f"{emulator.url}/{key}",
        headers={**headers, "Host": f"{bucket}.cos.ap-guangzhou.myqcloud.com", "Authorization": authorization},
        timeout=30,
        **options,
    )


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


@pytest.fixture(scope="session")
def tls_emulator():
    """`python -m emulator --tls` as a child: (URL, CA file). Tests that use it empty it first (the control surface)."""
    process, url, ca_file = processes.start_emulator("--tls")
    try:
        yield url, ca_file
    finally:
        processes.stop(process)
