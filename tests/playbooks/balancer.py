"""HAProxy on loopback in front of registry replicas, health-checking /v2/, with an admin socket for the drain hooks;
and a client that pushes and pulls through it in a loop, counting failures."""

from __future__ import annotations

import csv
import socket
import subprocess
import threading
import time
from pathlib import Path

from tests.support import processes, registry
from tools import oci

BACKEND = "registry"
START_TIMEOUT = 30
LOOP_LIMIT = 900
CONFIG = """\
global
    stats socket {socket} mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch
frontend registry
    bind 127.0.0.1:{port}
    default_backend {backend}
backend {backend}
    option httpchk GET /v2/
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{servers}
"""


class Balancer:
    def __init__(self, work: Path, servers: dict[str, str]) -> None:
        self.socket = work / "haproxy.sock"
        self.port = processes.free_port()
        self.address = f"127.0.0.1:{self.port}"
        lines = "\n".join(f"    server {name} {address} check" for name, address in servers.items())
        self.config = work / "haproxy.cfg"
        self.config.write_text(CONFIG.format(socket=self.socket, port=self.port, backend=BACKEND, servers=lines))
        self.servers = list(servers)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Balancer":
        self.process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return self

    def wait_all_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self.all_up():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"haproxy did not see {self.servers} UP within {START_TIMEOUT}s")
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        processes.stop(self.process)

    def stats(self) -> list[dict]:
        if not self.socket.exists():
            return []
        with socket.socket(socket.AF_UNIX) as connection:
            connection.settimeout(10)
            connection.connect(str(self.socket))
            connection.sendall(b"show stat\n")
            data = b"".join(iter(lambda: connection.recv(65536), b""))
        return list(csv.DictReader(data.decode().lstrip("# ").splitlines()))

    def all_up(self) -> bool:
        status = {row["svname"]: row["status"] for row in self.stats() if row["pxname"] == BACKEND}
        return all(status.get(server, "").startswith("UP") for server in self.servers)

    def frontend_errors(self) -> int:
        """Responses of status 5xx HAProxy sent to clients."""
        return sum(int(row["hrsp_5xx"] or 0) for row in self.stats() if row["svname"] == "FRONTEND")

    def drain_command(self, helper: Path) -> list[str]:
        """The drain and undrain hooks' argv, for the inventory; the action is appended."""
        return ["{{ ansible_playbook_python }}", str(helper), str(self.socket), BACKEND + "/{{ inventory_hostname }}"]


class PushPullLoop(threading.Thread):
    """Pushes a new small image through `address` and pulls it back, again and again until stopped."""

    def __init__(self, address: str, work: Path) -> None:
        super().__init__(daemon=True)
        self.address = address
        self.work = work
        self.stop_event = threading.Event()
        self.iterations = 0
        self.failures: list[str] = []

    def run(self) -> None:
        deadline = time.monotonic() + LOOP_LIMIT
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            source = oci.write_image(self.work / f"source-{self.iterations}", "v1", (256 * 1024,))
            remote = f"docker://{self.address}/loop/app:{self.iterations}"
            pulled = f"oci:{self.work / 'pulled'}:{self.iterations}"
            try:
                registry.skopeo("copy", "--dest-tls-verify=false", source.reference, remote)
                registry.skopeo("copy", "--src-tls-verify=false", "--preserve-digests", remote, pulled)
            except AssertionError as error:
                self.failures.append(str(error))
            self.iterations += 1

    def __enter__(self) -> "PushPullLoop":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.join(timeout=LOOP_LIMIT)
