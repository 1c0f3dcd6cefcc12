"""Protection figures: anonymous registries on a network address refused by the role before any change, and every
refusal of the controller's key proven against the emulator. No container is started."""

from __future__ import annotations

from pathlib import Path

from tests.support.ansible_runner import run_playbook
from tests.support.controller import DENIED_CAM, DENIED_COS, cam_refusal, controller_key, cos_refusal, prepare_account

PREFLIGHT = Path(__file__).resolve().parents[1] / "role" / "protected_mode.yml"
# Anonymous registries other machines could push to: every one must be refused.
EXPOSURES = [
    {},
    {"registry_http_bind_address": "0.0.0.0"},
    {"registry_http_bind_address": "::"},
    {"registry_http_bind_address": "192.0.2.10"},
    {"registry_http_bind_address": "0.0.0.0", "registry_storage_readonly": True},
    {"registry_http_bind_address": "0.0.0.0", "registry_network_mode": "host"},
]


def test_anonymous_exposures_are_refused(emulator, figures):
    refused = 0
    for settings in EXPOSURES:
        run = run_playbook(emulator, PREFLIGHT, settings)
        assert run.returncode != 0, settings
        assert "The registry would accept anonymous pushes and deletes on" in run.stdout, run.stdout
        refused += 1
    figures.add("anonymous_exposures_refused", refused)


def test_controller_key_denials_are_proven(emulator, figures):
    key = controller_key(emulator)
    own, other = prepare_account(emulator, key)
    denied = [cam_refusal(emulator, key, action, params(other, own)) for _name, action, params in DENIED_CAM]
    denied += [cos_refusal(emulator, key, operation) for _name, operation in DENIED_COS]
    assert None not in denied, denied
    figures.add("controller_denials_proven", len(denied))
