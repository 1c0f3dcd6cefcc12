"""playbooks/deploy.yml run against the emulator on a registry host that is the controller itself, with the message
of the task that failed and the write requests the emulator counted during the run."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from emulator.control import EmulatorControl
from emulator.session import session_settings
from tests.support import ansible_runner

DEPLOY_PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "deploy.yml"
# Should a run get past the checks, the role stops at its image, which is absent: it never starts a container.
ABSENT_IMAGE = {
    "registry_image": "cosops-bad-input/absent:3",
    "registry_image_pull": "never",
    "registry_container_name": "cosops-bad-input",
}
JSON_OUTPUT = {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "true", "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}


class DeployRuns:
    """deploy.yml over the emulator's valid deployment, its registry bound to 127.0.0.1 unless a run says otherwise."""

    def __init__(self, emulator, work: Path) -> None:
        self.emulator = emulator
        self.control = EmulatorControl(emulator.url)
        self.settings = work / "emulator.yml"
        self.settings.write_text(yaml.safe_dump(session_settings(emulator)))
        self.settings.chmod(0o600)
        self.inventory = work / "inventory.yml"
        localhost = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
        registry_vars = {"cosops_key_file": str(work / "registry-key.yml"), "registry_http_bind_address": "127.0.0.1"}
        self.inventory.write_text(
            yaml.safe_dump(
                {
                    "all": {
                        "hosts": {"localhost": localhost},
                        "vars": registry_vars,
                        "children": {"registry": {"hosts": {"localhost": {}}}},
                    }
                }
            )
        )

    def run(self, extra_vars: dict) -> dict:
        """The failed task's message (empty when none failed) and the write requests of one run."""
        self.control.clear_counters()
        run = ansible_runner.run_playbook(
            self.emulator,
            DEPLOY_PLAYBOOK,
            extra_vars={**ABSENT_IMAGE, **extra_vars},
            var_files=(self.settings, DEPLOY_PLAYBOOK.parent / "vars" / "emulator.yml"),
            inventory=self.inventory,
            environment=JSON_OUTPUT,
        )
        return {"msg": failure_message(run.stdout), "writes": self.control.counters()["writes"]}


def failure_message(json_output: str) -> str:
    """The message of the first failed task in ansible.posix.json output, or an empty string."""
    for play in json.loads(json_output)["plays"]:
        for task in play["tasks"]:
            for result in task["hosts"].values():
                if result.get("failed"):
                    return result.get("msg", "")
    return ""
