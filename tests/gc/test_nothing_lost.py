"""Nothing in use is lost: distribution v3 serves from the emulator while registry_garbage_collect marks; writers push
new images, tag existing manifests again, mount blobs across repositories and push again an image whose blobs were
garbage when the mark began. The registry then restarts read-only for the sweep and read-write after it, as
garbage_collect.yml does, and every tag pulls back byte for byte; a blob the sweep deleted can be pushed again and
pulled (the blob cache forgot it with the restart). Also with listings that lag behind writes. Then the failure
modes: a registry still taking pushes when the sweep begins, and listings lagging longer than the settle time."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import requests

from emulator.control import EmulatorControl
from tests.gc.support import new_storage, run_module
from tests.support import processes, registry
from tools import oci

REDIS_SERVER = "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(
    not (shutil.which("skopeo") and shutil.which("go")), reason="needs skopeo and Go (distribution v3)"
)

MANIFEST_TYPES = ", ".join((oci.MANIFEST_TYPE, "application/vnd.docker.distribution.manifest.v2+json"))
LAYER = 256 * 1024
HTTP_TIMEOUT = 30
PUSH_ATTEMPTS = 4


class Site:
    """A registry:3 process on the storage, restarted read-only or read-write on the same port."""

    def __init__(self, storage, directory: Path):
        self.storage = storage
        self.directory = directory
        self.port = processes.free_port()
        self.running = None
        self._stack = contextlib.ExitStack()

    def start(self, readonly: bool = False, redis: str = "") -> None:
        self.stop()
        config = self.storage.registry_config(self.port, readonly=readonly, cache="redis" if redis else "inmemory")
        if redis:
            config["redis"] = {"addrs": [redis], "db": 0}
        self._stack = contextlib.ExitStack()
        self.running = self._stack.enter_context(
            registry.run_registry(config, self.directory / "registry", version=3, proxy=self.storage.emulator_url)
        )

    def stop(self) -> None:
        self._stack.close()
        self.running = None

    @property
    def url(self) -> str:
        return self.running.url

    def push(self, image: oci.OciImage, reference: str) -> None:
        """skopeo's push, run again when it failed, as a person would: under lagging listings distribution fails some
        upload completions (docs/registry-versions.md)."""
        for attempt in range(PUSH_ATTEMPTS):
            try:
                return registry.push(image.reference, self.running, reference)
            except AssertionError:
                if attempt == PUSH_ATTEMPTS - 1:
                    raise

    def pull_matches(self, image: oci.OciImage, reference: str, directory: Path) -> bool:
        tag = reference.rsplit(":", 1)[1]
        registry.pull(self.running, reference, f"oci:{directory}:{tag}")
        pulled = oci.read_image(directory, tag)
        return pulled.digests == image.digests and all(pulled.blob(d) == image.blob(d) for d in image.digests)

    def retag(self, repository: str, reference: str, tag: str) -> None:
        answer = requests.get(
            f"{self.url}/v2/{repository}/manifests/{reference}",
            headers={"Accept": MANIFEST_TYPES},
            timeout=HTTP_TIMEOUT,
        )
        answer.raise_for_status()
        put = requests.put(
            f"{self.url}/v2/{repository}/manifests/{tag}",
            data=answer.content,
            headers={"Content-Type": answer.headers["Content-Type"]},
            timeout=HTTP_TIMEOUT,
        )
        assert put.status_code == 201, put.text

    def mount(self, image: oci.OciImage, source: str, target: str, tag: str) -> None:
        """Every blob of the image mounted from `source` into `target`, then its manifest put there."""
        for digest in [image.config_digest, *image.layer_digests]:
            mounted = requests.post(
                f"{self.url}/v2/{target}/blobs/uploads/", params={"mount": digest, "from": source}, timeout=HTTP_TIMEOUT
            )
            assert mounted.status_code == 201, mounted.text
        put = requests.put(
            f"{self.url}/v2/{target}/manifests/{tag}",
            data=image.blob(image.manifest_digest),
            headers={"Content-Type": oci.MANIFEST_TYPE},
            timeout=HTTP_TIMEOUT,
        )
        assert put.status_code == 201, put.text

    def delete(self, repository: str, digest: str) -> None:
        answer = requests.delete(f"{self.url}/v2/{repository}/manifests/{digest}", timeout=HTTP_TIMEOUT)
        assert answer.status_code == 202, answer.text

    def blob_status(self, repository: str, digest: str) -> int:
        return requests.head(f"{self.url}/v2/{repository}/blobs/{digest}", timeout=HTTP_TIMEOUT).status_code


@pytest.fixture
def site(emulator, tmp_path):
    storage = new_storage(emulator, tmp_path)
    running = Site(storage, tmp_path)
    running.start()
    yield running
    running.stop()


def images(directory: Path, *names: str) -> dict[str, oci.OciImage]:
    return {name: oci.write_image(directory / name, name, (LAYER, LAYER // 2)) for name in names}


def phase(site: Site, name: str, **arguments) -> dict:
    arguments = site.storage.module_arguments(
        phase=name, state_file=str(site.directory / "gc-state.json"), delete_untagged=True, **arguments
    )
    return run_module(arguments, site.directory)


@pytest.mark.parametrize("list_delay", [0, 2], ids=["listings-current", "listings-lagging-2s"])
def test_nothing_in_use_is_lost_while_pushes_go_on_during_the_mark(site, emulator, tmp_path, list_delay):
    made = images(tmp_path / "images", "kept", "garbage", "evicted", "new", "moved")
    for name in ("kept", "garbage", "evicted"):
        site.push(made[name], f"{name}/app:v1")
    site.push(made["moved"], "moved/app:v1")
    # 'garbage' and 'evicted' lose their manifests: their blobs are garbage when the mark begins. 'evicted' is pulled
    # first, so that the registry's blob cache describes its blobs.
    assert site.pull_matches(made["evicted"], "evicted/app:v1", tmp_path / "cached")
    site.delete("garbage/app", made["garbage"].manifest_digest)
    site.delete("evicted/app", made["evicted"].manifest_digest)
    EmulatorControl(emulator.url).set_list_delay(list_delay)

    def writers():
        site.push(made["new"], "new/app:v1")
        site.retag("kept/app", "v1", "v2")
        site.mount(made["kept"], "kept/app", "mounted/app", "v1")
        site.push(made["garbage"], "again/app:v1")  # blobs that were garbage at mark time, used again
        site.retag("moved/app", "v1", "latest")

    writing = threading.Thread(target=writers)
    writing.start()
    marked = phase(site, "mark")
    writing.join(120)
    assert not marked.get("failed"), marked
    site.start(readonly=True)
    swept = phase(site, "sweep", settle_seconds=list_delay + 1)
    assert not swept.get("failed"), swept
    site.start(readonly=False)
    verified = phase(site, "verify")
    assert not verified.get("failed") and verified["problems"] == [], verified
    # Only the evicted image went: its blobs are in the sweep, nobody else's.
    assert set(swept["deleted_blobs"]) == set(made["evicted"].digests)
    expected = {
        "kept/app:v1": "kept",
        "kept/app:v2": "kept",
        "mounted/app:v1": "kept",
        "new/app:v1": "new",
        "again/app:v1": "garbage",
        "moved/app:v1": "moved",
        "moved/app:latest": "moved",
    }
    for number, (reference, name) in enumerate(expected.items()):
        assert site.pull_matches(made[name], reference, tmp_path / f"pulled{number}"), reference
    # The cache case: the evicted image's blobs were deleted; pushed again, they are uploaded again and pull.
    assert site.blob_status("evicted/app", made["evicted"].layer_digests[0]) == 404
    site.push(made["evicted"], "evicted/app:v2")
    assert site.pull_matches(made["evicted"], "evicted/app:v2", tmp_path / "pushed-again")


def test_a_registry_still_taking_pushes_stops_the_sweep_before_it_deletes(site, tmp_path):
    made = images(tmp_path / "images", "garbage", "kept")
    site.push(made["garbage"], "garbage/app:v1")
    site.push(made["kept"], "kept/app:v1")
    site.delete("garbage/app", made["garbage"].manifest_digest)
    assert not phase(site, "mark").get("failed")
    before = site.storage.keys_now()
    # The replica did not go read-only: it keeps taking tags while the sweep settles.
    stop = threading.Event()

    def tagging():
        for number in range(1000):
            if stop.wait(0.3):
                return
            site.retag("kept/app", "v1", f"t{number}")

    writer = threading.Thread(target=tagging)
    writer.start()
    try:
        swept = phase(site, "sweep", settle_seconds=3)
    finally:
        stop.set()
        writer.join(30)
    assert swept.get("failed") and "a replica is still taking pushes. Nothing was deleted." in swept["msg"], swept
    assert before <= site.storage.keys_now()


def test_listings_lagging_longer_than_the_settle_time_are_caught_by_the_verification(site, emulator, tmp_path):
    """The failure the settle time prevents: a tag pushed just before the sweep, reusing blobs that were garbage, is
    hidden from the sweep's listing, so its blobs are deleted; the verification names the tag."""
    made = images(tmp_path / "images", "garbage")
    site.push(made["garbage"], "garbage/app:v1")
    site.delete("garbage/app", made["garbage"].manifest_digest)
    assert not phase(site, "mark").get("failed")
    EmulatorControl(emulator.url).set_list_delay(8)
    site.mount(made["garbage"], "garbage/app", "again/app", "v1")
    site.start(readonly=True)
    swept = phase(site, "sweep", settle_seconds=0)
    assert set(made["garbage"].layer_digests) <= set(swept["deleted_blobs"]), swept
    site.start(readonly=False)
    EmulatorControl(emulator.url).set_list_delay(0)
    verified = phase(site, "verify")
    assert verified.get("failed") and "again/app:v1" in verified["msg"], json.dumps(verified)[:2000]


@pytest.fixture
def redis_addr(tmp_path):
    """A redis of its own on a free port, keeping nothing on disk."""
    if not shutil.which(REDIS_SERVER):
        pytest.skip("needs redis-server")
    port = processes.free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        processes.wait_for_port("127.0.0.1", port, 30, server)
        yield f"127.0.0.1:{port}"
    finally:
        processes.stop(server)


@pytest.mark.parametrize("cleared", [True, False], ids=["redis-cleared", "redis-left-alone"])
def test_a_redis_cache_forgets_the_blobs_the_sweep_deleted(site, redis_addr, tmp_path, cleared):
    """distribution's redis blob cache outlives restarts: the registry, never restarted here, answers for a deleted
    blob until the sweep deletes its keys. Left alone, the cache says the layer exists, the push skips it and the image
    no longer pulls (distribution 1803, 4269); cleared, the push uploads it again and the image pulls."""
    site.start(redis=redis_addr)
    made = images(tmp_path / "images", "evicted")
    site.push(made["evicted"], "evicted/app:v1")
    assert site.pull_matches(made["evicted"], "evicted/app:v1", tmp_path / "cached")
    site.delete("evicted/app", made["evicted"].manifest_digest)
    collected = run_module(
        site.storage.module_arguments(delete_untagged=True, **({"redis": {"addr": redis_addr}} if cleared else {})),
        site.directory,
    )
    assert set(made["evicted"].digests) <= set(collected["deleted_blobs"]), collected
    assert (collected.get("cache_commands", 0) > 0) is cleared
    layer = made["evicted"].layer_digests[0]
    assert site.blob_status("evicted/app", layer) == (404 if cleared else 200)
    if cleared:
        site.push(made["evicted"], "evicted/app:v2")
        assert site.pull_matches(made["evicted"], "evicted/app:v2", tmp_path / "pushed-again")
