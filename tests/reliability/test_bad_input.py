"""Invalid input (bad_inputs.yml) to the modules, the registry role, playbooks/deploy.yml and the storage driver: each
case fails with one clear sentence naming the value, not one write request reaches the emulator, and a rule broken
through two entry points is refused with the same sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_paths import StorageDriverError
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

from emulator import clients
from emulator.control import EmulatorControl
from tests.reliability.deploy_runs import ABSENT_IMAGE, DeployRuns
from tests.support import ansible_runner

CASES = yaml.safe_load((Path(__file__).with_name("bad_inputs.yml")).read_text())
PLAYBOOK_CASES = [case for case in CASES if "module" in case or "role" in case]
DEPLOY_CASES = [case for case in CASES if "deploy" in case]
DRIVER_CASES = [case for case in CASES if "driver" in case or "driver_path" in case]
AGREEING_CASES = [case for case in CASES if "agrees_with" in case]
BUCKET = "reliability-{appid}"
USER = "reliability-user"
MAX_MESSAGE_LENGTH = 400
# A sentence boundary: an end mark, then a capital opening the next sentence.
SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
# ansible-core's own argument validation: its heading for role arguments, and the openings of its messages, whose
# wording ("... one or more of: A, B. Got no match for: C") the collection does not choose.
CORE_HEADING = "Validation of arguments failed:"
CORE_MESSAGES = ("value of ", "argument '", "missing required arguments", "parameters are mutually exclusive")
# The role runs against a valid storage description; each case replaces some of it.
ROLE_BASE = {
    "registry_storage_bucket": "reliability-1250000000",
    "registry_storage_region": "ap-guangzhou",
    "registry_storage_secret_id": "AKIDreliabilityreliabilityreliab",
    "registry_storage_secret_key": "reliability-role-secret-key-0001",
    **ABSENT_IMAGE,
}


def kind(case: dict) -> str:
    return next((name for name in ("module", "role", "deploy") if name in case), "driver")


def test_there_are_enough_cases_across_modules_role_playbook_and_driver():
    assert len(CASES) >= 40 and {kind(case) for case in CASES} == {"module", "role", "deploy", "driver"}
    ids = {case["id"] for case in CASES}
    assert len(ids) == len(CASES), "case ids must be unique"
    for case in AGREEING_CASES:
        other = next(each for each in CASES if each["id"] == case["agrees_with"])
        assert kind(other) != kind(case) and other["names"] == case["names"], f"{case['id']} is no other entry point"


def playbook_task(case: dict) -> dict:
    """A block that runs the case and records its outcome in the `outcomes` fact."""
    record = "{{ outcomes | combine({%r: {'failed': %s, 'msg': %s}}) }}"
    if "module" in case:
        action = {"name": "Run the module", ansible_runner.qualified(case["module"]): case["args"]}
        if "environment" in case:
            action["environment"] = case["environment"]
    else:
        action = {
            "name": "Run the role",
            "ansible.builtin.include_role": {"name": "cosops.registry.registry"},
            "vars": {name: value for name, value in {**ROLE_BASE, **case["role"]}.items() if value is not None},
        }
    return {
        "name": f"Case {case['id']}",
        "block": [
            action,
            {"name": "Record success", "ansible.builtin.set_fact": {"outcomes": record % (case["id"], "false", "''")}},
        ],
        "rescue": [
            {
                "name": "Record the failure",
                "ansible.builtin.set_fact": {
                    "outcomes": record % (case["id"], "true", "ansible_failed_result.msg | default('')")
                },
            }
        ],
    }


@pytest.fixture(scope="module")
def playbook_outcomes(emulator_server, tmp_path_factory):
    """Every module and role case in one play against an emulator holding the bucket and user they name;
    returns (outcomes by case id, the emulator's counters for the whole play)."""
    emulator_server.reset()
    root = emulator_server.iam
    clients.cos_client(emulator_server.url, root.root_secret_id, root.root_secret_key).create_bucket(
        Bucket=BUCKET.format(appid=emulator_server.appid)
    )
    clients.cam(emulator_server.url, root.root_secret_id, root.root_secret_key).call_json("AddUser", {"Name": USER})
    work = tmp_path_factory.mktemp("bad-input")
    results = work / "outcomes.json"
    tasks = [playbook_task(case) for case in PLAYBOOK_CASES]
    tasks += [
        # A valid read after the cases proves the counters see this play's requests.
        {
            "name": "Read the bucket",
            "cosops.registry.cos_bucket_info": {"name": BUCKET.format(appid=emulator_server.appid)},
        },
        {
            "name": "Write the outcomes",
            "ansible.builtin.copy": {"content": "{{ outcomes | to_json }}", "dest": str(results), "mode": "0600"},
        },
    ]
    play = [
        {"name": "Bad input", "hosts": "localhost", "gather_facts": False, "vars": {"outcomes": {}}, "tasks": tasks}
    ]
    playbook = work / "bad_input.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    control = EmulatorControl(emulator_server.url)
    control.clear_counters()
    run = ansible_runner.run_playbook(emulator_server, playbook)
    counters = control.counters()
    assert results.exists(), f"the play did not finish:\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
    return json.loads(results.read_text()), counters


def assert_clear_refusal(message: str, names: str) -> None:
    text = message.removeprefix(CORE_HEADING).strip()
    assert str(names) in text, f"the message does not name {names!r}: {message!r}"
    assert "\n" not in text and len(text) <= MAX_MESSAGE_LENGTH, f"not one short line: {message!r}"
    assert text.startswith(CORE_MESSAGES) or not SENTENCE_BREAK.search(text), f"more than one sentence: {message!r}"
    assert "Traceback" not in message


@pytest.mark.parametrize("case", PLAYBOOK_CASES, ids=[case["id"] for case in PLAYBOOK_CASES])
def test_module_and_role_refuse_with_one_sentence(case, playbook_outcomes, figures):
    outcomes, _counters = playbook_outcomes
    outcome = outcomes[case["id"]]
    assert outcome["failed"], f"{case['id']} was accepted"
    assert_clear_refusal(outcome["msg"], case["names"])
    figures.add("bad_inputs_tried")


def test_module_and_role_refusals_write_nothing(playbook_outcomes, figures):
    outcomes, counters = playbook_outcomes
    assert len(outcomes) == len(PLAYBOOK_CASES)
    writes = {name: count for name, count in counters["operations"].items() if is_write(name)}
    assert counters["reads"] > 0, "the emulator saw none of the play's requests"
    assert counters["writes"] == 0, f"write requests during the refusals: {writes}"
    figures.add("bad_input_writes", counters["writes"])


def is_write(operation: str) -> bool:
    action = operation.split(":", 1)[-1]
    return not action.startswith(("Get", "List", "Describe", "Head"))


def driver_failure(case: dict, parameters: dict) -> str:
    """The message of the driver's refusal of the case."""
    try:
        if "driver" in case:
            DriverConfig.from_parameters({**parameters, **case["driver"]})
        else:
            with CosDriver(DriverConfig.from_parameters(parameters)).writer(case["driver_path"]) as writer:
                writer.write(b"never stored")
    except (ValidationError, StorageDriverError) as error:
        return str(error)
    raise AssertionError(f"{case['id']} was accepted")


@pytest.fixture(scope="module")
def deploy_outcomes(emulator_server, tmp_path_factory):
    """deploy.yml run once per case, against an emulator without the bucket; returns by case id the message of the
    task that failed (empty when none did) and the write requests the run made."""
    emulator_server.reset()
    runs = DeployRuns(emulator_server, tmp_path_factory.mktemp("bad-deploy"))
    return {case["id"]: runs.run(case["deploy"]) for case in DEPLOY_CASES}


@pytest.mark.parametrize("case", DEPLOY_CASES, ids=[case["id"] for case in DEPLOY_CASES])
def test_deploy_playbook_refuses_before_any_write(case, deploy_outcomes, figures):
    outcome = deploy_outcomes[case["id"]]
    assert outcome["msg"], f"{case['id']} was accepted"
    assert_clear_refusal(outcome["msg"], case["names"])
    assert outcome["writes"] == 0, f"{case['id']} wrote before its refusal"
    figures.add("bad_input_writes", outcome["writes"])
    figures.add("bad_inputs_tried")


@pytest.mark.parametrize("case", AGREEING_CASES, ids=[case["id"] for case in AGREEING_CASES])
def test_a_rule_is_refused_alike_through_every_entry_point(case, playbook_outcomes, deploy_outcomes):
    messages = {name: outcome["msg"] for name, outcome in {**playbook_outcomes[0], **deploy_outcomes}.items()}
    messages.update({each["id"]: driver_config_refusal(each) for each in DRIVER_CASES if "driver" in each})
    assert messages[case["id"]] == messages[case["agrees_with"]]


def driver_config_refusal(case: dict) -> str:
    """The driver's refusal of a configuration case; its checks of the configuration make no request."""
    parameters = {"secretid": "AKID", "secretkey": "key", "region": "ap-guangzhou", "bucket": "reliability-1250000000"}
    return driver_failure(case, parameters)


@pytest.mark.parametrize("case", DRIVER_CASES, ids=[case["id"] for case in DRIVER_CASES])
def test_driver_refuses_with_one_sentence(case, emulator, control, figures):
    parameters = {
        "secretid": emulator.iam.root_secret_id,
        "secretkey": emulator.iam.root_secret_key,
        "region": "ap-guangzhou",
        "bucket": BUCKET.format(appid=emulator.appid),
        "endpoint": emulator.url,
        "rootdirectory": "/registry",
    }
    CosDriver(DriverConfig.from_parameters(parameters)).api.call("create_bucket", Bucket=parameters["bucket"])
    control.clear_counters()
    assert_clear_refusal(driver_failure(case, parameters), case["names"])
    writes = control.counters()["writes"]
    assert writes == 0
    figures.add("bad_input_writes", writes)
    figures.add("bad_inputs_tried")
