"""Load on the storage driver: 32 concurrent writers of distinct objects, all committed, read back intact, no
multipart upload left. Times are measured and reported, never asserted."""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig

from emulator import clients

MIB = 1024 * 1024
WRITERS = 32
# Two 5 MiB parts and a short one: every writer sends a real multipart upload.
OBJECT_SIZE = 11 * MIB


def writer_driver(emulator) -> CosDriver:
    return CosDriver(
        DriverConfig.from_parameters(
            {
                "secretid": emulator.iam.root_secret_id,
                "secretkey": emulator.iam.root_secret_key,
                "region": clients.REGION,
                "bucket": f"load-{emulator.appid}",
                "endpoint": emulator.url,
                "rootdirectory": "/registry",
                "chunksize": 5 * MIB,
                "maxconcurrency": 2,
            }
        )
    )


def write_object(driver: CosDriver, index: int) -> str:
    """Writes a distinct object and returns its sha256."""
    data = os.urandom(OBJECT_SIZE)
    writer = driver.writer(f"/docker/registry/v2/blobs/load/{index}/data")
    writer.write(data)
    writer.commit()
    return hashlib.sha256(data).hexdigest()


def test_concurrent_driver_writers(emulator, figures):
    driver = writer_driver(emulator)
    driver.api.call("create_bucket", Bucket=driver.bucket)
    started = time.monotonic()
    with ThreadPoolExecutor(WRITERS) as pool:
        written = list(pool.map(lambda index: write_object(driver, index), range(WRITERS)))
    seconds = time.monotonic() - started
    read_back = [
        hashlib.sha256(driver.get_content(f"/docker/registry/v2/blobs/load/{index}/data")).hexdigest()
        for index in range(WRITERS)
    ]
    uploads = driver.api.call("list_multipart_uploads", Bucket=driver.bucket).get("Upload", [])
    figures.set("driver_writers", WRITERS)
    figures.add("driver_uploads_left", len(uploads))
    figures.set("driver_seconds", round(seconds, 1))
    figures.set("driver_mib", WRITERS * OBJECT_SIZE // MIB)
    assert read_back == written
    assert len(driver.list("/docker/registry/v2/blobs/load")) == WRITERS
    assert uploads == []
