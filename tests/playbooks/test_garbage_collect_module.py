"""garbage_collect.yml with its default engine, registry_garbage_collect: the mark runs read-write, the replicas go
read-only for the sweep only, the report gives the seconds of each phase; a dry run deletes nothing and switches
nothing; the deleted and the untagged image leave the bucket while the tagged one pulls back byte for byte."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.deployment import Deployment, output
from tools import oci

HOST = "registry-gcm"
REPOSITORY = "gcm/app"
LAYER_BYTES = 1024 * 1024
READ_ONLY = re.compile(r"read-only for (\d+) s, from the first replica's switch to the last one's return")


@pytest.fixture(scope="module")
def deployment(deployments) -> Deployment:
    deployed = deployments(HOST, registry_storage_delete_enabled=True)
    run = deployed.playbook("deploy.yml")
    assert run.returncode == 0, output(run)
    return deployed


@pytest.fixture(scope="module")
def images(deployment, tmp_path_factory) -> dict[str, oci.OciImage]:
    """`deleted` is deleted by digest, `moved` loses its tag to `kept`: one unreferenced, one untagged image."""
    work = tmp_path_factory.mktemp("images")
    made = {tag: oci.write_image(work / tag, tag, (LAYER_BYTES,)) for tag in ("deleted", "moved", "kept")}
    for tag in ("deleted", "moved"):
        deployment.push(made[tag], deployment.address(HOST), f"{REPOSITORY}:{tag}")
    deployment.push(made["kept"], deployment.address(HOST), f"{REPOSITORY}:moved")
    deployment.push(made["kept"], deployment.address(HOST), f"{REPOSITORY}:kept")
    url = f"http://{deployment.address(HOST)}/v2/{REPOSITORY}/manifests/{made['deleted'].manifest_digest}"
    assert requests.delete(url, timeout=30).status_code == 202
    return made


def test_an_unknown_engine_is_refused_before_anything_else(deployment, images):
    before = deployment.object_keys()
    run = deployment.playbook("garbage_collect.yml", extra_vars={"cosops_gc_engine": "fast"})
    assert run.returncode != 0
    assert "cosops_gc_engine fast must be module or stock. Nothing was changed." in run.stdout, output(run)
    assert deployment.object_keys() == before


def test_dry_run_reports_and_deletes_nothing(deployment, images):
    before = deployment.object_keys()
    run = deployment.playbook("garbage_collect.yml", extra_vars={"registry_gc_dry_run": True})
    assert run.returncode == 0, output(run)
    assert "dry run: nothing was deleted" in run.stdout
    assert "read-only for 0 s: no replica was switched" in run.stdout, output(run)
    assert re.search(r"would delete [1-9]\d* blobs", run.stdout), output(run)
    assert deployment.object_keys() == before


def test_collection_is_read_only_for_the_sweep_only(deployment, images, tmp_path):
    run = deployment.playbook(
        "garbage_collect.yml", extra_vars={"registry_gc_delete_untagged": True, "cosops_gc_settle_seconds": 1}
    )
    assert run.returncode == 0, output(run)
    mark = re.search(r"phase 1, mark: ([\d.]+) s, the registry read-write", run.stdout)
    sweep = re.search(r"phase 2, sweep: ([\d.]+) s of the read-only time", run.stdout)
    read_only = READ_ONLY.search(run.stdout)
    assert mark and sweep and read_only, output(run)
    assert float(sweep.group(1)) <= int(read_only.group(1)) + 1
    assert "phase 3, verify:" in run.stdout and "0 problems" in run.stdout, output(run)
    keys = deployment.object_keys()
    gone = {*images["deleted"].digests, *images["moved"].digests}
    assert not {deployment.blob_key(digest) for digest in gone} & keys
    assert {deployment.blob_key(digest) for digest in images["kept"].digests} <= keys
    for tag in ("kept", "moved"):
        pulled = deployment.pull(deployment.address(HOST), f"{REPOSITORY}:{tag}", tmp_path / tag, tag)
        assert [pulled.blob(d) for d in images["kept"].digests] == [
            images["kept"].blob(d) for d in images["kept"].digests
        ]
    assert deployment.config(HOST)["storage"]["maintenance"]["readonly"]["enabled"] is False
    probe = oci.write_image(tmp_path / "probe", "v1", (64 * 1024,))
    deployment.push(probe, deployment.address(HOST), "gcm/probe:v1")
    again = deployment.playbook("garbage_collect.yml", extra_vars={"registry_gc_delete_untagged": True})
    assert again.returncode == 0 and re.search(r"deleted: 0 blobs, 0 manifests", again.stdout), output(again)
