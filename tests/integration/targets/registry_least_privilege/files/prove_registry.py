"""Run the real registry on COS with a sub-user key, push, pull and delete an image, then probe what the key may not do.

Usage: prove_registry.py --config integration_config.yml --key-file key.yml --bucket B --root R --workdir DIR

The key's secret is read from --key-file and written only to the registry's config (mode 0600); nothing printed
contains it. Prints one JSON object with the findings; exits non-zero when any of them is not as required.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from qcloud_cos.cos_exception import CosServiceError

from emulator.clients import cos_client

REGISTRY = "/usr/bin/docker-registry"
REPOSITORY = "least-privilege/app"
TAG = "v1"
# Larger than the s3 driver's 5 MiB chunk, so the blob goes up as a real multipart upload.
LAYER_BYTES = 12 * 1024 * 1024
START_TIMEOUT = 60
COMMAND_TIMEOUT = 300
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
# An object of someone else's in the same bucket, which the registry's key must not read.
OUTSIDE_KEY = "outside/kept"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_blob(layout: Path, data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def make_image(layout: Path) -> str:
    """An OCI layout with one random gzip layer; returns the manifest digest."""
    (layout / "blobs" / "sha256").mkdir(parents=True)
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    raw = os.urandom(LAYER_BYTES)
    layer = write_blob(layout, gzip.compress(raw, compresslevel=1))
    config = write_blob(
        layout,
        json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": [f"sha256:{hashlib.sha256(raw).hexdigest()}"]},
            }
        ).encode(),
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
        "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")],
    }
    described = write_blob(layout, json.dumps(manifest).encode())
    index = {
        "schemaVersion": 2,
        "manifests": [dict(described, mediaType=OCI_MANIFEST, annotations={"org.opencontainers.image.ref.name": TAG})],
    }
    (layout / "index.json").write_text(json.dumps(index))
    return described["digest"]


def registry_config(settings: dict, key: dict, bucket: str, root: str, port: int) -> dict:
    return {
        "version": 0.1,
        "log": {"level": "info", "formatter": "text"},
        "http": {"addr": f"127.0.0.1:{port}", "secret": secrets.token_hex(16)},
        "storage": {
            "s3": {
                "accesskey": key["secret_id"],
                "secretkey": key["secret_key"],
                "region": settings["tencentcloud_region"],
                "regionendpoint": settings["emulator_url"],
                "bucket": bucket,
                "rootdirectory": f"/{root}",
                "secure": False,
                "v4auth": True,
                "chunksize": 5 * 1024 * 1024,
            },
            "delete": {"enabled": True},
            "redirect": {"disable": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
    }


def start_registry(config_path: Path, log_path: Path, port: int) -> subprocess.Popen:
    """docker-registry without AWS_CA_BUNDLE (its s3 driver panics on it), up once /v2/ answers."""
    environment = {name: value for name, value in os.environ.items() if name != "AWS_CA_BUNDLE"}
    with log_path.open("wb") as log:
        process = subprocess.Popen([REGISTRY, "serve", str(config_path)], stdout=log, stderr=log, env=environment)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the registry exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=5):
                return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the registry did not answer within {START_TIMEOUT} seconds")


def skopeo(*args: str) -> None:
    subprocess.run(["skopeo", *args], check=True, capture_output=True, timeout=COMMAND_TIMEOUT)


def same_blobs(source: Path, copy: Path) -> bool:
    """Every blob of the source layout is in the copy, byte for byte."""
    blobs = sorted((source / "blobs" / "sha256").iterdir())
    return bool(blobs) and all(
        (copy / "blobs" / "sha256" / blob.name).is_file()
        and (copy / "blobs" / "sha256" / blob.name).read_bytes() == blob.read_bytes()
        for blob in blobs
    )


def http_status(method: str, url: str, accept: str = OCI_MANIFEST) -> int:
    request = urllib.request.Request(url, method=method, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def cos_outcome(call) -> str:
    """'allowed', or the COS error code the call was refused with."""
    try:
        call()
    except CosServiceError as error:
        return error.get_error_code()
    return "allowed"


LIFECYCLE = {"Rule": [{"ID": "expire-all", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]}


def probe_key(cos, bucket: str, root: str) -> dict:
    """What the registry's key may do with COS outside of the registry's own operations."""
    return {
        "put_inside_root": cos_outcome(lambda: cos.put_object(Bucket=bucket, Key=f"{root}/probe", Body=b"x")),
        "delete_inside_root": cos_outcome(lambda: cos.delete_object(Bucket=bucket, Key=f"{root}/probe")),
        "put_outside_root": cos_outcome(lambda: cos.put_object(Bucket=bucket, Key="outside/probe", Body=b"x")),
        "put_beside_root": cos_outcome(lambda: cos.put_object(Bucket=bucket, Key=f"{root}-other/probe", Body=b"x")),
        "read_outside_root": cos_outcome(lambda: cos.get_object(Bucket=bucket, Key=OUTSIDE_KEY)),
        "list_whole_bucket": cos_outcome(lambda: cos.list_objects(Bucket=bucket, Prefix="")),
        "put_bucket_lifecycle": cos_outcome(
            lambda: cos.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration=LIFECYCLE)
        ),
        "put_bucket_acl": cos_outcome(lambda: cos.put_bucket_acl(Bucket=bucket, ACL="public-read")),
        "delete_bucket": cos_outcome(lambda: cos.delete_bucket(Bucket=bucket)),
    }


EXPECTED_PROBES = {
    "put_inside_root": "allowed",
    "delete_inside_root": "allowed",
    "put_outside_root": "AccessDenied",
    "put_beside_root": "AccessDenied",
    "read_outside_root": "AccessDenied",
    "list_whole_bucket": "AccessDenied",
    "put_bucket_lifecycle": "AccessDenied",
    "put_bucket_acl": "AccessDenied",
    "delete_bucket": "AccessDenied",
}


def root_client(settings: dict):
    return cos_client(settings["emulator_url"], settings["tencentcloud_secret_id"], settings["tencentcloud_secret_key"])


def stored_keys(settings: dict, bucket: str) -> list:
    """Every key in the bucket, read with the root account."""
    return [item["Key"] for item in root_client(settings).list_objects(Bucket=bucket, MaxKeys=1000).get("Contents", [])]


def prove(args: argparse.Namespace, workdir: Path) -> dict:
    settings = yaml.safe_load(Path(args.config).read_text())
    key = yaml.safe_load(Path(args.key_file).read_text())
    port = free_port()
    config_path = workdir / "config.yml"
    config_path.touch(mode=0o600)
    config_path.write_text(yaml.safe_dump(registry_config(settings, key, args.bucket, args.root, port)))
    source, pulled = workdir / "source", workdir / "pulled"
    digest = make_image(source)
    root_client(settings).put_object(Bucket=args.bucket, Key=OUTSIDE_KEY, Body=b"not the registry's")
    findings = {}
    registry = start_registry(config_path, workdir / "registry.log", port)
    try:
        reference = f"docker://127.0.0.1:{port}/{REPOSITORY}:{TAG}"
        skopeo("copy", "--dest-tls-verify=false", f"oci:{source}:{TAG}", reference)
        skopeo("copy", "--src-tls-verify=false", reference, f"oci:{pulled}:{TAG}")
        findings["pulled_byte_identical"] = same_blobs(source, pulled)
        manifest_url = f"http://127.0.0.1:{port}/v2/{REPOSITORY}/manifests/{digest}"
        findings["manifest_before_delete"] = http_status("HEAD", manifest_url)
        findings["manifest_delete"] = http_status("DELETE", manifest_url)
        findings["manifest_after_delete"] = http_status("HEAD", manifest_url)
        keys = stored_keys(settings, args.bucket)
        findings["objects_under_root"] = sum(1 for key in keys if key.startswith(f"{args.root}/"))
        findings["objects_elsewhere"] = [key for key in keys if not key.startswith(f"{args.root}/")]
    finally:
        registry.terminate()
        registry.wait(timeout=30)
    cos = cos_client(settings["emulator_url"], key["secret_id"], key["secret_key"], settings["tencentcloud_region"])
    findings["probes"] = probe_key(cos, args.bucket, args.root)
    return findings


def verdict(findings: dict) -> list:
    """What is not as required; empty when the proof holds."""
    problems = [name for name, wanted in EXPECTED_PROBES.items() if findings["probes"].get(name) != wanted]
    if not findings.get("pulled_byte_identical"):
        problems.append("pulled_byte_identical")
    if (findings.get("manifest_before_delete"), findings.get("manifest_delete")) != (200, 202):
        problems.append("manifest_delete")
    if findings.get("manifest_after_delete") != 404:
        problems.append("manifest_after_delete")
    if findings.get("objects_under_root", 0) <= 0:
        problems.append("objects_under_root")
    if findings.get("objects_elsewhere") != [OUTSIDE_KEY]:
        problems.append("objects_elsewhere")
    return problems


def log_tail(path: Path, lines: int = 20) -> list:
    return path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []


def describe_failure(error: Exception) -> str:
    stderr = getattr(error, "stderr", None)
    if isinstance(stderr, bytes):
        return f"{error}: {stderr.decode(errors='replace').strip()[-2000:]}"
    return str(error)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(mode=0o700, parents=True)
    try:
        findings = prove(args, workdir)
    except (RuntimeError, subprocess.SubprocessError, OSError, CosServiceError) as error:
        print(json.dumps({"error": describe_failure(error), "registry_log": log_tail(workdir / "registry.log")}))
        return 1
    findings["problems"] = verdict(findings)
    print(json.dumps(findings, sort_keys=True))
    return 1 if findings["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
