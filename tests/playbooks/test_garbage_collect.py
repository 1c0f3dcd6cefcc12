"""garbage_collect.yml with the stock collector (cosops_gc_engine: stock): a deleted image's blobs leave the bucket
while the remaining image still pulls, the collection shows its progress and the report how long the registry was
read-only; a dry run deletes nothing; a failing collection still returns the registry to read-write. The module's
engine, the default, is tested in test_garbage_collect_module.py."""

from __future__ import annotations

import re

import pytest
import requests

from emulator.control import EmulatorControl
from tests.support.deployment import Deployment, output
from tools import oci

HOST = "registry-gc"
REPOSITORY = "gc/app"
LAYER_BYTES = 2 * 1024 * 1024
STOCK = {"cosops_gc_engine": "stock"}


@pytest.fixture(scope="module")
def deployment(deployments) -> Deployment:
    deployed = deployments(HOST, registry_storage_delete_enabled=True)
    run = deployed.playbook("deploy.yml")
    assert run.returncode == 0, output(run)
    return deployed


@pytest.fixture(scope="module")
def images(deployment, tmp_path_factory) -> dict[str, oci.OciImage]:
    """Two images in one repository; the tag `old` is then deleted, leaving its blobs unreferenced."""
    work = tmp_path_factory.mktemp("images")
    made = {tag: oci.write_image(work / tag, tag, (LAYER_BYTES,)) for tag in ("old", "kept")}
    for tag, image in made.items():
        deployment.push(image, deployment.address(HOST), f"{REPOSITORY}:{tag}")
    deleted = requests.delete(
        f"http://{deployment.address(HOST)}/v2/{REPOSITORY}/manifests/{made['old'].manifest_digest}", timeout=30
    )
    assert deleted.status_code == 202, deleted.text
    return made


def assert_read_write(deployment: Deployment, tmp_path, name: str) -> None:
    assert deployment.config(HOST)["storage"]["maintenance"]["readonly"]["enabled"] is False
    probe = oci.write_image(tmp_path / name, "v1", (64 * 1024,))
    deployment.push(probe, deployment.address(HOST), f"gc/{name}:v1")


def test_dry_run_deletes_nothing(deployment, images):
    before = deployment.object_keys()
    run = deployment.playbook("garbage_collect.yml", extra_vars={**STOCK, "registry_gc_dry_run": True})
    assert run.returncode == 0, output(run)
    assert "dry run: nothing was deleted" in run.stdout
    assert re.search(r"[1-9]\d* blobs and \d+ manifests eligible for deletion", run.stdout), output(run)
    assert "read-only for 0 s: no replica was switched" in run.stdout, output(run)
    assert deployment.object_keys() == before


def test_failed_collection_returns_the_registry_to_read_write(deployment, images, tmp_path):
    control = EmulatorControl(deployment.emulator.url)
    # The mark phase reads every manifest's link; the registry's own traffic while read-only does not.
    control.add_fault("internal", count=1000, operation="cos:GetObject", path=r"_manifests/revisions/.*/link$")
    try:
        run = deployment.playbook("garbage_collect.yml", extra_vars=STOCK)
    finally:
        control.clear_faults()
    assert run.returncode != 0
    assert "registry garbage-collect failed on " + HOST in run.stdout + run.stderr
    assert deployment.blob_key(images["old"].layer_digests[0]) in deployment.object_keys()
    assert_read_write(deployment, tmp_path, "after-failure")


def test_collection_removes_the_deleted_image_and_keeps_the_tagged_one(deployment, images, tmp_path):
    old, kept = images["old"], images["kept"]
    run = deployment.playbook("garbage_collect.yml", extra_vars={**STOCK, "registry_gc_poll_interval": 1})
    assert run.returncode == 0, output(run)
    # Every look at the running collection falls inside the read-only window the report states.
    looks = [int(seconds) for seconds in re.findall(r"\(item=running for (\d+) s\)", run.stdout)]
    read_only = re.search(
        r"read-only for (\d+) s, from the first replica's switch to the last one's return", run.stdout
    )
    assert looks and read_only, output(run)
    assert looks == sorted(looks) and looks[-1] <= int(read_only.group(1))
    keys = deployment.object_keys()
    assert not {deployment.blob_key(digest) for digest in old.digests} & keys
    assert {deployment.blob_key(digest) for digest in kept.digests} <= keys
    deleted = re.search(r"deleted: (\d+) blobs", run.stdout)
    reclaimed = re.search(r"bytes: \d+ before, \d+ after \((\d+) reclaimed", run.stdout)
    assert deleted and int(deleted.group(1)) >= len(old.digests), output(run)
    assert reclaimed and int(reclaimed.group(1)) >= LAYER_BYTES, output(run)
    pulled = deployment.pull(deployment.address(HOST), f"{REPOSITORY}:kept", tmp_path / "pulled", "kept")
    assert [pulled.blob(digest) for digest in kept.digests] == [kept.blob(digest) for digest in kept.digests]
    assert_read_write(deployment, tmp_path, "after-collection")
