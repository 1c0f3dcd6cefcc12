"""Pushing, pulling and deleting images through the deployed registry (skopeo and the registry's HTTP API, with the
htpasswd user), and garbage collection inside its container."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import requests

from tests.support.registry import skopeo
from tools import oci

MANIFEST_ACCEPT = f"{oci.MANIFEST_TYPE}, application/vnd.docker.distribution.manifest.v2+json"
HTTP_TIMEOUT = 30
GC_TIMEOUT = 300


def push(deployment, image: oci.OciImage, repository: str) -> None:
    skopeo(
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds",
        deployment.credentials,
        image.reference,
        f"docker://{deployment.address()}/{repository}:{image.tag}",
    )


def pull(deployment, repository: str, tag: str, layout: Path) -> oci.OciImage:
    skopeo(
        "copy",
        "--src-tls-verify=false",
        "--src-creds",
        deployment.credentials,
        "--preserve-digests",
        f"docker://{deployment.address()}/{repository}:{tag}",
        f"oci:{layout}:{tag}",
    )
    return oci.read_image(layout, tag)


def same_image(pushed: oci.OciImage, pulled: oci.OciImage) -> bool:
    """Same digests, and every pulled blob hashes to its digest."""
    blobs_intact = all(
        "sha256:" + hashlib.sha256(pulled.blob(digest)).hexdigest() == digest for digest in pulled.digests
    )
    return pushed.digests == pulled.digests and blobs_intact


def api(deployment, method: str, path: str) -> requests.Response:
    user, password = deployment.credentials.split(":", 1)
    return requests.request(
        method,
        f"{deployment.url()}/v2/{path}",
        auth=(user, password),
        headers={"Accept": MANIFEST_ACCEPT},
        timeout=HTTP_TIMEOUT,
    )


def delete_manifest(deployment, repository: str, digest: str) -> int:
    return api(deployment, "DELETE", f"{repository}/manifests/{digest}").status_code


def manifest_status(deployment, repository: str, reference: str) -> int:
    return api(deployment, "HEAD", f"{repository}/manifests/{reference}").status_code


def garbage_collect(deployment) -> subprocess.CompletedProcess:
    """The registry's own garbage collector, in its container, with its config and key."""
    return subprocess.run(
        [
            "docker",
            "exec",
            deployment.container(),
            "/bin/registry",
            "garbage-collect",
            "--delete-untagged",
            "/etc/docker/registry/config.yml",
        ],
        capture_output=True,
        text=True,
        timeout=GC_TIMEOUT,
        check=False,
    )
