"""deploy.yml from nothing to a working registry, its no-op re-run, check.yml passing and failing, a key rotation
on a single replica, which says it is a brief outage and measures it, and the registry role alone deploying a registry
with token authentication next to it on the same storage."""

from __future__ import annotations

import re
import subprocess

import pytest
import requests
import yaml

from emulator import clients
from emulator.control import EmulatorControl
from tests.support import processes
from tests.support.certificates import self_signed_pair
from tests.support.deployment import Deployment, changed_tasks, output, recap
from tools import oci

HOST = "registry-single"
TOKEN_REALM, TOKEN_SERVICE = "https://auth.example.com/token", "registry.example.com"


@pytest.fixture(scope="module")
def deployment(deployments) -> Deployment:
    """Deployed from an empty account, after a check-mode run that predicted it; both runs' counters kept."""
    deployed = deployments(HOST)
    control = EmulatorControl(deployed.emulator.url)
    control.clear_counters()
    deployed.check_run = deployed.playbook("deploy.yml", options=("--check", "--diff"))
    deployed.check_counters = control.counters()
    deployed.first_run = deployed.playbook("deploy.yml")
    deployed.first_counters = control.counters()
    assert deployed.first_run.returncode == 0, output(deployed.first_run)
    return deployed


def test_check_mode_from_an_empty_account_predicts_every_change_and_writes_nothing(deployment):
    run = deployment.check_run
    assert run.returncode == 0, output(run)
    assert deployment.check_counters["writes"] == 0, deployment.check_counters
    predicted = [change for change in changed_tasks(run) if change[1] == "localhost"]
    made = [change for change in changed_tasks(deployment.first_run) if change[1] == "localhost"]
    assert predicted == made
    assert ("Create the bucket, private", "localhost") in predicted
    assert "does not exist in ap-guangzhou; check mode takes it as empty" in run.stdout + run.stderr


def test_deploy_reports_the_registry_and_key_id_never_the_secret(deployment):
    key = deployment.key()
    report = deployment.first_run.stdout
    assert f"Key {key['secret_id']} of CAM user registry" in report
    assert f"{HOST}: http://{HOST}:{deployment.ports[HOST][0]} - storage check passed" in report
    assert key["secret_key"] not in deployment.first_run.stdout + deployment.first_run.stderr
    assert deployment.key_file.stat().st_mode & 0o777 == 0o600
    # no vault secret in this play: the key file stays plain and out of git
    assert f"its secret is in {deployment.key_file}, plain with mode 0600" in report
    assert "/registry-key.yml" in (deployment.key_file.parent / ".gitignore").read_text().splitlines()
    assert deployment.config(HOST)["storage"]["s3"]["accesskey"] == key["secret_id"]


def test_rerun_changes_nothing_and_creates_no_key(deployment):
    keys_before = deployment.access_keys()
    run = deployment.playbook("deploy.yml")
    assert run.returncode == 0, output(run)
    assert {host: counts["changed"] for host, counts in recap(run).items()} == {"localhost": 0, HOST: 0}
    assert deployment.access_keys() == keys_before
    assert [key["AccessKeyId"] for key in keys_before] == [deployment.key()["secret_id"]]


def test_image_pushed_lands_under_the_root_directory(deployment, tmp_path):
    image = oci.write_image(tmp_path / "source", "v1", (1024 * 1024,))
    deployment.push(image, deployment.address(HOST), "deploy/app:v1")
    pulled = deployment.pull(deployment.address(HOST), "deploy/app:v1", tmp_path / "pulled", "v1")
    assert pulled.digests == image.digests
    assert deployment.blob_key(image.layer_digests[0]) in deployment.object_keys()


def test_role_deploys_a_registry_with_token_authentication(deployment, tmp_path):
    """The role writes the token server's root certificates itself, and its gate takes the Bearer challenge of the
    configured realm as the answer of a registry that runs and enforces tokens."""
    name = f"{deployment.container(HOST)}-token"
    port = processes.free_port()
    token = {
        "registry_container_name": name,
        "registry_http_port": port,
        "registry_candidate_port": processes.free_port(),
        "registry_config_dir": str(tmp_path / "etc"),
        "registry_auth_token": {
            "realm": TOKEN_REALM,
            "service": TOKEN_SERVICE,
            "issuer": "cosops-token-issuer",
            "rootcertbundle": self_signed_pair()[0],
        },
    }
    gate = "gate ok={{ registry_health_result.ok | bool }}: {{ registry_health_result.detail }}"
    report = {"name": "Report the health gate", "ansible.builtin.debug": {"msg": gate}}
    try:
        run = deployment.role("registry role with token authentication", token, post_tasks=(report,))
        assert run.returncode == 0, output(run)
        running = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Running}}", name], capture_output=True, text=True, check=False
        ).stdout.strip()
        ping = requests.get(f"http://127.0.0.1:{port}/v2/", timeout=10)
    finally:
        subprocess.run(["docker", "rm", "--force", name, f"{name}-candidate"], capture_output=True, check=False)
    assert running == "true"
    assert ping.status_code == 401
    assert ping.headers["WWW-Authenticate"] == f'Bearer realm="{TOKEN_REALM}",service="{TOKEN_SERVICE}"'
    assert "gate ok=True: " in run.stdout, output(run)
    assert "storage is proven by the storage check" in run.stdout, output(run)


def test_check_passes_on_a_healthy_deployment(deployment):
    run = deployment.playbook("check.yml")
    assert run.returncode == 0, output(run)
    assert "lifecycle rules: ok" in run.stdout
    assert "health: ok" in run.stdout
    assert "storage: ok" in run.stdout


def test_check_finds_the_appid_of_a_bucket_named_without_it(deployment):
    short = deployment.bucket.rsplit("-", 1)[0]
    run = deployment.playbook("check.yml", extra_vars={"cosops_bucket": short})
    assert run.returncode == 0, output(run)
    assert f"Bucket {deployment.bucket} (" in run.stdout
    assert "lifecycle rules: ok" in run.stdout
    assert "storage: ok" in run.stdout


def test_check_fails_on_a_lifecycle_rule_that_expires_registry_data(deployment):
    cos = clients.cos_client(
        deployment.emulator.url, deployment.emulator.iam.root_secret_id, deployment.emulator.iam.root_secret_key
    )
    rules = cos.get_bucket_lifecycle(Bucket=deployment.bucket)["Rule"]
    unsafe = {"ID": "expire-everything", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": "30"}}
    cos.put_bucket_lifecycle(Bucket=deployment.bucket, LifecycleConfiguration={"Rule": [*rules, unsafe]})
    try:
        run = deployment.playbook("check.yml")
    finally:
        cos.put_bucket_lifecycle(Bucket=deployment.bucket, LifecycleConfiguration={"Rule": rules})
    assert run.returncode != 0
    assert "these delete or freeze registry data: expire-everything" in run.stdout
    assert "Failed: bucket lifecycle rules" in run.stdout + run.stderr


def test_check_fails_when_the_registry_is_down(deployment):
    container = deployment.container(HOST)
    subprocess.run(["docker", "stop", container], capture_output=True, check=True)
    try:
        run = deployment.playbook("check.yml", extra_vars={"cosops_health_retries": 1})
    finally:
        subprocess.run(["docker", "start", container], capture_output=True, check=True)
    assert run.returncode != 0
    assert f"Failed: {HOST}: unhealthy" in run.stdout + run.stderr


def test_check_reports_a_storage_the_registry_host_cannot_reach(deployment):
    # Nothing listens on the discard port of loopback: the check's first request from the host fails.
    run = deployment.playbook("check.yml", extra_vars={"cosops_storage_check_endpoint": "http://127.0.0.1:9"})
    assert run.returncode != 0
    assert f"Failed: {HOST}: storage" in run.stdout + run.stderr, output(run)
    assert "1 failed (credentials)" in run.stdout, output(run)


def test_rotation_changes_nothing_when_a_registry_host_does_not_answer(deployment, tmp_path):
    inventory = deployment.inventory_content()
    # Nothing listens on the discard port of loopback.
    inventory["all"]["children"]["registry"]["hosts"]["registry-gone"] = {
        "ansible_host": "127.0.0.1",
        "ansible_port": 9,
        "ansible_connection": "ssh",
    }
    unreachable = tmp_path / "inventory.yml"
    unreachable.write_text(yaml.safe_dump(inventory))
    keys_before = deployment.access_keys()
    run = deployment.playbook("rotate_credentials.yml", inventory=unreachable)
    assert run.returncode != 0
    assert "These registry hosts do not answer: registry-gone. Nothing was changed." in run.stdout + run.stderr
    assert deployment.access_keys() == keys_before


def test_rotation_of_a_single_replica_measures_its_outage(deployment, tmp_path):
    old = deployment.key()["secret_id"]
    run = deployment.playbook("rotate_credentials.yml")
    assert run.returncode == 0, output(run)
    new = deployment.key()["secret_id"]
    assert new != old
    assert [(key["AccessKeyId"], key["Status"]) for key in deployment.access_keys()] == [(new, "Active")]
    assert deployment.config(HOST)["storage"]["s3"]["accesskey"] == new
    outage = re.search(r"brief outage\s+for its clients: (?P<seconds>[\d.]+) s without an answer", run.stdout)
    assert outage, output(run)
    image = oci.write_image(tmp_path / "source", "v1", (512 * 1024,))
    deployment.push(image, deployment.address(HOST), "rotated/app:v1")
    rerun = deployment.playbook("deploy.yml")
    assert rerun.returncode == 0, output(rerun)
    assert recap(rerun)[HOST]["changed"] == 0
