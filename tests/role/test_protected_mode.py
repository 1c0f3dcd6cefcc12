"""Protected mode: the role's preflight refuses, in one sentence and before any change, a registry that would accept
anonymous pushes on an address other machines reach, and accepts authentication, loopback or the explicit switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ansible_runner import run_playbook

PLAYBOOK = Path(__file__).with_name("protected_mode.yml")
USERS = [{"name": "ci", "password": "preflight-password"}]
TOKEN = {
    "registry_auth_token": {
        "realm": "https://auth.example.com/token",
        "service": "registry.example.com",
        "issuer": "issuer",
        "rootcertbundle": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----",
    }
}
REFUSAL = "The registry would accept anonymous pushes and deletes on"


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"registry_http_bind_address": "0.0.0.0"},
        {"registry_http_bind_address": "0.0.0.0", "registry_storage_readonly": True},
    ],
    ids=["default", "0.0.0.0", "read-only without the switch"],
)
def test_anonymous_registry_on_the_network_is_refused(emulator_server, settings):
    run = run_playbook(emulator_server, PLAYBOOK, settings)
    assert run.returncode != 0
    assert REFUSAL in run.stdout
    assert "registry_allow_anonymous" in run.stdout


@pytest.mark.parametrize(
    "settings",
    [
        {"registry_http_bind_address": "0.0.0.0", "registry_auth_htpasswd_users": USERS},
        {"registry_http_bind_address": "0.0.0.0", **TOKEN},
        {"registry_http_bind_address": "0.0.0.0", "registry_allow_anonymous": True, "registry_storage_readonly": True},
        {"registry_allow_anonymous": True},
        {"registry_http_bind_address": "127.0.0.1"},
    ],
    ids=["htpasswd", "token", "switch, read-only", "switch", "loopback"],
)
def test_authentication_loopback_or_the_switch_is_accepted(emulator_server, settings):
    run = run_playbook(emulator_server, PLAYBOOK, settings)
    assert run.returncode == 0, run.stdout + run.stderr


def test_token_settings_go_together(emulator_server):
    run = run_playbook(emulator_server, PLAYBOOK, {"registry_auth_token": {"realm": "https://auth.example.com/token"}})
    assert run.returncode != 0
    assert "parameters are required together: realm, service, issuer, rootcertbundle found in registry_auth_token" in (
        run.stdout
    )
