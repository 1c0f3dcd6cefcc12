"""A registry deployed by playbooks/deploy.yml on this machine (docker, host network) with its storage in a child
emulator: the registry the load, least-privilege, secret and nothing-lost tests work with."""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.emulator.session import session_settings
from tests.reliability.emulators import ChildEmulator
from tests.support import ansible_runner, processes

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
SETUP = ROOT / "tests" / "setup"
USER = "ci"
ROOT_DIRECTORY = "/registry"
SETUP_TIMEOUT = 300


def prepare_engine() -> None:
    """dockerd running and the registry:3 stand-in built (both no-ops when already done)."""
    for command in ([SETUP / "dockerd.sh", "start"], [SETUP / "registry-image.sh", "docker", "registry:3"]):
        subprocess.run([str(part) for part in command], check=True, capture_output=True, timeout=SETUP_TIMEOUT)


@dataclass
class Deployment:
    emulator: ChildEmulator
    work: Path
    port: int = field(default_factory=processes.free_port)
    candidate_port: int = field(default_factory=processes.free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    # Output of every playbook run, by label, for the secret scan.
    outputs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.container = f"reliability-registry-{self.port}"
        self.state = self.work / "state"
        self.inventory = self.work / "inventory.yml"
        self.settings_file = self.work / "emulator.yml"
        self.settings_file.write_text(yaml.safe_dump(session_settings(self.emulator)))
        self.settings_file.chmod(0o600)
        self.inventory.write_text(yaml.safe_dump(self.inventory_content(), sort_keys=False))

    def inventory_content(self) -> dict:
        registry_host = {
            "registry_container_name": self.container,
            "registry_http_port": self.port,
            "registry_candidate_port": self.candidate_port,
            "registry_config_dir": str(self.config_dir),
            "registry_http_secret_file": str(self.http_secret_file),
            "registry_storage_rootdirectory": ROOT_DIRECTORY,
            "registry_storage_chunksize": 5 * 1024 * 1024,
            "registry_storage_delete_enabled": True,
            "registry_auth_htpasswd_users": [{"name": USER, "password": self.password}],
            "registry_health_storagedriver_interval": "2s",
            "registry_container_ulimits": ["nofile=4096:4096", "nproc=4096:4096"],
        }
        localhost = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
        return {
            "all": {
                "hosts": {"localhost": localhost},
                "vars": {"cosops_key_file": str(self.key_file)},
                "children": {"registry": {"hosts": {"localhost": registry_host}}},
            }
        }

    @property
    def config_dir(self) -> Path:
        return self.state / "etc"

    @property
    def key_file(self) -> Path:
        return self.state / "registry-key.yml"

    @property
    def http_secret_file(self) -> Path:
        return self.state / "http-secret"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def bucket(self) -> str:
        return f"registry-{self.emulator.appid}"

    @property
    def credentials(self) -> str:
        return f"{USER}:{self.password}"

    def key(self) -> dict:
        return yaml.safe_load(self.key_file.read_text())

    def playbook(
        self, name: str, label: str | None = None, options: tuple[str, ...] = (), extra_vars: dict | None = None
    ) -> subprocess.CompletedProcess:
        """playbooks/<name> at -vvvv against this deployment; its output is kept under `label` for the scan."""
        return self.run(PLAYBOOKS / name, label or name, options, extra_vars)

    def role(self, label: str, extra_vars: dict | None = None) -> subprocess.CompletedProcess:
        """The registry role alone on the registry hosts, with the variables deploy.yml gives it, at -vvvv."""
        playbook = self.work / "role.yml"
        play = {
            "name": "The registry role",
            "hosts": "registry",
            "gather_facts": False,
            "vars_files": [str(PLAYBOOKS / "vars" / "settings.yml"), str(PLAYBOOKS / "vars" / "storage.yml")],
            "roles": ["cosops.registry.registry"],
        }
        playbook.write_text(yaml.safe_dump([play], sort_keys=False))
        return self.run(playbook, label, (), extra_vars)

    def run(self, playbook: Path, label: str, options: tuple[str, ...], extra_vars: dict | None):
        run = ansible_runner.run_playbook(
            self.emulator,
            playbook,
            inventory=self.inventory,
            var_files=(self.settings_file, PLAYBOOKS / "vars" / "emulator.yml"),
            extra_vars=extra_vars,
            options=options,
            verbosity=4,
            environment={"ANSIBLE_LOCAL_TEMP": str(self.work / "ansible-tmp")},
        )
        self.outputs[label] = run.stdout + run.stderr
        return run

    def container_id(self) -> str:
        inspect = subprocess.run(
            ["docker", "inspect", "--format", "{{.Id}}", self.container], capture_output=True, text=True, check=False
        )
        return inspect.stdout.strip()

    def container_running(self) -> bool:
        inspect = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Running}}", self.container],
            capture_output=True,
            text=True,
            check=False,
        )
        return inspect.stdout.strip() == "true"

    def container_log(self) -> str:
        logs = subprocess.run(["docker", "logs", self.container], capture_output=True, text=True, check=False)
        return logs.stdout + logs.stderr

    def remove(self) -> None:
        for name in (self.container, f"{self.container}-candidate"):
            subprocess.run(["docker", "rm", "--force", name], capture_output=True, check=False)
        self.emulator.stop()


def failure_tail(run: subprocess.CompletedProcess, lines: int = 60) -> str:
    return "\n".join((run.stdout + run.stderr).splitlines()[-lines:])
