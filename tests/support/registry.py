"""Debian's docker-registry (distribution 2.8.2, the registry:2 code) run as a local process with a given config,
and skopeo to push and pull through it."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import requests
import yaml

from tests.support import processes

REGISTRY_BINARY = "/usr/bin/docker-registry"
START_TIMEOUT = 60
SKOPEO_TIMEOUT = 300
# distribution 2.8's s3 driver panics at start (LoadCustomCABundleError) when AWS_CA_BUNDLE is set.
UNSAFE_ENVIRONMENT = ("AWS_CA_BUNDLE",)


def s3_storage(
    endpoint: str,
    bucket: str,
    region: str,
    access_key: str,
    secret_key: str,
    rootdirectory: str = "",
    chunksize: int = 5 * 1024 * 1024,
    **options,
) -> dict:
    """The `storage:` section for the s3 driver pointed at a COS-compatible endpoint (path-style, SigV4)."""
    s3 = {
        "accesskey": access_key,
        "secretkey": secret_key,
        "region": region,
        "regionendpoint": endpoint,
        "bucket": bucket,
        "secure": endpoint.startswith("https://"),
        "v4auth": True,
        "chunksize": chunksize,
        **options,
    }
    if rootdirectory:
        s3["rootdirectory"] = rootdirectory
    return {"s3": s3}


def registry_config(storage: dict, port: int, redirect: bool = True, http_secret: str | None = None) -> dict:
    """A complete registry config.yml (as a dict) serving on 127.0.0.1:port with the given storage section."""
    return {
        "version": 0.1,
        "log": {"level": "info", "accesslog": {"disabled": True}},
        "storage": {
            **storage,
            "delete": {"enabled": True},
            "redirect": {"disable": not redirect},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {"addr": f"127.0.0.1:{port}", "secret": http_secret or secrets.token_hex(16)},
    }


def registry_environment(ca_file: str | None = None) -> dict[str, str]:
    """The environment for the registry and skopeo; ca_file: a CA to trust (Go reads SSL_CERT_FILE)."""
    environment = {name: value for name, value in os.environ.items() if name not in UNSAFE_ENVIRONMENT}
    # Static keys are given; never let the AWS SDK look for instance credentials off this machine.
    environment["AWS_EC2_METADATA_DISABLED"] = "true"
    if ca_file:
        environment["SSL_CERT_FILE"] = ca_file
    return environment


@dataclass
class RunningRegistry:
    url: str
    host: str
    config_path: Path
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def run_registry(config: dict, directory: Path, ca_file: str | None = None) -> Iterator[RunningRegistry]:
    """docker-registry serving with `config` until the block ends; its config and log live under `directory`.
    ca_file: a CA the registry trusts for its storage endpoint (the emulator's under --tls)."""
    directory.mkdir(parents=True, exist_ok=True)
    config_path, log_path = directory / "config.yml", directory / "registry.log"
    config_path.write_text(yaml.safe_dump(config))
    config_path.chmod(0o600)
    host = config["http"]["addr"]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [REGISTRY_BINARY, "serve", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=registry_environment(ca_file),
        )
    registry = RunningRegistry(f"http://{host}", host, config_path, log_path, process)
    try:
        address, port = host.rsplit(":", 1)
        processes.wait_for_port(address, int(port), START_TIMEOUT, process)
        requests.get(f"{registry.url}/v2/", timeout=30).raise_for_status()
        yield registry
    finally:
        processes.stop(process)


def skopeo(*arguments: str) -> subprocess.CompletedProcess:
    """skopeo with the given arguments; raises with its output when it fails."""
    result = subprocess.run(
        [shutil.which("skopeo") or "skopeo", *arguments],
        capture_output=True,
        text=True,
        timeout=SKOPEO_TIMEOUT,
        check=False,
        env=registry_environment(),
    )
    if result.returncode != 0:
        raise AssertionError(f"skopeo {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def push(source: str, registry: RunningRegistry, repository: str) -> None:
    """Copies e.g. `oci:DIR:tag` to `<registry>/<repository>` (repository includes the tag)."""
    skopeo("copy", "--dest-tls-verify=false", source, f"docker://{registry.host}/{repository}")


def pull(registry: RunningRegistry, repository: str, destination: str) -> None:
    """Copies `<registry>/<repository>` to e.g. `oci:DIR:tag`, keeping every digest."""
    skopeo(
        "copy", "--src-tls-verify=false", "--preserve-digests", f"docker://{registry.host}/{repository}", destination
    )
