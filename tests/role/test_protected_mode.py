"""Protected mode: the role's preflight refuses, in one sentence and before any change, a registry that would accept
anonymous pushes on an address other machines reach, and accepts authentication, loopback or the explicit switch; and a
debug server on such an address that would show notification credentials."""

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


HOOK = {"name": "audit", "url": "https://hooks.example.com/events", "headers": {"Authorization": ["Bearer hook-token"]}}


@pytest.mark.parametrize(
    "hook", [HOOK, {"name": "audit", "url": "https://user:pass@hooks.example.com/events"}], ids=["headers", "url"]
)
def test_notification_credentials_on_a_network_debug_server_are_refused(emulator_server, hook):
    """distribution's debug server shows every notification endpoint's URL and headers at /debug/vars."""
    settings = {"registry_http_bind_address": "127.0.0.1", "registry_metrics": {"bind_address": "0.0.0.0"}}
    run = run_playbook(emulator_server, PLAYBOOK, {**settings, "registry_notifications_endpoints": [hook]})
    assert run.returncode != 0
    assert (
        "The debug server on 0.0.0.0 port 5002 would show the headers and URL credentials of notification endpoints "
        "audit to anyone at /debug/vars" in run.stdout
    )
    assert "hook-token" not in run.stdout + run.stderr


@pytest.mark.parametrize(
    "settings",
    [
        {"registry_notifications_endpoints": [HOOK]},
        {"registry_notifications_endpoints": [HOOK], "registry_metrics": {"enabled": False}},
        {
            "registry_metrics": {"bind_address": "0.0.0.0"},
            "registry_notifications_endpoints": [{**HOOK, "headers": {}}],
        },
    ],
    ids=["loopback", "no debug server", "no credentials"],
)
def test_a_debug_server_on_loopback_or_without_credentials_is_accepted(emulator_server, settings):
    run = run_playbook(emulator_server, PLAYBOOK, {"registry_http_bind_address": "127.0.0.1", **settings})
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_metrics_port_must_differ_from_the_registry_ports(emulator_server):
    run = run_playbook(
        emulator_server, PLAYBOOK, {"registry_http_bind_address": "127.0.0.1", "registry_metrics": {"port": 5001}}
    )
    assert run.returncode != 0
    assert (
        "registry_metrics.port (5001) must differ from registry_http_port (5000) and registry_candidate_port"
        in run.stdout
    )
