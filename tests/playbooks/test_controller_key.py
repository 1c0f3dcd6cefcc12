"""The playbooks run with the controller's key that bootstrap_controller.yml creates, holding only
registry_controller_cam_policy: deploy, check, rotate_credentials and garbage_collect all pass, and the key is refused
beyond that bucket and the CAM resources it created (emulator/tests/test_controller_key.py has the full list). Every
run has a vault secret, so every key file and the http.secret are written encrypted and read back by the playbooks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret
from qcloud_cos.cos_exception import CosServiceError

from emulator import clients
from tests.support.deployment import Deployment, output

HOST = "registry-controlled"
VAULT_PASSWORD = b"controller-test-vault-password"


def decrypted(path: Path) -> dict:
    text = path.read_bytes()
    assert text.startswith(b"$ANSIBLE_VAULT;1.1;AES256"), f"{path} is not vault-encrypted"
    return yaml.safe_load(VaultLib([("default", VaultSecret(VAULT_PASSWORD))]).decrypt(text))


@pytest.fixture(scope="module")
def controlled(deployments) -> tuple[Deployment, dict]:
    """A deployment whose playbooks run with the controller's key, made once with the account's key."""
    deployment = deployments(HOST)
    deployment.vault_options = ("--vault-password-file", str(deployment.work / "vault-password"))
    (deployment.work / "vault-password").write_bytes(VAULT_PASSWORD + b"\n")
    key_file = deployment.work / "state" / "registry-controller-key.yml"
    run = deployment.playbook(
        "bootstrap_controller.yml",
        options=deployment.vault_options,
        extra_vars={"cosops_controller_key_file": str(key_file)},
    )
    assert run.returncode == 0, output(run)
    key = decrypted(key_file)
    assert key["secret_key"] not in run.stdout + run.stderr
    assert "encrypted with the play's vault secret" in run.stdout
    return deployment, key


def as_controller(controlled, playbook: str):
    deployment, key = controlled
    run = deployment.playbook(
        playbook,
        options=deployment.vault_options,
        extra_vars={"tencentcloud_secret_id": key["secret_id"], "tencentcloud_secret_key": key["secret_key"]},
        environment={"TENCENTCLOUD_SECRET_ID": key["secret_id"], "TENCENTCLOUD_SECRET_KEY": key["secret_key"]},
    )
    assert run.returncode == 0, output(run)
    return run


def test_every_playbook_passes_with_the_controller_key_and_encrypted_secrets(controlled):
    deployment, _key = controlled
    deployed = as_controller(controlled, "deploy.yml")
    assert f"its secret is in {deployment.key_file}, encrypted with the play's vault secret" in deployed.stdout
    assert "Shared http.secret in" in deployed.stdout
    http_secret = deployment.http_secret_file.read_bytes()
    assert http_secret.startswith(b"$ANSIBLE_VAULT;1.1;AES256")
    for playbook in ("check.yml", "rotate_credentials.yml", "garbage_collect.yml"):
        as_controller(controlled, playbook)
    assert deployment.access_keys()[0]["AccessKeyId"] == decrypted(deployment.key_file)["secret_id"]
    # a re-deploy reads the encrypted http.secret back instead of taking its ciphertext for a new secret
    assert as_controller(controlled, "deploy.yml").returncode == 0
    assert deployment.http_secret_file.read_bytes() == http_secret


def test_controller_key_is_refused_on_another_bucket(controlled):
    deployment, key = controlled
    with pytest.raises(CosServiceError) as raised:
        clients.cos_client(deployment.emulator.url, key["secret_id"], key["secret_key"]).create_bucket(
            Bucket=f"other-{deployment.emulator.appid}"
        )
    assert raised.value.get_error_code() == "AccessDenied"


def test_rotation_without_a_vault_secret_keeps_the_key_file_out_of_git(controlled):
    """Once the secrets are decrypted and the playbooks run without a vault secret, the rotated key file is plain,
    0600 and named in .gitignore, as deploy.yml leaves it."""
    deployment, key = controlled
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD))])
    for path in (deployment.key_file, deployment.http_secret_file):
        path.write_bytes(vault.decrypt(path.read_bytes()))
    deployment.vault_options = ()
    as_controller(controlled, "rotate_credentials.yml")
    assert yaml.safe_load(deployment.key_file.read_text())["secret_id"] == deployment.access_keys()[0]["AccessKeyId"]
    assert deployment.key_file.stat().st_mode & 0o777 == 0o600
    assert f"/{deployment.key_file.name}" in (deployment.key_file.parent / ".gitignore").read_text().splitlines()
