"""Run a playbook and fail when its output contains a secret: the root SecretKey, or one of a key the play created.

The play's key-creating tasks write every new key to YAML files (secret_id, secret_key) under --work, which is how
the secrets to look for are known. Nothing printed here contains a secret: findings name the file and the line.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.secret_scan import Scan

ROLES = ("cam_user", "cam_policy", "cam_access_key", "registry_least_privilege")
# Keys the roles create, each written to its own file: one in cam_user, four in cam_access_key, one for the registry.
MIN_CREATED_KEYS = 6
PLAYBOOK_TIMEOUT = 1800


def created_keys(work: Path) -> dict:
    """secret_id -> (secret_key, file) for every key file the play wrote."""
    keys = {}
    for path in sorted(work.rglob("*.yml")):
        content = yaml.safe_load(path.read_text())
        if isinstance(content, dict) and str(content.get("secret_id", "")).startswith("AKID"):
            keys[content["secret_id"]] = (content["secret_key"], path.relative_to(work))
    return keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    run = subprocess.run(command, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, check=False)
    log = run.stdout + run.stderr
    (args.work / "ansible.log").write_text(log)

    root_secret = yaml.safe_load(args.config.read_text())["tencentcloud_secret_key"]
    keys = created_keys(args.work)
    secrets = {root_secret: "the root SecretKey"}
    secrets.update({secret: f"the SecretKey of {key_id} ({path})" for key_id, (secret, path) in keys.items()})
    problems = Scan(secrets).text("the -vvv output", log)
    if run.returncode != 0:
        problems.append(f"the playbook failed with {run.returncode}; its output is in {args.work / 'ansible.log'}")
    if len(keys) < MIN_CREATED_KEYS:
        problems.append(f"only {len(keys)} created keys were found, at least {MIN_CREATED_KEYS} were expected")
    problems += [f"no task of role {role} is in the output" for role in ROLES if f"TASK [{role} : " not in log]
    if "<127.0.0.1> EXEC" not in log and "ESTABLISH LOCAL CONNECTION" not in log:
        problems.append("the output does not look like a -vvv run")

    print(f"scanned {len(log.splitlines())} lines of -vvv output for {len(secrets)} secrets")
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems:
        print("\n".join(scrub(log, secrets).splitlines()[-60:]))
    return 1 if problems else 0


def scrub(text: str, secrets: dict) -> str:
    for secret in secrets:
        text = text.replace(secret, "********")
    return text


if __name__ == "__main__":
    sys.exit(main())
