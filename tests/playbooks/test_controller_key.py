"""The playbooks run with the controller's key that bootstrap_controller.yml creates, holding only
registry_controller_cam_policy: deploy, check, rotate_credentials and garbage_collect all pass, and the key is refused
beyond that bucket and the CAM resources it created (tests/emulator/test_controller_key.py has the full list)."""

from __future__ import annotations

import pytest
import yaml
from qcloud_cos.cos_exception import CosServiceError

from tests.playbooks.deployment import Deployment, output
from tests.support import clients

HOST = "registry-controlled"


@pytest.fixture(scope="module")
def controlled(deployments) -> tuple[Deployment, dict]:
    """A deployment whose playbooks run with the controller's key, made once with the account's key."""
    deployment = deployments(HOST)
    key_file = deployment.work / "state" / "registry-controller-key.yml"
    run = deployment.playbook("bootstrap_controller.yml", extra_vars={"cosops_controller_key_file": str(key_file)})
    assert run.returncode == 0, output(run)
    key = yaml.safe_load(key_file.read_text())
    assert key["secret_key"] not in run.stdout + run.stderr
    return deployment, key


def as_controller(controlled, playbook: str) -> None:
    deployment, key = controlled
    run = deployment.playbook(
        playbook,
        extra_vars={"tencentcloud_secret_id": key["secret_id"], "tencentcloud_secret_key": key["secret_key"]},
        environment={"TENCENTCLOUD_SECRET_ID": key["secret_id"], "TENCENTCLOUD_SECRET_KEY": key["secret_key"]},
    )
    assert run.returncode == 0, output(run)


def test_every_playbook_passes_with_the_controller_key(controlled):
    deployment, _key = controlled
    for playbook in ("deploy.yml", "check.yml", "rotate_credentials.yml", "garbage_collect.yml"):
        as_controller(controlled, playbook)
    assert deployment.access_keys()[0]["AccessKeyId"] == deployment.key()["secret_id"]


def test_controller_key_is_refused_on_another_bucket(controlled):
    deployment, key = controlled
    with pytest.raises(CosServiceError) as raised:
        clients.cos_client(deployment.emulator.url, key["secret_id"], key["secret_key"]).create_bucket(
            Bucket=f"other-{deployment.emulator.appid}"
        )
    assert raised.value.get_error_code() == "AccessDenied"
