"""The role's tags, as prometheus-community's roles have them: registry_install makes the image available and touches
no container, registry_configure rolls the configuration out through the candidate, registry_run gates the live
registry; the checks of the variables run under each."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.collection_path import COLLECTIONS_DIR
from tests.support.ansible_runner import BIN, RUN_TIMEOUT

PLAYBOOK = Path(__file__).with_name("tags.yml")
PREFLIGHT = "Check the bucket of the storage"


def listed(tags: str) -> list[str]:
    """The role's task names --list-tasks shows for the tags (dynamic includes show as themselves)."""
    run = subprocess.run(
        [str(BIN / "ansible-playbook"), "--list-tasks", "--tags", tags, str(PLAYBOOK)],
        env={"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR, "PATH": str(BIN), "ANSIBLE_NOCOLOR": "1"},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=True,
    )
    return [line.split(" : ", 1)[1].split("\tTAGS:")[0].strip() for line in run.stdout.splitlines() if " : " in line]


def test_install_pulls_the_image_and_touches_no_container():
    tasks = listed("registry_install")
    assert PREFLIGHT in tasks and "Pull {{ registry_image }}" in tasks
    assert not {"Render the desired configuration", "Prove the new configuration in a candidate"} & set(tasks)
    assert not any(task.startswith("Gate") for task in tasks)


def test_configure_renders_and_rolls_out_through_the_candidate_without_the_final_gate():
    tasks = listed("registry_configure")
    expected = [PREFLIGHT, "Read or generate the shared http.secret on the controller", "Read the image id"]
    expected += ["Render the desired configuration", "Prove the new configuration in a candidate"]
    expected += ["Replace the live registry"]
    assert [task for task in expected if task not in tasks] == []
    assert "Gate the live registry" not in tasks


def test_run_gates_the_live_registry_only():
    tasks = listed("registry_run")
    assert PREFLIGHT in tasks and "Gate the live registry" in tasks
    assert not {"Read the image id", "Render the desired configuration", "Replace the live registry"} & set(tasks)
