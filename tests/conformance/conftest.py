"""Where the storage driver suite runs: real COS when COS_SECRET_ID, COS_SECRET_KEY, COS_BUCKET and COS_REGION are
set (COS_SECURE optional), otherwise the bundled emulator. Each test gets a driver rooted in a fresh directory and must
leave it empty, with no multipart upload open, as distribution's suite demands of every driver."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import DEFAULT_TIMEOUT, CosApi

from emulator.control import EmulatorControl

EMULATOR_BUCKET = "conformance-{appid}"
EMULATOR_TIMEOUT = 120
REAL_COS_VARIABLES = ("COS_SECRET_ID", "COS_SECRET_KEY", "COS_BUCKET", "COS_REGION")


@dataclass
class Backend:
    parameters: dict
    control: EmulatorControl | None = None
    # Real COS stamps modification times from clocks that may drift; the emulator from one clock.
    clock_settle: float = 1.1

    @property
    def is_emulator(self) -> bool:
        return self.control is not None

    def require_emulator(self) -> EmulatorControl:
        if self.control is None:
            pytest.skip("needs the emulator's control surface")
        return self.control

    def driver(self, **overrides) -> CosDriver:
        config = DriverConfig.from_parameters({**self.parameters, **overrides})
        # The emulator shares two cores with the suite's own threads: give it time rather than fail on a slow answer.
        timeout = EMULATOR_TIMEOUT if self.is_emulator else DEFAULT_TIMEOUT
        return CosDriver(config, CosApi(config.connection(timeout=timeout), config.region))

    def ensure_bucket(self) -> None:
        """The emulator starts each test empty; real COS has the bucket already."""
        if self.is_emulator:
            self.driver().api.call("create_bucket", Bucket=self.parameters["bucket"])


def real_cos_parameters() -> dict | None:
    if not all(os.environ.get(name) for name in REAL_COS_VARIABLES):
        return None
    return {
        "secretid": os.environ["COS_SECRET_ID"],
        "secretkey": os.environ["COS_SECRET_KEY"],
        "bucket": os.environ["COS_BUCKET"],
        "region": os.environ["COS_REGION"],
        "secure": os.environ.get("COS_SECURE", "true"),
    }


@pytest.fixture(scope="session")
def backend(request) -> Backend:
    parameters = real_cos_parameters()
    if parameters is not None:
        return Backend(parameters, clock_settle=10)
    emulator = request.getfixturevalue("emulator_server")
    iam = emulator.iam
    parameters = {
        "secretid": iam.root_secret_id,
        "secretkey": iam.root_secret_key,
        "bucket": EMULATOR_BUCKET.format(appid=iam.appid),
        "region": "ap-guangzhou",
        "endpoint": emulator.url,
    }
    return Backend(parameters, EmulatorControl(emulator.url, getattr(emulator, "ca_file", None)))


@pytest.fixture
def root_directory() -> str:
    return f"conformance/{uuid.uuid4().hex[:12]}"


@pytest.fixture
def driver(request, backend: Backend, root_directory: str):
    if backend.is_emulator:
        request.getfixturevalue("emulator")  # emptied before each test
    backend.ensure_bucket()
    storage = backend.driver(rootdirectory=root_directory)
    yield storage
    assert_left_clean(storage)


def assert_left_clean(storage: CosDriver) -> None:
    leftovers = storage.list("/")
    uploads = open_uploads(storage)
    for path in leftovers:
        storage.delete(path)
    for key, upload_id in uploads:
        storage.uploads.abort(key, upload_id)
    assert not leftovers, f"the test left files behind: {leftovers}"
    assert not uploads, f"the test left multipart uploads open: {uploads}"


def open_uploads(storage: CosDriver) -> list[tuple[str, str]]:
    page = storage.api.call("list_multipart_uploads", Bucket=storage.bucket, Prefix=storage.keys.root_prefix)
    return [(upload["Key"], upload["UploadId"]) for upload in page.get("Upload", [])]
