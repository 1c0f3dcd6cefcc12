"""No secret reaches output, diffs, callback results or stray files: deploy.yml, its check-mode re-run with --diff and
check.yml at -vvvv, the registry's own log, and every file the runs left outside the registry's config and the secret
files asked for; those hold their secrets with mode 0600 in directories only their owner can enter."""

from __future__ import annotations

import pytest

from tests.support.deployment import output
from tests.support.secret_scan import Scan, readable_by_others


@pytest.fixture(scope="module")
def scanned_runs(deployment):
    """The deployment's first run, plus a check-mode re-run with --diff and the check playbook."""
    recheck = deployment.playbook("deploy.yml", "deploy.yml --check --diff", options=("--check", "--diff"))
    assert recheck.returncode == 0, output(recheck)
    check = deployment.playbook("check.yml")
    assert check.returncode == 0, output(check)
    return deployment


def deployment_secrets(deployment) -> dict[str, str]:
    key = deployment.key()
    return {
        deployment.emulator.iam.root_secret_key: "the root SecretKey",
        key["secret_key"]: f"the SecretKey of the created key {key['secret_id']}",
        deployment.http_secret_file.read_text().strip(): "http.secret",
        deployment.credentials.split(":", 1)[1]: "the htpasswd password",
        deployment.credentials: "the htpasswd user and password",
    }


def secret_files(deployment) -> set:
    """Files that hold a secret because the user asked for them (inputs, the key file) or the registry needs them."""
    return {
        deployment.inventory,
        deployment.settings_file,
        deployment.key_file,
        deployment.http_secret_file,
        deployment.config_dir() / "config.yml",
    }


def test_no_secret_in_output_logs_or_stray_files(scanned_runs, figures):
    deployment = scanned_runs
    scan = Scan(deployment_secrets(deployment))
    findings = []
    for label, text in deployment.outputs.items():
        assert "<127.0.0.1>" in text or "ESTABLISH LOCAL CONNECTION" in text, f"{label} was not run at -vvvv"
        findings += scan.text(label, text)
    findings += scan.text("the registry's log", deployment.container_log())
    findings += scan.tree(deployment.work, secret_files(deployment))
    figures.add("runs_scanned", len(deployment.outputs))
    figures.add("lines_scanned", scan.lines)
    figures.add("secrets_looked_for", len(scan.secrets))
    figures.add("leaks_found", len(findings))
    assert not findings, "secrets leaked:\n" + "\n".join(findings)


def test_scanner_finds_the_secrets_where_they_belong(scanned_runs):
    """The scan is not blind: the registry's config holds its key and http.secret, the key file its key."""
    deployment = scanned_runs
    scan = Scan(deployment_secrets(deployment))
    config = " ".join(scan.text("config", (deployment.config_dir() / "config.yml").read_text()))
    key_file = " ".join(scan.text("key file", deployment.key_file.read_text()))
    assert "the SecretKey of the created key" in config and "http.secret" in config
    assert "the SecretKey of the created key" in key_file


def test_files_holding_secrets_are_private(scanned_runs, figures):
    deployment = scanned_runs
    holders = secret_files(deployment) - {deployment.inventory} | {deployment.config_dir() / "htpasswd"}
    exposed = [str(path) for path in sorted(holders) if readable_by_others(path)]
    exposed += [str(path) for path in (deployment.config_dir(), deployment.key_file.parent) if readable_by_others(path)]
    figures.add("secret_files_checked", len(holders))
    assert not exposed, f"readable by group or others: {exposed}"
