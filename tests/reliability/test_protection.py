"""Protection figures: anonymous registries on a network address refused by deploy.yml before it writes anything in
the account (counted at the emulator), and every refusal of the controller's key proven against the emulator. No
container is started."""

from __future__ import annotations

import pytest

from tests.reliability.deploy_runs import DeployRuns
from tests.support.controller import DENIED_CAM, DENIED_COS, cam_refusal, controller_key, cos_refusal, prepare_account

REFUSAL = "The registry would accept anonymous pushes and deletes on"
# Anonymous registries other machines could push to: every one must be refused.
EXPOSURES = [
    {"registry_http_bind_address": ""},
    {"registry_http_bind_address": "0.0.0.0"},
    {"registry_http_bind_address": "::"},
    {"registry_http_bind_address": "192.0.2.10"},
    {"registry_http_bind_address": "0.0.0.0", "registry_storage_readonly": True},
    {"registry_http_bind_address": "0.0.0.0", "registry_network_mode": "host"},
]


@pytest.fixture
def deploy_runs(emulator, tmp_path):
    return DeployRuns(emulator, tmp_path)


def test_anonymous_exposures_are_refused_before_any_write(deploy_runs, figures):
    outcomes = [deploy_runs.run(settings) for settings in EXPOSURES]
    refused = [outcome for outcome in outcomes if outcome["msg"].startswith(REFUSAL) and outcome["writes"] == 0]
    assert len(refused) == len(EXPOSURES), list(zip(EXPOSURES, outcomes))
    figures.add("anonymous_exposures_refused", len(refused))


def test_a_protected_registry_gets_its_account_resources(deploy_runs):
    """The counters see deploy.yml's writes: on loopback the run creates the bucket, user and key, then stops at the
    absent image."""
    outcome = deploy_runs.run({})
    assert outcome["writes"] > 0 and not outcome["msg"].startswith(REFUSAL), outcome


def test_controller_key_denials_are_proven(emulator, figures):
    key = controller_key(emulator)
    own, other = prepare_account(emulator, key)
    denied = [cam_refusal(emulator, key, action, params(other, own)) for _name, action, params in DENIED_CAM]
    denied += [cos_refusal(emulator, key, operation) for _name, operation in DENIED_COS]
    assert None not in denied, denied
    figures.add("controller_denials_proven", len(denied))
