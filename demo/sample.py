"""A sample image pushed through the demo's registry with skopeo and pulled back, byte for byte."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys

from tools.oci import write_image

from .paths import STATE

IMAGE_DIR = STATE / "image"
PULLED_DIR = STATE / "pulled"
LAYER_BYTES = 4 * 1024 * 1024
REFERENCE = "demo/hello:v1"
SKOPEO_TIMEOUT = 300


def skopeo_copy(source: str, destination: str) -> None:
    command = ["skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false", source, destination]
    subprocess.run(command, check=True, timeout=SKOPEO_TIMEOUT)


def push_and_pull(registry: str) -> str:
    """Pushes the sample (generated once, so a re-run pushes the same image) and pulls it back; returns its name."""
    if not (IMAGE_DIR / "index.json").exists():
        shutil.rmtree(IMAGE_DIR, ignore_errors=True)
        write_image(IMAGE_DIR, "v1", (LAYER_BYTES,))
    remote = f"{registry}/{REFERENCE}"
    print(f"Pushing a sample image to {remote} with skopeo ...")
    skopeo_copy(f"oci:{IMAGE_DIR}:v1", f"docker://{remote}")
    shutil.rmtree(PULLED_DIR, ignore_errors=True)
    print(f"Pulling it back into {PULLED_DIR} ...")
    skopeo_copy(f"docker://{remote}", f"oci:{PULLED_DIR}:v1")
    pushed = sorted(path.name for path in (IMAGE_DIR / "blobs" / "sha256").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(
        IMAGE_DIR / "blobs" / "sha256", PULLED_DIR / "blobs" / "sha256", pushed, shallow=False
    )
    if mismatch or errors:
        sys.exit(f"The pulled image differs from the pushed one: {mismatch + errors}")
    print(f"Pulled back byte for byte: {len(match)} blobs.")
    return remote
