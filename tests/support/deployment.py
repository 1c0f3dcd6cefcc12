"""Registries deployed on this machine by playbooks/deploy.yml (docker, host network, one container per inventory
host) with their storage in an emulator, and the playbooks and the role run against them as a user would."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from emulator import clients
from emulator.session import session_settings
from tests.support import ansible_runner, processes, registry
from tools import oci

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
TOOLS = ROOT / "tools"
ROOT_DIRECTORY = "/registry"
CAM_USER = "registry"
TASK_LINE = re.compile(r"^TASK \[(?P<task>.+)\] \*+$")
CHANGED_LINE = re.compile(r"^changed: \[(?P<host>[^\]]+)\]")
SETUP_TIMEOUT = 300
RECAP_LINE = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=\d+\s+changed=(?P<changed>\d+)\s+unreachable=\d+\s+failed=(?P<failed>\d+)", re.M
)


def prepare_engine() -> None:
    """dockerd running and the registry:3 stand-in built (both no-ops when already done)."""
    for command in ([TOOLS / "dockerd.sh", "start"], [TOOLS / "registry-image.sh", "docker", "registry:3"]):
        subprocess.run([str(part) for part in command], check=True, capture_output=True, timeout=SETUP_TIMEOUT)


@dataclass
class Deployment:
    """Registry hosts of one inventory; methods taking a host default to the first one."""

    emulator: object
    work: Path
    hosts: tuple[str, ...] = ("localhost",)
    # Inventory variables of every registry host, on top of those every deployment here has.
    host_vars: dict = field(default_factory=dict)
    # Hosts that pull from the registries (inventory group `clients`, on this machine too), with their variables.
    clients: dict = field(default_factory=dict)
    # ansible-playbook's -v count; 4 shows what the secret scan must see.
    verbosity: int = 0
    # Output of every playbook run, by label.
    outputs: dict[str, str] = field(default_factory=dict)
    ports: dict = field(init=False)

    def __post_init__(self) -> None:
        # Per host: the registry's port, its candidate's and its metrics'.
        self.ports = {
            host: (processes.free_port(), processes.free_port(), processes.free_port()) for host in self.hosts
        }
        self.prefix = f"registry-{self.ports[self.hosts[0]][0]}"
        self.inventory = self.work / "inventory.yml"
        self.settings_file = self.work / "emulator.yml"
        self.settings_file.write_text(yaml.safe_dump(session_settings(self.emulator)))
        self.settings_file.chmod(0o600)
        self.write_inventory()

    def write_inventory(self) -> None:
        self.inventory.write_text(yaml.safe_dump(self.inventory_content(), sort_keys=False))

    def inventory_content(self) -> dict:
        local = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
        registry_hosts = {
            host: {
                **local,
                "registry_container_name": self.container(host),
                "registry_http_port": port,
                "registry_candidate_port": candidate_port,
                "registry_metrics": {"port": metrics_port},
                "registry_config_dir": str(self.config_dir(host)),
                "registry_storage_rootdirectory": ROOT_DIRECTORY,
                "registry_storage_chunksize": 5 * 1024 * 1024,
                "registry_health_storagedriver": {"interval": "2s"},
                "registry_container_ulimits": ["nofile=4096:4096", "nproc=4096:4096"],
                # Only the tests on this machine reach the registries; protected mode accepts loopback.
                "registry_http_bind_address": "127.0.0.1",
                **self.host_vars,
            }
            for host, (port, candidate_port, metrics_port) in self.ports.items()
        }
        groups = {"registry": {"hosts": registry_hosts}}
        if self.clients:
            groups["clients"] = {
                "hosts": {client: {**local, **host_vars} for client, host_vars in self.clients.items()}
            }
        return {
            "all": {
                "hosts": {"localhost": local},
                "vars": {"cosops_key_file": str(self.key_file), "registry_storage_check_smoke_size": 6 * 1024 * 1024},
                "children": groups,
            }
        }

    def container(self, host: str | None = None) -> str:
        return f"{self.prefix}-{host or self.hosts[0]}"

    def config_dir(self, host: str | None = None) -> Path:
        return self.work / "state" / (host or self.hosts[0]) / "etc"

    def config(self, host: str | None = None) -> dict:
        return yaml.safe_load((self.config_dir(host) / "config.yml").read_text())

    def address(self, host: str | None = None) -> str:
        return f"127.0.0.1:{self.ports[host or self.hosts[0]][0]}"

    def url(self, host: str | None = None) -> str:
        return f"http://{self.address(host)}"

    def metrics_url(self, host: str | None = None) -> str:
        return f"http://127.0.0.1:{self.ports[host or self.hosts[0]][2]}/metrics"

    @property
    def key_file(self) -> Path:
        return self.work / "state" / "registry-key.yml"

    @property
    def http_secret_file(self) -> Path:
        """Where the role keeps the generated http.secret of this storage (docs/role-registry.md)."""
        return self.work / ".registry" / f"{self.bucket}{ROOT_DIRECTORY.replace('/', '_')}-http-secret"

    @property
    def bucket(self) -> str:
        return f"registry-{self.emulator.appid}"

    @property
    def credentials(self) -> str:
        """user:password of the first htpasswd user the hosts were given."""
        user = self.host_vars["registry_auth_htpasswd_users"][0]
        return f"{user['name']}:{user['password']}"

    def key(self) -> dict:
        return yaml.safe_load(self.key_file.read_text())

    def playbook(
        self,
        name: str,
        label: str | None = None,
        options: tuple[str, ...] = (),
        extra_vars: dict | None = None,
        inventory: Path | None = None,
        environment: dict | None = None,
    ) -> subprocess.CompletedProcess:
        """playbooks/<name> against this deployment; its output is kept under `label`."""
        return self.run(PLAYBOOKS / name, label or name, options, extra_vars, inventory, environment)

    def deployed(self) -> Deployment:
        """This deployment once deploy.yml has run on it, which must succeed."""
        run = self.playbook("deploy.yml")
        assert run.returncode == 0, output(run)
        return self

    def role(
        self, label: str, extra_vars: dict | None = None, post_tasks: tuple[dict, ...] = ()
    ) -> subprocess.CompletedProcess:
        """The registry role alone on the registry hosts, with the variables deploy.yml gives it, then post_tasks."""
        playbook = self.work / "role.yml"
        play = {
            "name": "The registry role",
            "hosts": "registry",
            "gather_facts": False,
            "vars_files": [str(PLAYBOOKS / "vars" / "settings.yml"), str(PLAYBOOKS / "vars" / "storage.yml")],
            "roles": ["cosops.registry.registry"],
            "post_tasks": list(post_tasks),
        }
        playbook.write_text(yaml.safe_dump([play], sort_keys=False))
        return self.run(playbook, label, (), extra_vars)

    def run(
        self,
        playbook: Path,
        label: str,
        options: tuple[str, ...],
        extra_vars: dict | None,
        inventory: Path | None = None,
        environment: dict | None = None,
    ) -> subprocess.CompletedProcess:
        run = ansible_runner.run_playbook(
            self.emulator,
            playbook,
            inventory=inventory or self.inventory,
            var_files=(self.settings_file, PLAYBOOKS / "vars" / "emulator.yml"),
            extra_vars=extra_vars,
            options=options,
            verbosity=self.verbosity,
            environment={"ANSIBLE_LOCAL_TEMP": str(self.work / "ansible-tmp"), **(environment or {})},
        )
        self.outputs[label] = run.stdout + run.stderr
        return run

    def access_keys(self) -> list[dict]:
        """The CAM user's keys as CAM lists them: AccessKeyId and Status."""
        cam = clients.cam(self.emulator.url, self.emulator.iam.root_secret_id, self.emulator.iam.root_secret_key)
        uin = cam.call_json("GetUser", {"Name": CAM_USER})["Response"]["Uin"]
        return cam.call_json("ListAccessKeys", {"TargetUin": uin})["Response"]["AccessKeys"]

    def object_keys(self, prefix: str = ROOT_DIRECTORY.strip("/") + "/") -> set[str]:
        """Every key under the prefix, listed by virtual host (the bucket refuses path-style requests)."""
        cos = clients.cos_client(self.emulator.url, self.emulator.iam.root_secret_id, self.emulator.iam.root_secret_key)
        keys: set[str] = set()
        marker = ""
        while True:
            page = cos.list_objects(Bucket=self.bucket, Prefix=prefix, Marker=marker, MaxKeys=1000)
            keys.update(entry["Key"] for entry in page.get("Contents", []))
            if page.get("IsTruncated") != "true":
                return keys
            marker = page["NextMarker"]

    def blob_key(self, digest: str) -> str:
        hexdigest = digest.split(":", 1)[1]
        return f"{ROOT_DIRECTORY.strip('/')}/docker/registry/v2/blobs/sha256/{hexdigest[:2]}/{hexdigest}/data"

    def push(self, image: oci.OciImage, address: str, repository: str) -> None:
        registry.skopeo("copy", "--dest-tls-verify=false", image.reference, f"docker://{address}/{repository}")

    def pull(self, address: str, repository: str, layout: Path, tag: str, proxy: str | None = None) -> oci.OciImage:
        """skopeo's pull into an OCI layout; proxy as for registry.skopeo (how a client reaches the bucket)."""
        registry.pull_from(address, repository, f"oci:{layout}:{tag}", proxy)
        return oci.read_image(layout, tag)

    @property
    def engine(self) -> str:
        """The container engine of the registry hosts: docker unless they were given registry_runtime."""
        return self.host_vars.get("registry_runtime", "docker")

    def inspect(self, template: str, host: str | None = None) -> str:
        """The live container as `<engine> inspect --format <template>` shows it; '' when there is none."""
        inspect = subprocess.run(
            [self.engine, "inspect", "--format", template, self.container(host)],
            capture_output=True,
            text=True,
            check=False,
        )
        return inspect.stdout.strip()

    def container_id(self, host: str | None = None) -> str:
        return self.inspect("{{.Id}}", host)

    def container_pid(self, host: str | None = None) -> int:
        """The process id of the live container's registry, as this machine sees it."""
        return int(self.inspect("{{.State.Pid}}", host))

    def inspected(self, host: str | None = None) -> dict:
        """`<engine> inspect` of the host's live container, whole."""
        inspect = subprocess.run(
            [self.engine, "inspect", self.container(host)], capture_output=True, text=True, check=True
        )
        return json.loads(inspect.stdout)[0]

    def container_log(self, host: str | None = None) -> str:
        logs = subprocess.run([self.engine, "logs", self.container(host)], capture_output=True, text=True, check=False)
        return logs.stdout + logs.stderr

    def podman_secrets(self, host: str | None = None) -> list[str]:
        """The podman secrets holding the storage key of the host's registry (registry_storage_secret_key_delivery)."""
        listed = subprocess.run(
            ["podman", "secret", "ls", "--format", "{{.Name}}"], capture_output=True, text=True, check=True
        )
        prefix = f"{self.container(host)}-storage-key-"
        return [name for name in listed.stdout.split() if name.startswith(prefix)]

    def remove(self) -> None:
        for host in self.hosts:
            for name in (self.container(host), f"{self.container(host)}-candidate"):
                subprocess.run([self.engine, "rm", "--force", name], capture_output=True, check=False)
            if self.engine == "podman":
                for secret in self.podman_secrets(host):
                    subprocess.run(["podman", "secret", "rm", secret], capture_output=True, check=False)


def recap(run: subprocess.CompletedProcess) -> dict[str, dict[str, int]]:
    """changed and failed counts of every host in the play recap."""
    return {
        match["host"]: {"changed": int(match["changed"]), "failed": int(match["failed"])}
        for match in RECAP_LINE.finditer(run.stdout)
    }


def changed_tasks(run: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    """(task, host) of every task result reported as changed, in order."""
    changes, task = [], None
    for line in run.stdout.splitlines():
        started = TASK_LINE.match(line)
        if started:
            task = started["task"]
        changed = CHANGED_LINE.match(line)
        if changed and task:
            changes.append((task, changed["host"]))
    return changes


def output(run: subprocess.CompletedProcess, lines: int = 80) -> str:
    """The last lines of a run's output, for an assertion message."""
    return "\n".join((run.stdout + run.stderr).splitlines()[-lines:])
