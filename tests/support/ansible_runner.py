"""Running the collection's modules, roles and playbooks from tests, against an emulator, as a user would: through
`ansible` and `ansible-playbook`, with the checkout as the collection (tests/collection_path.py links it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from emulator.session import session_environment, session_settings
from tests.collection_path import COLLECTIONS_DIR

BIN = Path(sys.executable).parent
RUN_TIMEOUT = 600
# distribution's s3 driver panics when this is set, and containers the role starts would inherit it.
UNSAFE_ENVIRONMENT = ("AWS_CA_BUNDLE",)


def ansible_environment(emulator, **extra: str) -> dict[str, str]:
    """The environment of a user whose credentials and endpoints point at the emulator (TENCENTCLOUD_*)."""
    environment = session_environment(session_settings(emulator))
    for name in UNSAFE_ENVIRONMENT:
        environment.pop(name, None)
    environment.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_PIPELINING": "true",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    environment.update(extra)
    return environment


def run_module(emulator, module: str, args: dict, check: bool = False, timeout: float = RUN_TIMEOUT) -> dict:
    """The result of `ansible localhost -m cosops.registry.<module> -a <args>` as a dict (failed or not)."""
    command = [str(BIN / "ansible"), "localhost", "-m", qualified(module), "-a", json.dumps(args)]
    if check:
        command.append("--check")
    environment = ansible_environment(
        emulator, ANSIBLE_LOAD_CALLBACK_PLUGINS="true", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"
    )
    run = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout, check=False)
    try:
        result = json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        raise AssertionError(f"{module} left no result:\n{run.stdout}\n{run.stderr}") from None
    result["output"] = run.stderr
    return result


def run_playbook(
    emulator,
    playbook: Path,
    extra_vars: dict | None = None,
    var_files: tuple[Path, ...] = (),
    options: tuple[str, ...] = (),
    verbosity: int = 0,
    inventory: Path | None = None,
    environment: dict | None = None,
    timeout: float = RUN_TIMEOUT,
) -> subprocess.CompletedProcess:
    """ansible-playbook against the emulator (on the implicit localhost unless an inventory is given); stdout and
    stderr are returned, never raised on."""
    command = [str(BIN / "ansible-playbook"), str(playbook)]
    if inventory is not None:
        command += ["-i", str(inventory)]
    for var_file in var_files:
        command += ["-e", f"@{var_file}"]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    command += options
    if verbosity:
        command.append("-" + "v" * verbosity)
    return subprocess.run(
        command,
        env=ansible_environment(emulator, **(environment or {})),
        cwd=playbook.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def qualified(module: str) -> str:
    return module if "." in module else f"cosops.registry.{module}"
