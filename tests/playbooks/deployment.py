"""Registries deployed on this machine by playbooks/deploy.yml (docker, host network, one container per inventory
host) with their storage in the test process's emulator, and the playbooks run against them as a user would."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.emulator.server import Emulator
from tests.emulator.session import session_settings
from tests.support import ansible_runner, clients, oci, processes, registry

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
ROOT_DIRECTORY = "/registry"
CAM_USER = "registry"
TASK_LINE = re.compile(r"^TASK \[(?P<task>.+)\] \*+$")
CHANGED_LINE = re.compile(r"^changed: \[(?P<host>[^\]]+)\]")
RECAP_LINE = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=\d+\s+changed=(?P<changed>\d+)\s+unreachable=\d+\s+failed=(?P<failed>\d+)", re.M
)


@dataclass
class Deployment:
    emulator: Emulator
    work: Path
    hosts: tuple[str, ...]
    # Inventory variables of every registry host, on top of those every deployment here has.
    host_vars: dict = field(default_factory=dict)
    ports: dict = field(init=False)

    def __post_init__(self) -> None:
        self.ports = {host: (processes.free_port(), processes.free_port()) for host in self.hosts}
        self.prefix = f"pb-{self.ports[self.hosts[0]][0]}"
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
                "registry_config_dir": str(self.config_dir(host)),
                "registry_storage_rootdirectory": ROOT_DIRECTORY,
                "registry_storage_chunksize": 5 * 1024 * 1024,
                "registry_health_storagedriver_interval": "2s",
                "registry_container_ulimits": ["nofile=4096:4096", "nproc=4096:4096"],
                **self.host_vars,
            }
            for host, (port, candidate_port) in self.ports.items()
        }
        return {
            "all": {
                "hosts": {"localhost": local},
                "vars": {"cosops_key_file": str(self.key_file), "cosops_storage_check_smoke_size": 6 * 1024 * 1024},
                "children": {"registry": {"hosts": registry_hosts}},
            }
        }

    def container(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def config_dir(self, host: str) -> Path:
        return self.work / "state" / host / "etc"

    def config(self, host: str) -> dict:
        return yaml.safe_load((self.config_dir(host) / "config.yml").read_text())

    def address(self, host: str) -> str:
        return f"127.0.0.1:{self.ports[host][0]}"

    @property
    def key_file(self) -> Path:
        return self.work / "state" / "registry-key.yml"

    @property
    def bucket(self) -> str:
        return f"registry-{self.emulator.appid}"

    def key(self) -> dict:
        return yaml.safe_load(self.key_file.read_text())

    def playbook(
        self,
        name: str,
        extra_vars: dict | None = None,
        inventory: Path | None = None,
        options: tuple[str, ...] = (),
        environment: dict | None = None,
    ) -> subprocess.CompletedProcess:
        return ansible_runner.run_playbook(
            self.emulator,
            PLAYBOOKS / name,
            inventory=inventory or self.inventory,
            var_files=(self.settings_file, PLAYBOOKS / "vars" / "emulator.yml"),
            extra_vars=extra_vars,
            options=options,
            environment={"ANSIBLE_LOCAL_TEMP": str(self.work / "ansible-tmp"), **(environment or {})},
        )

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

    def pull(self, address: str, repository: str, layout: Path, tag: str) -> oci.OciImage:
        registry.skopeo(
            "copy",
            "--src-tls-verify=false",
            "--preserve-digests",
            f"docker://{address}/{repository}",
            f"oci:{layout}:{tag}",
        )
        return oci.read_image(layout, tag)

    def remove(self) -> None:
        for host in self.hosts:
            for name in (self.container(host), f"{self.container(host)}-candidate"):
                subprocess.run(["docker", "rm", "--force", name], capture_output=True, check=False)


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
    return "\n".join((run.stdout + run.stderr).splitlines()[-lines:])
