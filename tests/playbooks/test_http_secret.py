"""The http.secret of a storage is one file on the controller, whether the registry role runs alone or through the
playbooks: replicas deployed either way sign upload state alike. No container is started: only the role's
secrets step runs."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.support.ansible_runner import run_playbook
from tests.support.deployment import PLAYBOOKS

BUCKET = "registry-1250000000"
ROOT_DIRECTORY = "/registry"


def test_role_alone_and_playbooks_share_the_http_secret_of_a_storage(emulator_server, tmp_path: Path):
    local = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
    inventory = {
        "all": {
            "hosts": {"localhost": local},
            "children": {"registry": {"hosts": {"replica": {**local, "registry_container_name": "replica-1"}}}},
        }
    }
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    secrets_step = {"ansible.builtin.include_role": {"name": "cosops.registry.registry", "tasks_from": "secrets"}}
    plays = [
        {
            "name": "The role's secrets through the playbooks' variables",
            "hosts": "registry",
            "gather_facts": False,
            "vars_files": [str(PLAYBOOKS / "vars" / "settings.yml"), str(PLAYBOOKS / "vars" / "storage.yml")],
            "tasks": [
                secrets_step,
                {"ansible.builtin.set_fact": {"via_playbooks": "{{ _registry_http_secret }}"}, "no_log": True},
            ],
        },
        {
            "name": "The role's secrets alone, for the same storage",
            "hosts": "registry",
            "gather_facts": False,
            "vars": {"registry_storage_bucket": BUCKET},
            "tasks": [
                secrets_step,
                {
                    "ansible.builtin.assert": {
                        "that": "_registry_http_secret == via_playbooks",
                        "fail_msg": "the role alone and the playbooks keep different http.secret files",
                    }
                },
            ],
        },
    ]
    playbook = tmp_path / "secrets.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    run = run_playbook(
        emulator_server,
        playbook,
        inventory=tmp_path / "inventory.yml",
        extra_vars={
            "cosops_bucket": BUCKET,
            "tencentcloud_region": "ap-guangzhou",
            "registry_storage_rootdirectory": ROOT_DIRECTORY,
        },
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    state = tmp_path / ".registry"
    secret = f"{BUCKET}_registry-http-secret"
    # One secret file for both ways, and no vault secret in this run: plain and named in the directory's .gitignore.
    assert sorted(path.name for path in state.iterdir()) == [".gitignore", secret]
    assert f"/{secret}" in (state / ".gitignore").read_text().splitlines()
