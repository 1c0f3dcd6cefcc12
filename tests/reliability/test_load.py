"""Load: 16 concurrent pushes and pulls of distinct images through the deployed registry, every pulled digest verified;
32 concurrent driver writers of distinct objects, all committed, read back intact, no multipart upload left. Sizes keep
the suite within minutes on two cores; times and throughput are measured and reported, never asserted."""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ansible_collections.cosops.registry.plugins.module_utils.cos_driver import CosDriver, DriverConfig
from tests.reliability import registry_client
from tests.support import clients, oci

MIB = 1024 * 1024
IMAGES = 16
# Layers of 1 to 6 MiB: those over the registry's 5 MiB chunk go up as multipart uploads.
LAYER_SIZES = tuple((1 + index % 6) * MIB for index in range(IMAGES))
WRITERS = 32
# Two 5 MiB parts and a short one: every writer sends a real multipart upload.
OBJECT_SIZE = 11 * MIB


def push_and_pull(deployment, work, index: int) -> str:
    """'' when the image came back identical, else what went wrong."""
    repository = f"load/image-{index}"
    image = oci.write_image(work / f"pushed-{index}", f"v{index}", (LAYER_SIZES[index],))
    try:
        registry_client.push(deployment, image, repository)
        pulled = registry_client.pull(deployment, repository, image.tag, work / f"pulled-{index}")
    except AssertionError as error:
        return f"{repository}: {error}"
    return "" if registry_client.same_image(image, pulled) else f"{repository}: digests differ"


@pytest.mark.xdist_group("registry")
def test_concurrent_pushes_and_pulls_through_the_deployed_registry(deployment, tmp_path, figures):
    started = time.monotonic()
    with ThreadPoolExecutor(IMAGES) as pool:
        errors = [error for error in pool.map(lambda index: push_and_pull(deployment, tmp_path, index), range(IMAGES))]
    seconds = time.monotonic() - started
    failures = [error for error in errors if error]
    figures.set("load_images", IMAGES)
    figures.add("load_errors", len(failures))
    figures.set("load_seconds", round(seconds, 1))
    figures.set("load_mib", round(2 * sum(LAYER_SIZES) / MIB, 1))
    assert not failures, "\n".join(failures)


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
