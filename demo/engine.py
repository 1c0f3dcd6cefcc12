"""The container engine and the registry image for the demo: the running docker, else a dockerd started for it."""

from __future__ import annotations

import os
import subprocess

from .paths import ROOT, STATE

DOCKERD_STATE = STATE / "dockerd"
IMAGE = "registry:3"
PULL_TIMEOUT = 120
# The label tools/registry-image.sh puts on the stand-in it builds from distribution v3.
STAND_IN_LABEL = "org.cosops.registry.binary"


def dockerd_script(action: str) -> None:
    environment = dict(os.environ, DOCKERD_STATE_DIR=str(DOCKERD_STATE))
    subprocess.run([str(ROOT / "tools" / "dockerd.sh"), action], check=True, env=environment)


def docker_answers() -> bool:
    return subprocess.run(["docker", "version"], capture_output=True, check=False).returncode == 0


def ensure_docker() -> str:
    """Use the docker daemon that runs, or start one that `make demo-clean` stops again."""
    if docker_answers():
        return "docker (already running)"
    dockerd_script("start")
    return f"docker (dockerd started for the demo, log in {DOCKERD_STATE / 'dockerd.log'})"


def stop_docker() -> bool:
    """Stops dockerd only when the demo started it; True when it did."""
    if not (DOCKERD_STATE / "dockerd.pid").exists():
        return False
    dockerd_script("stop")
    return True


def image_label() -> str | None:
    """The stand-in label of the local registry:3 ('' for another image), or None when there is no such image."""
    result = subprocess.run(
        ["docker", "image", "inspect", "--format", f'{{{{ index .Config.Labels "{STAND_IN_LABEL}" }}}}', IMAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_image() -> str:
    """registry:3 as it is, pulled, or else the local stand-in; says which."""
    label = image_label()
    built = False
    if label is None:
        print(f"Pulling {IMAGE} ...")
        try:
            pulled = subprocess.run(["docker", "pull", IMAGE], check=False, timeout=PULL_TIMEOUT).returncode == 0
        except subprocess.TimeoutExpired:
            pulled = False
        if pulled:
            return f"{IMAGE}, the official image (pulled)"
        print(f"{IMAGE} cannot be pulled here; building the local stand-in.")
        subprocess.run([str(ROOT / "tools" / "registry-image.sh"), "docker", IMAGE], check=True)
        label, built = image_label(), True
    if label:
        why = "the official image cannot be pulled here" if built else f"found locally; `docker rmi {IMAGE}` to pull"
        return (
            f"{IMAGE} as a LOCAL STAND-IN built from distribution v3's Go module (the version in "
            f"tools/go-programs.env, the code of the official registry:3): {why}. Real deployments pull the "
            "official image."
        )
    return f"{IMAGE}, the official image (already present)"
