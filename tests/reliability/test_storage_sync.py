"""registry_storage_sync with real programs: Debian's docker-registry with the filesystem driver, filled by skopeo, is
copied into the emulator by the module (run through `ansible`), and a docker-registry with the s3 driver reading the
copy serves every image back byte for byte. Also: a corrupt blob is refused, a registry reading the target while the
copy runs never fails a tag it lists, a tag moved at the source during the copy is left for the next run, an
interrupted copy leaves nothing behind and a re-run finishes it, and a copy from one bucket to another. No containers: every registry is a local process.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_sync import (
    CosSource,
    FilesystemSource,
    StorageSync,
)

from emulator import clients
from emulator.control import EmulatorControl
from tests.collection_path import COLLECTIONS_DIR
from tests.reliability.registry_client import MANIFEST_ACCEPT, same_image
from tests.support import ansible_runner, processes, registry
from tools import oci

pytestmark = pytest.mark.skipif(
    not (shutil.which("skopeo") and shutil.which(registry.REGISTRY_BINARY)), reason="needs skopeo and docker-registry"
)

REGION = "ap-guangzhou"
ROOT = "/registry"
MIB = 1024 * 1024
CHUNK = 5 * MIB
# Tags and the layer sizes of their image: one layer above the chunk size, so it is copied as a multipart upload.
IMAGES = {
    ("team/web", "v1"): (6 * MIB, 64 * 1024),
    ("team/api", "v1"): (1 * MIB,),
    ("team/api", "v2"): (512 * 1024,),
    ("tools/a/b", "latest"): (128 * 1024,),
}
HTTP_TIMEOUT = 30
# Bounds of waits for events (a process gone, an upload started), never asserted on.
EVENT_TIMEOUT = 120


@dataclass
class FilledRegistry:
    """The filesystem driver's root directory, and what was pushed, by (repository, tag)."""

    root: Path
    images: dict = field(default_factory=dict)

    def blob_file(self, digest: str) -> Path:
        hexdigest = digest.split(":", 1)[1]
        return self.root / "docker/registry/v2/blobs/sha256" / hexdigest[:2] / hexdigest / "data"


@pytest.fixture
def source(tmp_path) -> FilledRegistry:
    """docker-registry with the filesystem driver, filled with IMAGES by skopeo, then stopped."""
    filled = FilledRegistry(tmp_path / "filesystem")
    config = registry.registry_config({"filesystem": {"rootdirectory": str(filled.root)}}, processes.free_port())
    with registry.run_registry(config, tmp_path / "source") as running:
        for index, ((repository, tag), sizes) in enumerate(IMAGES.items()):
            image = oci.write_image(tmp_path / f"image-{index}", tag, sizes)
            registry.push(image.reference, running, f"{repository}:{tag}")
            filled.images[(repository, tag)] = image
    return filled


def make_bucket(emulator, name: str) -> str:
    bucket = f"{name}-{emulator.appid}"
    root = (emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    clients.cos_client(emulator.url, *root).create_bucket(Bucket=bucket)
    # docker-registry (distribution 2.8) addresses buckets path-style only.
    EmulatorControl(emulator.url).set_path_style(bucket, reject=False)
    return bucket


@pytest.fixture
def bucket(emulator) -> str:
    return make_bucket(emulator, "registry")


def sync_arguments(bucket: str, source: FilledRegistry | None = None, **options) -> dict:
    arguments = {"bucket": bucket, "rootdirectory": ROOT, "chunksize": CHUNK, "maxconcurrency": 4, **options}
    if source is not None:
        arguments["src_path"] = str(source.root)
    return arguments


def sync(emulator, bucket: str, source: FilledRegistry | None = None, check: bool = False, **options) -> dict:
    return ansible_runner.run_module(
        emulator, "registry_storage_sync", sync_arguments(bucket, source, **options), check=check
    )


def keys(emulator, bucket: str, prefix: str = "") -> dict:
    """Key -> size of every object in the bucket."""
    client = clients.cos_client(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    listed = client.list_objects(Bucket=bucket, Prefix=prefix, MaxKeys=1000)
    return {item["Key"]: int(item["Size"]) for item in listed.get("Contents", [])}


def uploads(emulator, bucket: str) -> list:
    client = clients.cos_client(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    return client.list_multipart_uploads(Bucket=bucket).get("Upload", [])


def serving(emulator, bucket: str, directory: Path, rootdirectory: str = ROOT):
    """docker-registry with the s3 driver reading the bucket (blobs served through it, no cache)."""
    key = (emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    storage, _proxy = registry.emulated_s3_storage(2, emulator.url, bucket, REGION, key, rootdirectory)
    config = registry.registry_config(storage, processes.free_port(), redirect=False)
    return registry.run_registry(config, directory)


def assert_pulls_back(running: registry.RunningRegistry, source: FilledRegistry, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for (repository, tag), image in source.images.items():
        layout = directory / f"pulled-{repository.replace('/', '-')}-{tag}"
        registry.pull(running, f"{repository}:{tag}", f"oci:{layout}:{tag}")
        assert same_image(image, oci.read_image(layout, tag)), f"{repository}:{tag} differs after the copy"


def test_filesystem_registry_is_copied_and_pulled_back_byte_for_byte(emulator, control, source, bucket, tmp_path):
    blobs = {digest for image in source.images.values() for digest in image.digests}

    planned = sync(emulator, bucket, source, check=True)
    assert planned["changed"] and not planned.get("failed"), planned
    assert planned["copied"]["by_kind"]["blob"]["objects"] == len(blobs)
    assert planned["copied"]["by_kind"]["tag_link"]["objects"] == len(IMAGES)
    assert keys(emulator, bucket) == {}, "check mode wrote to the target"

    copied = sync(emulator, bucket, source)
    assert copied["changed"] and not copied.get("failed"), copied
    assert copied["copied"] == planned["copied"]
    assert copied["verified"]["objects"] == len(blobs)
    assert set(copied["seconds"]) == {"listing", "blobs", "links", "tags", "delete", "total"}
    assert not uploads(emulator, bucket)

    with serving(emulator, bucket, tmp_path / "target") as running:
        assert_pulls_back(running, source, tmp_path)

    control.clear_counters()
    again = sync(emulator, bucket, source)
    assert not again["changed"] and again["copied"]["objects"] == 0, again
    assert again["unchanged"]["objects"] == copied["copied"]["objects"]
    operations = control.counters()["operations"]
    # One flat listing of the target decides: no object is asked for, read or written.
    assert set(operations) == {"cos:GetBucket"}, operations


def test_corrupt_blob_is_refused_and_nothing_refers_to_it(emulator, source, bucket):
    layer = source.images[("team/api", "v2")].layer_digests[0]
    data = bytearray(source.blob_file(layer).read_bytes())
    data[len(data) // 2] ^= 0xFF
    source.blob_file(layer).write_bytes(bytes(data))

    refused = sync(emulator, bucket, source)
    assert refused.get("failed"), refused
    assert layer in refused["msg"] and "do not match their digest" in refused["msg"], refused["msg"]
    copied = keys(emulator, bucket)
    hexdigest = layer.split(":", 1)[1]
    assert not [key for key in copied if hexdigest in key], "the corrupt blob reached the target"
    assert not [key for key in copied if "/_manifests/" in key or "/_layers/" in key], "links were copied"


class TagPoller(threading.Thread):
    """Reads the target through its registry until stopped: every tag listed must resolve, with all its blobs."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.stopped = threading.Event()
        self.failures: list[str] = []
        self.tags_seen: set[str] = set()
        # How many tags each poll found listed.
        self.listed: list[int] = []

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.listed.append(self.poll())
            except (requests.RequestException, ValueError, KeyError) as error:
                # A poll that breaks must fail the test, not end the polling unnoticed.
                self.failures.append(f"a poll failed: {error!r}")
                return

    def get(self, path: str, method: str = "GET") -> requests.Response:
        return requests.request(
            method, f"{self.url}/v2/{path}", headers={"Accept": MANIFEST_ACCEPT}, timeout=HTTP_TIMEOUT
        )

    def poll(self) -> int:
        listed = 0
        for repository in self.get("_catalog").json().get("repositories") or []:
            for tag in self.get(f"{repository}/tags/list").json().get("tags") or []:
                listed += 1
                self.tags_seen.add(f"{repository}:{tag}")
                self.check(repository, tag)
        return listed

    def check(self, repository: str, tag: str) -> None:
        manifest = self.get(f"{repository}/manifests/{tag}")
        if manifest.status_code != 200:
            self.failures.append(f"{repository}:{tag} listed, manifest answered {manifest.status_code}")
            return
        document = manifest.json()
        for descriptor in [document["config"], *document["layers"]]:
            blob = self.get(f"{repository}/blobs/{descriptor['digest']}", "HEAD")
            if blob.status_code != 200:
                self.failures.append(
                    f"{repository}:{tag} listed, blob {descriptor['digest']} answered {blob.status_code}"
                )


def test_registry_reading_the_target_never_fails_a_tag_it_lists(emulator, control, source, bucket, tmp_path):
    # Every write is slowed, so the poller reads the target many times while links and tags arrive one by one.
    control.add_fault("delay", count=1000, delay=0.2, operation="cos:PutObject")
    with serving(emulator, bucket, tmp_path / "target") as running:
        poller = TagPoller(running.url)
        poller.start()
        try:
            copied = sync(emulator, bucket, source, maxconcurrency=1)
        finally:
            poller.stopped.set()
            poller.join(HTTP_TIMEOUT)
    assert not copied.get("failed"), copied
    assert not poller.failures, poller.failures[:5]
    # The poller read the target while the tags arrived: some poll found some of them listed, not yet all.
    assert any(0 < listed < len(IMAGES) for listed in poller.listed), f"tags listed per poll: {poller.listed}"


def target_driver(emulator, bucket: str, rootdirectory: str = ROOT) -> CosDriver:
    parameters = {
        "secretid": emulator.iam.root_secret_id,
        "secretkey": emulator.iam.root_secret_key,
        "region": REGION,
        "bucket": bucket,
        "endpoint": emulator.url,
        **sync_arguments(bucket, rootdirectory=rootdirectory),
    }
    return CosDriver(DriverConfig.from_parameters(parameters))


class PushedAfterListing(FilesystemSource):
    """The source directory, which takes a push (push()) right after the sync has listed it."""

    def __init__(self, root: Path, push):
        super().__init__(str(root))
        self.push = push

    def entries(self) -> list:
        listed = super().entries()
        self.push()
        return listed


def test_tag_moved_at_the_source_during_the_copy_waits_for_the_next_run(emulator, source, bucket, tmp_path):
    moved = oci.write_image(tmp_path / "moved", "v1", (256 * 1024,))

    def push_moved_tag():
        config = registry.registry_config({"filesystem": {"rootdirectory": str(source.root)}}, processes.free_port())
        with registry.run_registry(config, tmp_path / "source-again") as running:
            registry.push(moved.reference, running, "team/api:v1")

    warnings: list = []
    copied = StorageSync(
        PushedAfterListing(source.root, push_moved_tag), target_driver(emulator, bucket), warnings.append
    )
    result = copied.run(check_mode=False)
    assert result["tags_deferred"] == ["team/api:v1"] and not warnings, result
    assert "1 tags moved at the source" in result["summary"], result["summary"]
    assert not [key for key in keys(emulator, bucket) if "/team/api/_manifests/tags/v1/" in key], "v1 was written"

    # The target's registry lists only tags that resolve: v1 is not listed at all, v2 is whole.
    with serving(emulator, bucket, tmp_path / "target") as running:
        poller = TagPoller(running.url)
        poller.poll()
    assert not poller.failures, poller.failures
    assert "team/api:v1" not in poller.tags_seen and "team/api:v2" in poller.tags_seen, poller.tags_seen

    rerun = sync(emulator, bucket, source)
    assert not rerun.get("failed") and rerun["tags_deferred"] == [], rerun
    assert rerun["copied"]["by_kind"]["tag_link"]["objects"] == 1, rerun
    source.images[("team/api", "v1")] = moved
    with serving(emulator, bucket, tmp_path / "target-again") as running:
        assert_pulls_back(running, source, tmp_path / "again")


def is_links_first(paths: list) -> bool:
    """Every repositories/ path before every blobs/ path: each link read before the blobs a registry writes ahead of
    it."""
    blobs = [index for index, path in enumerate(paths) if "/v2/blobs/" in path]
    links = [index for index, path in enumerate(paths) if "/v2/repositories/" in path]
    return bool(blobs and links) and max(links) < min(blobs)


def test_sources_are_listed_links_before_blobs(emulator, source, bucket):
    from_directory = [entry.path for entry in FilesystemSource(str(source.root)).entries()]
    assert is_links_first(from_directory), from_directory
    for repository in {repository for repository, _tag in source.images}:
        # Inside a repository: tags, then manifest revisions, then layer links.
        sections = [
            section
            for path in from_directory
            if f"/repositories/{repository}/_" in path
            for section in ("/_manifests/tags/", "/_manifests/revisions/", "/_layers/")
            if section in path
        ]
        assert sections == sorted(sections, key=["/_manifests/tags/", "/_manifests/revisions/", "/_layers/"].index)

    assert not sync(emulator, bucket, source).get("failed")
    # A file outside blobs/ and repositories/ is listed too.
    client = clients.cos_client(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    client.put_object(Bucket=bucket, Key=f"{ROOT.strip('/')}/docker/registry/v2/elsewhere/file", Body=b"x")
    from_bucket = [entry.path for entry in CosSource(target_driver(emulator, bucket)).entries()]
    assert is_links_first(from_bucket), from_bucket
    assert sorted(from_bucket) == sorted([*from_directory, "/docker/registry/v2/elsewhere/file"])


def start_sync(emulator, bucket: str, source: FilledRegistry, directory: Path) -> subprocess.Popen:
    """The module's own process, as `ansible` runs it on the target host (the arguments in a file, the collection on
    the path), so that a signal reaches the module itself; ansible's worker runs it in a session of its own."""
    arguments = directory / "arguments.json"
    arguments.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": sync_arguments(bucket, source)}))
    environment = ansible_runner.ansible_environment(emulator, PYTHONPATH=COLLECTIONS_DIR)
    module = "ansible_collections.cosops.registry.plugins.modules.registry_storage_sync"
    return subprocess.Popen(
        [sys.executable, "-m", module, str(arguments)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["terminated", "killed"])
def test_interrupted_copy_leaves_no_partial_object_and_a_rerun_finishes(
    emulator, control, source, bucket, tmp_path, signum
):
    large = source.images[("team/web", "v1")].layer_digests[0]
    large_key = f"{ROOT.strip('/')}/docker/registry/v2/blobs/sha256/{large[7:9]}/{large[7:]}/data"
    # Parts arrive slowly, so the large blob's multipart upload is open when the signal comes.
    control.add_fault("delay", count=1000, delay=1.0, operation="cos:UploadPart")
    running = start_sync(emulator, bucket, source, tmp_path)
    try:
        processes.wait_until(lambda: uploads(emulator, bucket), "a multipart upload", EVENT_TIMEOUT)
        running.send_signal(signum)
        running.wait(EVENT_TIMEOUT)
    finally:
        if running.poll() is None:
            running.kill()
    control.clear_faults()

    copied = keys(emulator, bucket)
    assert large_key not in copied, "a partial blob was committed"
    assert not [key for key in copied if "/_manifests/tags/" in key], "tags were written before every blob"
    left = uploads(emulator, bucket)
    if signum == signal.SIGTERM:
        assert not left, f"the interrupted copy left multipart uploads: {left}"
    else:
        assert [upload["Key"] for upload in left] == [large_key], left

    finished = sync(emulator, bucket, source)
    assert not finished.get("failed"), finished
    assert finished["aborted_uploads"] == len(left)
    assert not uploads(emulator, bucket)
    with serving(emulator, bucket, tmp_path / "target") as serving_registry:
        assert_pulls_back(serving_registry, source, tmp_path)


def test_bucket_to_bucket_copy_keeps_differing_tags_unless_told(emulator, source, bucket, tmp_path):
    mirror = make_bucket(emulator, "mirror")
    assert not sync(emulator, bucket, source).get("failed")
    from_bucket = {"bucket": bucket, "rootdirectory": ROOT}

    copied = sync(emulator, mirror, src_cos=from_bucket, rootdirectory="/mirror")
    assert not copied.get("failed") and copied["verified"]["objects"] > 0, copied
    with serving(emulator, mirror, tmp_path / "mirror", "/mirror") as running:
        assert_pulls_back(running, source, tmp_path)

    # The mirror's team/api:v1 now points to v2's manifest, and it has a tag the source lacks.
    client = clients.cos_client(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    tags = "mirror/docker/registry/v2/repositories/team/api/_manifests/tags"
    client.put_object(
        Bucket=mirror, Key=f"{tags}/v1/current/link", Body=source.images[("team/api", "v2")].manifest_digest
    )
    client.put_object(
        Bucket=mirror, Key=f"{tags}/extra/current/link", Body=source.images[("team/api", "v2")].manifest_digest
    )

    kept = sync(emulator, mirror, src_cos=from_bucket, rootdirectory="/mirror")
    assert kept["tag_conflicts"] == ["team/api:v1"] and not kept["changed"], kept
    assert kept["extraneous"]["by_kind"]["tag_link"]["objects"] == 1 and kept["deleted"]["objects"] == 0

    overwritten = sync(
        emulator, mirror, src_cos=from_bucket, rootdirectory="/mirror", overwrite_tags=True, delete_extraneous=True
    )
    assert overwritten["tags_overwritten"] == ["team/api:v1"] and overwritten["deleted"]["objects"] == 1, overwritten
    assert f"{tags}/extra/current/link" not in keys(emulator, mirror)
    with serving(emulator, mirror, tmp_path / "mirror-again", "/mirror") as running:
        assert_pulls_back(running, source, tmp_path / "again")


def test_source_that_is_not_a_registry_fails_before_any_request(emulator, control, bucket, tmp_path):
    control.clear_counters()
    refused = sync(emulator, bucket, src_path=str(tmp_path))
    assert refused.get("failed") and "docker/registry/v2" in refused["msg"], refused
    assert control.counters()["total"] == 0
