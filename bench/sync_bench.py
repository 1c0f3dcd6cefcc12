"""registry_storage_sync against rclone: `make bench`, after bench/storage_bench.py.

Writes one registry tree in the filesystem driver's layout (thousands of small links and manifests, blobs of mixed
sizes, a few above 64 MiB), then copies it into a fresh emulator (its own process) twice with each tool, each into a
bucket of its own: a first copy into the empty bucket and a re-run that finds everything there. Each run is a child
process, so its peak RSS is its own (wait4); the emulator counts its requests. The figures go to
docs/figures/storage-sync.md. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.storage_bench import (
    MB,
    MIB,
    REGION,
    ROOT,
    RunningEmulator,
    collection_on_path,
    credentials,
    machine,
    make_driver,
    run_child,
)

CHUNK_SIZE = 16 * MIB
TRANSFERS = 10
TOOLS = ("sync", "rclone")
APPID = "1250000000"
LABELS = {
    "sync": "registry_storage_sync (every blob's sha256 verified, one flat listing of the target)",
    "rclone": "rclone copy, s3 provider TencentCOS",
}
RUNS = ("first copy", "re-run, nothing changed")
MODULE = "ansible_collections.cosops.registry.plugins.modules.registry_storage_sync"
# rclone's settings matched to the module's: parts of CHUNK_SIZE, TRANSFERS objects or parts in flight.
RCLONE_OPTIONS = (
    f"--transfers={TRANSFERS}",
    f"--checkers={TRANSFERS}",
    f"--s3-chunk-size={CHUNK_SIZE // MIB}M",
    f"--s3-upload-cutoff={CHUNK_SIZE // MIB}M",
    f"--s3-upload-concurrency={TRANSFERS}",
)


@dataclass(frozen=True)
class Shape:
    """The tree: repositories x tags, each tag a manifest over shared layers."""

    repositories: int = 40
    tags: int = 10
    layers_per_tag: int = 3
    small_layers: int = 300
    medium_layers: int = 20
    large_layers: int = 3


def write_blob(root: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = root / "docker/registry/v2/blobs/sha256" / digest[:2] / digest / "data"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"sha256:{digest}"


def write_link(root: Path, repository: str, relative: str, digest: str) -> None:
    path = root / "docker/registry/v2/repositories" / repository / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(digest)


def layer_sizes(shape: Shape, rng: random.Random) -> list[int]:
    small = [rng.randint(4 * 1024, 256 * 1024) for _layer in range(shape.small_layers)]
    medium = [rng.randint(1 * MIB, 12 * MIB) for _layer in range(shape.medium_layers)]
    large = [65 * MIB + index * 3 * MIB for index in range(shape.large_layers)]
    return small + medium + large


def write_tree(root: Path, shape: Shape) -> dict:
    """The registry tree under root; returns its objects and bytes."""
    rng = random.Random(0)
    layers = [write_blob(root, os.urandom(size)) for size in layer_sizes(shape, rng)]
    for number in range(shape.repositories):
        repository = f"team-{number % 8}/app-{number}"
        for tag in range(shape.tags):
            used = rng.sample(layers, shape.layers_per_tag)
            manifest = json.dumps({"schemaVersion": 2, "layers": used, "tag": f"{repository}:{tag}"}).encode()
            digest = write_blob(root, manifest)
            for layer in used:
                write_link(root, repository, f"_layers/sha256/{layer[7:]}/link", layer)
            write_link(root, repository, f"_manifests/revisions/sha256/{digest[7:]}/link", digest)
            write_link(root, repository, f"_manifests/tags/v{tag}/current/link", digest)
            write_link(root, repository, f"_manifests/tags/v{tag}/index/sha256/{digest[7:]}/link", digest)
    files = [path for path in root.rglob("*") if path.is_file()]
    return {"objects": len(files), "bytes": sum(path.stat().st_size for path in files), "large": shape.large_layers}


# The two copies, each a child process.


def bucket(tool: str, round_number: int) -> str:
    return f"{tool}{round_number}-{APPID}"


def sync_command(url: str, tree: Path, target: str, work: Path) -> tuple[list[str], dict]:
    """The module's own process, as `ansible` runs it on the host that reads the source."""
    secret_id, secret_key = credentials().values()
    arguments = {
        "secret_id": secret_id,
        "secret_key": secret_key,
        "region": REGION,
        "cos_endpoint": url,
        "src_path": str(tree),
        "bucket": target,
        "rootdirectory": "/registry",
        "chunksize": CHUNK_SIZE,
        "maxconcurrency": TRANSFERS,
    }
    file = work / f"{target}.json"
    file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": arguments}))
    from tests.collection_path import COLLECTIONS_DIR

    return [sys.executable, "-m", MODULE, str(file)], dict(os.environ, PYTHONPATH=COLLECTIONS_DIR)


def rclone_command(url: str, tree: Path, target: str) -> tuple[list[str], dict]:
    """rclone addresses the bucket by virtual host under COS's endpoint name, as on COS; the emulator is its HTTP
    proxy, so the names <bucket>.cos.<region>.myqcloud.com need no DNS."""
    from emulator.session import named_url
    from tests.support.registry import registry_environment

    secret_id, secret_key = credentials().values()
    remote = {
        "TYPE": "s3",
        "PROVIDER": "TencentCOS",
        "ACCESS_KEY_ID": secret_id,
        "SECRET_ACCESS_KEY": secret_key,
        "ENDPOINT": named_url(url),
        # COS checks the region a request is signed for; rclone signs for us-east-1 unless told.
        "REGION": REGION,
    }
    # Go programs on the emulator: no proxy or CA bundle from this machine (rclone, like distribution, fails on
    # AWS_CA_BUNDLE), the emulator as proxy.
    environment = registry_environment(proxy=url)
    environment.update({f"RCLONE_CONFIG_EMULATOR_{name}": value for name, value in remote.items()})
    return [shutil.which("rclone"), "copy", *RCLONE_OPTIONS, str(tree), f"emulator:{target}/registry"], environment


def measured(tool: str, command: tuple[list[str], dict], control) -> dict:
    """One run: wall seconds, peak RSS and CPU of its process, and the emulator's request counts."""
    control.clear_counters()
    started = time.monotonic()
    output, usage = run_child(tool, *command)
    seconds = time.monotonic() - started
    counters = control.counters()
    result = {"seconds": seconds, "requests": counters["total"], "operations": counters["operations"], **usage}
    if tool == "sync":
        result["verified"] = json.loads(output)["verified"]["objects"]
    return result


def copy_twice(tool: str, url: str, tree: Path, target: str, work: Path, control) -> list[dict]:
    """The first copy into the empty bucket, then the same copy again."""
    make_driver(url).api.call("create_bucket", Bucket=target)
    command = sync_command(url, tree, target, work) if tool == "sync" else rclone_command(url, tree, target)
    return [measured(tool, command, control) for _run in RUNS]


def stored(api, target: str) -> dict[str, int]:
    """Key -> size of everything in the bucket, to check that both tools copied the same tree."""
    from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import objects

    return {item["Key"]: int(item["Size"]) for item in objects(api, target)}


def run(shape: Shape, rounds: int) -> None:
    collection_on_path()
    from emulator.control import EmulatorControl
    from tests.support.figures import write_figures

    if not shutil.which("rclone"):
        raise SystemExit("rclone is not installed: `tools/system-packages.sh rclone` installs Debian's")
    runs = {tool: [] for tool in TOOLS}
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as scratch, RunningEmulator() as url:
        work = Path(scratch)
        tree = write_tree(work / "registry", shape)
        control = EmulatorControl(url)
        for round_number in range(rounds):
            # Alternate the order, so that neither tool always runs on a fuller emulator.
            for tool in TOOLS if round_number % 2 == 0 else reversed(TOOLS):
                runs[tool].append(copy_twice(tool, url, work / "registry", bucket(tool, round_number), work, control))
            copies = [stored(make_driver(url).api, bucket(tool, round_number)) for tool in TOOLS]
            if copies[0] != copies[1] or len(copies[0]) != tree["objects"]:
                raise SystemExit(f"the copies differ: {len(copies[0])} and {len(copies[1])} objects")
        version = run_child("rclone version", [shutil.which("rclone"), "version"])[0].decode().splitlines()[0]
    body = render(tree, runs, version, machine())
    print(body)
    write_figures("storage-sync", "bench/sync_bench.py (make bench)", body)


# The report.


def median(runs: list[list[dict]], index: int, figure: str) -> float:
    return statistics.median(pair[index][figure] for pair in runs)


def row(tool: str, runs: list[list[dict]], index: int, size: int) -> str:
    seconds = median(runs, index, "seconds")
    speed = f"{size / MB / seconds:.0f}" if index == 0 else "-"
    operations = runs[-1][index]["operations"]
    top = ", ".join(
        f"{name.split(':')[1]} {count:,}" for name, count in sorted(operations.items(), key=lambda x: -x[1])
    )
    return (
        f"| {LABELS[tool]} | {RUNS[index]} | {seconds:.1f} | {speed} | {median(runs, index, 'requests'):,.0f}"
        f" ({top}) | {median(runs, index, 'cpu_seconds'):.1f} | {max(pair[index]['max_rss_mib'] for pair in runs):.0f} |"
    )


def render(tree: dict, runs: dict, version: str, host: dict) -> str:
    rows = "\n".join(row(tool, runs[tool], index, tree["bytes"]) for index in range(len(RUNS)) for tool in TOOLS)
    ratios = [median(runs["rclone"], index, "seconds") / median(runs["sync"], index, "seconds") for index in (0, 1)]
    budget = CHUNK_SIZE // MIB * (TRANSFERS + 2) + 100
    rss = max(pair[index]["max_rss_mib"] for pair in runs["sync"] for index in (0, 1))
    verified = runs["sync"][-1][0]["verified"]
    return f"""## Copying a registry: registry_storage_sync against rclone

Written by `make bench` ({Path(__file__).relative_to(ROOT)}), {host["date"]}, {host["cpu"]}, {host["cores"]} cores.
One registry tree in the filesystem driver's layout, {tree["objects"]:,} objects ({tree["bytes"] / MB:,.0f} MB:
small links and manifests, blobs of mixed sizes, {tree["large"]} above 64 MiB), copied from local disk into an empty
bucket, then copied again with nothing changed; each tool into its own bucket, {len(runs["sync"])} round(s), medians
shown. Both use 16 MiB parts and {TRANSFERS} transfers: the module `chunksize={CHUNK_SIZE}`,
`maxconcurrency={TRANSFERS}`; {version} (Debian's package), provider TencentCOS, region {REGION}, addressing the
bucket by virtual host with the emulator as its HTTP proxy:

    rclone copy {" ".join(RCLONE_OPTIONS)} SOURCE REMOTE

Requests are the emulator's counts for the run; RSS and CPU are the copying process's own (`wait4`). Both copies were
checked to hold the same keys and sizes.

| tool | run | seconds | MB/s | requests (by operation) | CPU (s) | peak RSS (MiB) |
| --- | --- | ---: | ---: | --- | ---: | ---: |
{rows}

- First copy: {ratios[0]:.2f}x rclone's speed (registry_storage_sync took {1 / ratios[0]:.2f}x its time), computing
  the sha256 of all {verified:,} blobs as it read them and writing tags only after every blob and link.
- Re-run with nothing to copy: {ratios[1]:.2f}x rclone's speed; the module decides from one flat listing of the
  target; rclone lists every directory and asks for every object (HeadObject: it keeps modification times in the
  objects' metadata).
- Peak RSS of the module, {rss:.0f} MiB, against chunksize x (maxconcurrency + 2) + 100 MiB = {budget} MiB:
  {"within" if rss <= budget else "OVER"} it.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=1, help="first copy and re-run of each tool, this many times")
    parser.add_argument("--repositories", type=int, default=Shape.repositories)
    parser.add_argument("--large-layers", type=int, default=Shape.large_layers, help="blobs above 64 MiB")
    args = parser.parse_args(argv)
    shape = Shape(repositories=args.repositories, large_layers=args.large_layers)
    run(shape, args.rounds)


if __name__ == "__main__":
    main()
