"""The registry's SecretKey handed over outside config.yml (registry_storage_secret_key_delivery): in the container's
environment with docker, as a podman secret with podman. Each is deployed by deploy.yml, serves pushes and pulls with
no key in config.yml, re-runs with nothing changed, rotates its key with rotate_credentials.yml (the container's
fingerprint changes, the old secret goes), collects garbage with garbage_collect.yml's stock engine (the role's one-off
container), and no run shows the key, even at -vvvv."""

from __future__ import annotations

import subprocess

import pytest
import requests

from tests.support.deployment import TOOLS, Deployment, changed_tasks, output, recap
from tests.support.secret_scan import Scan
from tools import oci

HOST = "registry-key"
VARIABLE = "REGISTRY_STORAGE_S3_SECRETKEY"
FINGERPRINT = "org.cosops.registry.fingerprint"
# The registry:3 stand-in under a tag of this module's own: a no-op re-run must not see another test rebuild the image.
IMAGE = "cosops-key-delivery:3"
# registry_storage_secret_key_delivery -> the host variables of its engine. podman on these machines needs runc and
# ulimits within the hard limit.
DELIVERIES = {
    "environment": {"registry_runtime": "docker"},
    "secret": {
        "registry_runtime": "podman",
        "registry_podman_runtime": "runc",
        "registry_container_ulimits": ["nofile=1024:1024", "nproc=1024:1024"],
    },
}


@pytest.fixture(scope="module", params=list(DELIVERIES))
def deployment(request, deployments, emulator_server) -> Deployment:
    delivery = request.param
    engine = DELIVERIES[delivery]["registry_runtime"]
    subprocess.run([str(TOOLS / "registry-image.sh"), engine, IMAGE], check=True, capture_output=True)
    # Each choice deploys into an empty account: the CAM user's key belongs to one deployment's key file.
    emulator_server.reset()
    deployed = deployments(
        HOST,
        registry_image=IMAGE,
        registry_storage_secret_key_delivery=delivery,
        registry_storage_delete_enabled=True,
        **DELIVERIES[delivery],
    )
    # -vvvv shows every module's arguments and results that no_log does not hide.
    deployed.verbosity = 4
    run = deployed.playbook("deploy.yml")
    assert run.returncode == 0, output(run)
    deployed.keys = [deployed.key()["secret_key"]]
    yield deployed
    deployed.remove()


def container_environment(deployment: Deployment) -> dict[str, str]:
    return dict(entry.split("=", 1) for entry in deployment.inspected(HOST)["Config"]["Env"])


def labels(deployment: Deployment) -> dict[str, str]:
    return deployment.inspected(HOST)["Config"]["Labels"]


def push_and_pull(deployment: Deployment, work, tag: str) -> None:
    image = oci.write_image(work / f"pushed-{tag}", tag, (256 * 1024,))
    deployment.push(image, deployment.address(HOST), f"keys/app:{tag}")
    pulled = deployment.pull(deployment.address(HOST), f"keys/app:{tag}", work / f"pulled-{tag}", tag)
    assert [pulled.blob(digest) for digest in image.digests] == [image.blob(digest) for digest in image.digests]


def test_registry_serves_with_no_key_in_its_config(deployment, tmp_path):
    key = deployment.key()["secret_key"]
    config = (deployment.config_dir(HOST) / "config.yml").read_text()
    assert key not in config
    assert "secretkey" not in deployment.config(HOST)["storage"]["s3"]
    push_and_pull(deployment, tmp_path, "v1")


def test_the_key_is_where_docs_say(deployment):
    """docs/role-registry.md: environment puts the key in the container's environment (and so in inspect); secret in
    podman's secret store under the role's name, which podman 4 also shows in inspect."""
    key = deployment.key()["secret_key"]
    assert container_environment(deployment)[VARIABLE] == key
    if deployment.engine == "podman":
        assert len(deployment.podman_secrets(HOST)) == 1
        assert f"--secret {deployment.podman_secrets(HOST)[0]},type=env,target={VARIABLE}" in " ".join(
            deployment.inspected(HOST)["Config"]["CreateCommand"]
        )
        assert key not in " ".join(deployment.inspected(HOST)["Config"]["CreateCommand"])


def test_rerun_changes_nothing(deployment):
    run = deployment.playbook("deploy.yml", "deploy.yml again")
    assert run.returncode == 0, output(run)
    assert recap(run)[HOST]["changed"] == 0, changed_tasks(run)


def test_rotation_rolls_the_registry_out_with_the_new_key(deployment, tmp_path):
    old_key, old_fingerprint = deployment.key(), labels(deployment)[FINGERPRINT]
    old_secrets = deployment.podman_secrets(HOST) if deployment.engine == "podman" else []
    run = deployment.playbook("rotate_credentials.yml")
    assert run.returncode == 0, output(run)
    new_key = deployment.key()
    deployment.keys.append(new_key["secret_key"])
    assert new_key["secret_id"] != old_key["secret_id"]
    assert labels(deployment)[FINGERPRINT] != old_fingerprint
    assert container_environment(deployment)[VARIABLE] == new_key["secret_key"]
    assert deployment.config(HOST)["storage"]["s3"]["accesskey"] == new_key["secret_id"]
    if deployment.engine == "podman":
        secrets = deployment.podman_secrets(HOST)
        assert len(secrets) == 1 and secrets != old_secrets
    push_and_pull(deployment, tmp_path, "v2")


def test_garbage_collection_reaches_the_storage_with_the_key(deployment, tmp_path):
    image = oci.write_image(tmp_path / "garbage", "garbage", (512 * 1024,))
    deployment.push(image, deployment.address(HOST), "keys/garbage:v1")
    deleted = requests.delete(f"{deployment.url(HOST)}/v2/keys/garbage/manifests/{image.manifest_digest}", timeout=30)
    assert deleted.status_code == 202, deleted.text
    # The stock engine: registry garbage-collect in the one-off container the role starts with the live key.
    run = deployment.playbook(
        "garbage_collect.yml", extra_vars={"cosops_gc_engine": "stock", "cosops_gc_poll_interval": 1}
    )
    assert run.returncode == 0, output(run)
    assert deployment.blob_key(image.layer_digests[0]) not in deployment.object_keys()


def test_no_run_shows_the_key(deployment):
    """Every key the registry had, in every run at -vvvv, and in the files the runs left (config.yml included)."""
    scan = Scan({key: f"SecretKey {number}" for number, key in enumerate(deployment.keys)})
    findings = []
    for label, text in deployment.outputs.items():
        findings += scan.text(label, text)
    allowed = {deployment.settings_file, deployment.key_file, deployment.http_secret_file, deployment.inventory}
    findings += scan.tree(deployment.work, allowed)
    assert len(deployment.outputs) >= 4 and scan.lines > 1000
    assert not findings, "\n".join(findings)
