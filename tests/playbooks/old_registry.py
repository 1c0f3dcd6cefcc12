"""The registry a migration moves away from: Debian's docker-registry with the filesystem driver, run detached from
whoever starts it (as a service would be), so that the playbook's read-only command can replace it. As a program,
`python -m tests.playbooks.old_registry STATE_DIR readonly` (the repository on PYTHONPATH) is that command: it stops the registry and starts it again read-only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.support import processes

BINARY = "/usr/bin/docker-registry"
# Bounds of waits for the port to close and open, never asserted on.
PORT_TIMEOUT = 60


def write_config(state: Path, port: int) -> None:
    """config.yml (JSON is YAML) with the storage under STATE/data, serving on 127.0.0.1:port. Its catalog comes
    in pages of one repository, so that a reader must follow the pages."""
    config = {
        "version": 0.1,
        "catalog": {"maxentries": 1},
        "log": {"level": "info", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(data_directory(state))},
            "maintenance": {"uploadpurging": {"enabled": False}, "readonly": {"enabled": False}},
        },
        "http": {"addr": f"127.0.0.1:{port}", "secret": os.urandom(16).hex()},
    }
    state.mkdir(parents=True, exist_ok=True)
    (state / "config.yml").write_text(json.dumps(config, indent=2))


def data_directory(state: Path) -> Path:
    return state / "data"


def port(state: Path) -> int:
    return int(config(state)["http"]["addr"].rsplit(":", 1)[1])


def config(state: Path) -> dict:
    return json.loads((state / "config.yml").read_text())


def port_open(number: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", number), timeout=1):
            return True
    except OSError:
        return False


def start(state: Path) -> None:
    """The registry in a session of its own, its pid in STATE/pid; returns once it listens."""
    with (state / "registry.log").open("a") as log:
        process = subprocess.Popen(
            [BINARY, "serve", str(state / "config.yml")],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (state / "pid").write_text(str(process.pid))
    processes.wait_until(lambda: port_open(port(state)), f"docker-registry listening on {port(state)}", PORT_TIMEOUT)


def stop(state: Path) -> None:
    """Ends the registry; waits for its port to close (an unreaped process still has a pid, not a socket)."""
    try:
        os.kill(int((state / "pid").read_text()), signal.SIGTERM)
    except (FileNotFoundError, ProcessLookupError):
        return
    processes.wait_until(lambda: not port_open(port(state)), f"docker-registry closing {port(state)}", PORT_TIMEOUT)


def restart_readonly(state: Path) -> None:
    readonly = config(state)
    readonly["storage"]["maintenance"]["readonly"]["enabled"] = True
    stop(state)
    (state / "config.yml").write_text(json.dumps(readonly, indent=2))
    start(state)


if __name__ == "__main__":
    if sys.argv[2:] != ["readonly"]:
        sys.exit(f"usage: {sys.argv[0]} STATE_DIR readonly")
    restart_readonly(Path(sys.argv[1]))
