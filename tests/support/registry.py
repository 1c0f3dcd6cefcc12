"""A registry run as a local process with a given config - Debian's docker-registry (distribution 2.8.2, the registry:2
code) or distribution v3 built from its Go module (the registry:3 code) - and skopeo to push and pull through it."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import requests
import yaml

from tests.support import processes

REGISTRY_BINARY = "/usr/bin/docker-registry"
START_TIMEOUT = 60
SKOPEO_TIMEOUT = 300
GC_TIMEOUT = 300
# distribution 2.8's s3 driver panics at start (LoadCustomCABundleError) when AWS_CA_BUNDLE is set; a proxy from the
# machine's environment would take the storage requests away from the emulator.
UNSAFE_ENVIRONMENT = ("AWS_CA_BUNDLE", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy")
# distribution's access log (combined log format): request, status, bytes of the body sent, referer, user agent.
ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) (?P<size>\S+) "[^"]*" "(?P<agent>[^"]*)"'
)
BLOB_READ = re.compile(r"^/v2/.+/blobs/sha256:[0-9a-f]{64}$")


@functools.cache
def registry_binary(version: int = 2) -> str:
    """The registry program of a distribution generation: 2 (registry:2) or 3 (registry:3)."""
    if version == 2:
        return REGISTRY_BINARY
    if version == 3:
        return processes.go_program("registry")
    raise ValueError(f"no registry binary for distribution {version}")


def cos_endpoint(region: str) -> str:
    """COS's real S3 endpoint name (HTTP). With virtual-host addressing the s3 driver of distribution 3 sends
    <bucket>.cos.<region>.myqcloud.com, a name this machine cannot resolve: run it with `proxy=` the emulator."""
    return f"http://cos.{region}.myqcloud.com"


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
    """The `storage:` section for the s3 driver pointed at a COS-compatible endpoint, SigV4. distribution 2 always
    addresses the bucket path-style; give distribution 3 `forcepathstyle=False` for virtual-host addressing."""
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


def emulated_s3_storage(
    version: int, emulator_url: str, bucket: str, region: str, key: tuple[str, str], rootdirectory: str = ""
) -> tuple[dict, str | None]:
    """(storage section, proxy) for a registry of distribution `version` on the emulator, addressed as on COS:
    registry:3 by virtual host through COS's endpoint name with the emulator as its proxy (new buckets), registry:2
    path-style at the emulator's address (the only way it can, so only buckets that accept path style)."""
    if version >= 3:
        storage = s3_storage(cos_endpoint(region), bucket, region, *key, rootdirectory, forcepathstyle=False)
        return storage, emulator_url
    return s3_storage(emulator_url, bucket, region, *key, rootdirectory), None


def registry_config(
    storage: dict,
    port: int,
    redirect: bool = True,
    http_secret: str | None = None,
    cache: str = "",
    access_log: bool = False,
) -> dict:
    """A complete registry config.yml (as a dict) serving on 127.0.0.1:port with the given storage section.
    cache: the blob descriptor cache (inmemory, as the role renders by default), none when empty."""
    storage = {
        **storage,
        "delete": {"enabled": True},
        "redirect": {"disable": not redirect},
        "maintenance": {"uploadpurging": {"enabled": False}},
    }
    if cache:
        storage["cache"] = {"blobdescriptor": cache}
    return {
        "version": 0.1,
        "log": {"level": "info", "accesslog": {"disabled": not access_log}},
        "storage": storage,
        "http": {"addr": f"127.0.0.1:{port}", "secret": http_secret or secrets.token_hex(16)},
    }


def registry_environment(ca_file: str | None = None, proxy: str | None = None) -> dict[str, str]:
    """The environment for the registry and skopeo; ca_file: a CA to trust (Go reads SSL_CERT_FILE); proxy: an HTTP
    proxy for every request (Go then sends absolute-form requests, which the emulator serves by their Host)."""
    environment = {name: value for name, value in os.environ.items() if name not in UNSAFE_ENVIRONMENT}
    # Static keys are given; never let the AWS SDK look for instance credentials off this machine.
    environment["AWS_EC2_METADATA_DISABLED"] = "true"
    # distribution 3 exports traces to localhost:4318 unless told not to, and logs every failed export.
    environment["OTEL_TRACES_EXPORTER"] = "none"
    if ca_file:
        environment["SSL_CERT_FILE"] = ca_file
    if proxy:
        environment["HTTP_PROXY"] = proxy
    return environment


def access_entry(line: str) -> re.Match | None:
    """The request of an access log line of a registry's output; None for its other lines (they carry `level=`)."""
    access = ACCESS_LINE.search(line)
    return access if access and "level=" not in line else None


def access_log(text: str) -> list[re.Match]:
    return [access for access in map(access_entry, text.splitlines()) if access]


@dataclass(frozen=True)
class Served:
    """What a registry's access log says it answered: blob GETs, how many of them it redirected (307), and the bytes
    of every response body it sent."""

    blob_gets: int
    redirected: int
    body_bytes: int


def served(text: str) -> Served:
    lines = list(access_log(text))
    blob_gets = [line for line in lines if line["method"] == "GET" and BLOB_READ.match(line["path"])]
    return Served(
        blob_gets=len(blob_gets),
        redirected=sum(line["status"] == "307" for line in blob_gets),
        body_bytes=sum(int(line["size"]) for line in lines if line["size"].isdigit()),
    )


@dataclass
class RunningRegistry:
    url: str
    host: str
    config_path: Path
    log_path: Path
    process: subprocess.Popen
    binary: str = REGISTRY_BINARY
    environment: dict[str, str] = field(default_factory=registry_environment, repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def garbage_collect(self, delete_untagged: bool = True) -> subprocess.CompletedProcess:
        """The binary's own garbage collector on the same config and storage, while the registry keeps serving."""
        command = [self.binary, "garbage-collect", *(["--delete-untagged"] if delete_untagged else [])]
        return subprocess.run(
            [*command, str(self.config_path)],
            capture_output=True,
            text=True,
            timeout=GC_TIMEOUT,
            check=False,
            env=self.environment,
        )


@contextlib.contextmanager
def run_registry(
    config: dict, directory: Path, ca_file: str | None = None, version: int = 2, proxy: str | None = None
) -> Iterator[RunningRegistry]:
    """The registry of distribution `version` (2 or 3) serving with `config` until the block ends; its config and log
    live under `directory`. ca_file: a CA the registry trusts for its storage endpoint (the emulator's under --tls);
    proxy: where its storage requests go (the emulator, for virtual-host names this machine cannot resolve)."""
    directory.mkdir(parents=True, exist_ok=True)
    config_path, log_path = directory / "config.yml", directory / "registry.log"
    config_path.write_text(yaml.safe_dump(config))
    config_path.chmod(0o600)
    host = config["http"]["addr"]
    binary, environment = registry_binary(version), registry_environment(ca_file, proxy)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [binary, "serve", str(config_path)], stdout=log, stderr=subprocess.STDOUT, env=environment
        )
    registry = RunningRegistry(f"http://{host}", host, config_path, log_path, process, binary, environment)
    try:
        address, port = host.rsplit(":", 1)
        processes.wait_for_port(address, int(port), START_TIMEOUT, process)
        requests.get(f"{registry.url}/v2/", timeout=30).raise_for_status()
        yield registry
    finally:
        processes.stop(process)


def skopeo(*arguments: str, proxy: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """skopeo with the given arguments; raises with its output when it fails, unless check is false.
    proxy: its HTTP proxy, the way a client reaches the bucket's virtual-host name a registry redirects blob downloads
    to (Go never proxies loopback addresses, so the registry itself is still reached directly)."""
    result = subprocess.run(
        [shutil.which("skopeo") or "skopeo", *arguments],
        capture_output=True,
        text=True,
        timeout=SKOPEO_TIMEOUT,
        check=False,
        env=registry_environment(proxy=proxy),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"skopeo {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def push(source: str, registry: RunningRegistry, repository: str) -> None:
    """Copies e.g. `oci:DIR:tag` to `<registry>/<repository>` (repository includes the tag)."""
    skopeo("copy", "--dest-tls-verify=false", source, f"docker://{registry.host}/{repository}")


def pull(registry: RunningRegistry, repository: str, destination: str, proxy: str | None = None) -> None:
    """Copies `<registry>/<repository>` to e.g. `oci:DIR:tag`, keeping every digest; proxy as for skopeo()."""
    pull_from(registry.host, repository, destination, proxy)


def pull_from(address: str, repository: str, destination: str, proxy: str | None = None, check: bool = True):
    """skopeo's pull of `<address>/<repository>` into e.g. `oci:DIR:tag`, keeping every digest."""
    return skopeo(
        "copy",
        "--src-tls-verify=false",
        "--preserve-digests",
        f"docker://{address}/{repository}",
        destination,
        proxy=proxy,
        check=check,
    )
