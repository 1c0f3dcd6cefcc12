"""Load through the deployed registry: 16 concurrent pushes and pulls of distinct images, zero errors, every pulled
digest verified. Sizes keep the suite within minutes on two cores; times are measured and reported, never asserted."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.reliability import registry_client
from tools import oci

MIB = 1024 * 1024
IMAGES = 16
# Layers of 1 to 6 MiB: those over the registry's 5 MiB chunk go up as multipart uploads.
LAYER_SIZES = tuple((1 + index % 6) * MIB for index in range(IMAGES))


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


def test_concurrent_pushes_and_pulls_through_the_deployed_registry(deployment, tmp_path, figures):
    started = time.monotonic()
    with ThreadPoolExecutor(IMAGES) as pool:
        outcomes = list(pool.map(lambda index: push_and_pull(deployment, tmp_path, index), range(IMAGES)))
    seconds = time.monotonic() - started
    failures = [error for error in outcomes if error]
    figures.set("load_images", IMAGES)
    figures.add("load_errors", len(failures))
    figures.set("load_seconds", round(seconds, 1))
    figures.set("load_mib", round(2 * sum(LAYER_SIZES) / MIB, 1))
    assert not failures, "\n".join(failures)
