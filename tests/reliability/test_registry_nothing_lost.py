"""Nothing lost with the deployed registry: a storage check killed mid-upload leaves only an incomplete upload that the
deployed lifecycle rule aborts; a role run that cannot work leaves the registry that was serving untouched and serving;
a rollout through transient faults succeeds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from emulator import clients
from tests.reliability import registry_client
from tests.support import ansible_runner
from tests.support.deployment import ROOT_DIRECTORY, output
from tools import oci

MIB = 1024 * 1024
SLOW_PART = 2.0
UPLOAD_WAIT = 120
POLL = 0.2
HEALTH_TIMEOUT = 4
RECOVERY_WAIT = 60


def root_cos(emulator):
    return clients.cos_client(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)


def start_storage_check(deployment) -> subprocess.Popen:
    """The storage check with the registry's key, run as a user runs it: ansible and its module process."""
    key = deployment.key()
    args = {
        "secretid": key["secret_id"],
        "secretkey": key["secret_key"],
        "bucket": deployment.bucket,
        "rootdirectory": ROOT_DIRECTORY,
        "chunksize": 5 * MIB,
        "smoke_size": 30 * MIB,
        "secure": False,
        "endpoint": deployment.emulator.url,
    }
    return subprocess.Popen(
        [str(ansible_runner.BIN / "ansible"), "localhost", "-m", "cosops.registry.registry_storage_check"]
        + ["-a", json.dumps(args)],
        env=ansible_runner.ansible_environment(deployment.emulator),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (ansible starts each task in a session of its own, so a process group is not
    enough)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children.get(current, [])
    return tree


def kill_tree(pid: int) -> None:
    for process in process_tree(pid):
        try:
            os.kill(process, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_for_parts(control) -> None:
    deadline = time.monotonic() + UPLOAD_WAIT
    while control.counters()["operations"].get("cos:UploadPart", 0) == 0:
        assert time.monotonic() < deadline, f"no part was sent within {UPLOAD_WAIT} seconds"
        time.sleep(POLL)


def covering_rule(rules: list, key: str) -> dict | None:
    """The enabled rule that aborts incomplete uploads of `key`, if any."""
    for rule in rules:
        prefix = (rule.get("Filter") or {}).get("Prefix", "")
        if rule.get("Status") == "Enabled" and "AbortIncompleteMultipartUpload" in rule and key.startswith(prefix):
            return rule
    return None


def test_killed_storage_check_leaves_only_an_upload_the_lifecycle_rule_aborts(deployment, figures):
    control = deployment.emulator.control
    root = root_cos(deployment.emulator)
    control.clear_counters()
    control.add_fault("delay", 100, SLOW_PART, operation="cos:UploadPart")
    check = start_storage_check(deployment)
    try:
        wait_for_parts(control)
        kill_tree(check.pid)
        check.wait(UPLOAD_WAIT)
    finally:
        control.clear_faults()
    time.sleep(SLOW_PART + 1)  # parts already in the emulator's hands finish arriving
    uploads = root.list_multipart_uploads(Bucket=deployment.bucket).get("Upload", [])
    leftovers = root.list_objects(Bucket=deployment.bucket, Prefix=f"{ROOT_DIRECTORY.strip('/')}/_storage_check")
    rules = root.get_bucket_lifecycle(Bucket=deployment.bucket)["Rule"]
    try:
        assert [item["Key"] for item in leftovers.get("Contents", [])] == []
        assert uploads, "the check was killed before it started an upload"
        uncovered = [upload["Key"] for upload in uploads if covering_rule(rules, upload["Key"]) is None]
        assert uncovered == [], f"uploads no lifecycle rule aborts: {uncovered}"
    finally:
        for upload in uploads:
            root.abort_multipart_upload(Bucket=deployment.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    figures.add("nothing_lost_checks")


def wait_until_healthy(deployment) -> None:
    """The registry answers /v2/ with 503 while its storage health check fails, and recovers on its own."""
    deadline = time.monotonic() + RECOVERY_WAIT
    while requests.get(f"{deployment.url()}/v2/", timeout=30).status_code != 401:
        assert time.monotonic() < deadline, f"the registry did not recover within {RECOVERY_WAIT} seconds"
        time.sleep(1)


def registry_serves(deployment, image: oci.OciImage, repository: str, layout) -> bool:
    pulled = registry_client.pull(deployment, repository, image.tag, layout)
    return registry_client.same_image(image, pulled)


@pytest.fixture
def served_image(deployment, tmp_path):
    image = oci.write_image(tmp_path / "served", "kept", (MIB,))
    registry_client.push(deployment, image, "nothing-lost/app")
    return image


def live_state(deployment) -> tuple[str, str]:
    return deployment.container_id(), (deployment.config_dir() / "config.yml").read_text()


def test_broken_role_run_leaves_the_old_registry_serving(deployment, served_image, tmp_path, figures):
    before = live_state(deployment)
    broken = deployment.role(
        "registry role with a wrong key",
        {"registry_storage_secret_key": "not-the-registry-secret-key-000", "registry_health_timeout": HEALTH_TIMEOUT},
    )
    assert broken.returncode != 0, "the role accepted a configuration whose storage cannot work"
    assert "candidate" in output(broken, 200)
    assert live_state(deployment) == before
    assert registry_serves(deployment, served_image, "nothing-lost/app", tmp_path / "after-broken")
    figures.add("nothing_lost_checks")


def test_role_under_persistent_storage_faults_leaves_the_old_registry_serving(
    deployment, served_image, tmp_path, figures
):
    before = live_state(deployment)
    control = deployment.emulator.control
    control.add_fault("internal", 100000, operation="cos:GetBucket")
    try:
        faulted = deployment.role(
            "registry role under persistent faults",
            {"registry_log_level": "debug", "registry_health_timeout": HEALTH_TIMEOUT},
        )
    finally:
        control.clear_faults()
    assert faulted.returncode != 0, "the role rolled out a registry that could not list its storage"
    assert live_state(deployment) == before
    wait_until_healthy(deployment)
    assert registry_serves(deployment, served_image, "nothing-lost/app", tmp_path / "after-faults")
    figures.add("persistent_faults_bounded")
    figures.add("nothing_lost_checks")


def test_role_rollout_survives_three_consecutive_faults_of_each_kind(deployment, served_image, tmp_path, figures):
    control = deployment.emulator.control
    for kind in ("slowdown", "internal", "drop", "delay"):
        control.add_fault(kind, 3, 1.0 if kind == "delay" else 0, operation="cos:GetBucket")
    try:
        rollout = deployment.role("registry role under transient faults", {"registry_log_level": "warn"})
        left = control.faults()
    finally:
        control.clear_faults()
    assert rollout.returncode == 0, output(rollout)
    assert left == [], f"faults the rollout never met: {left}"
    assert yaml.safe_load((deployment.config_dir() / "config.yml").read_text())["log"]["level"] == "warn"
    assert requests.get(f"{deployment.url()}/v2/", timeout=30).status_code == 401
    assert registry_serves(deployment, served_image, "nothing-lost/app", tmp_path / "after-rollout")
    figures.add("faults_survived", 12)
