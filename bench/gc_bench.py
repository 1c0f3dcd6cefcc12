"""Garbage collection: distribution v3's `registry garbage-collect` against registry_garbage_collect: `make bench`.

One registry of at least 10,000 blobs and 1,000 manifests is written in distribution's layout into a fresh emulator
(its own process), twice, under two root directories, so that both collectors meet the same registry. The stock
collector runs as garbage_collect.yml runs it with cosops_gc_engine: stock, the registry read-only the whole time;
the module runs its mark (registry read-write) and its sweep (registry read-only, default settle time), then verifies.
Each run is a process of its own, so its peak RSS is its own (wait4); the emulator counts the requests of each. The
figures go into their section of docs/performance.md. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.storage_bench import ROOT, RunningEmulator, collection_on_path, credentials, machine, run_child

BUCKET = "gcbench-1250000000"
REGION = "ap-guangzhou"
MODULE = "ansible_collections.cosops.registry.plugins.modules.registry_garbage_collect"
SETTLE = 5.0
MAX_CONCURRENCY = 16


@dataclass(frozen=True)
class Shape:
    """repositories x tags image manifests, each with its config, `unique` layers of its own and `shared` layers of a
    common pool; every `deleted`-th manifest deleted through the API, every `moved`-th tag moved to a newer image."""

    repositories: int = 50
    tags: int = 25
    unique: int = 6
    shared: int = 2
    pool: int = 300
    deleted: int = 5
    moved: int = 7


def build(shape: Shape):
    from tests.gc.generated import SCHEMA2, Registry

    registry = Registry()
    pool = [registry.blob(f"shared layer {index}".encode() + os.urandom(64)) for index in range(shape.pool)]
    serial = 0
    for number in range(shape.repositories):
        repository = f"team-{number % 7}/app-{number}"
        for tag in range(shape.tags):
            serial += 1
            config = registry.upload(repository, json.dumps({"image": serial}).encode())
            layers = [registry.upload(repository, os.urandom(256)) for _layer in range(shape.unique)]
            for index in range(shape.shared):
                layers.append(pool[(serial * 7 + index * 13) % shape.pool])
                registry.link_layer(repository, layers[-1])
            document = {
                "schemaVersion": 2,
                "mediaType": SCHEMA2,
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": config, "size": 9},
                "layers": [{"mediaType": "application/octet-stream", "digest": d, "size": 256} for d in layers],
            }
            digest = registry.put_manifest(repository, document, [config, *layers])
            registry.tag(repository, f"v{tag // 2 if serial % shape.moved == 0 else tag}", digest)
            if serial % shape.deleted == 0:
                registry.delete_manifest(repository, digest)
    return registry


# The runs, each a process of its own.


def measured(what: str, command: tuple, control) -> dict:
    """Wall seconds, peak RSS and CPU of one process, and the emulator's request counts for it."""
    control.clear_counters()
    started = time.monotonic()
    output, usage = run_child(what, *command)
    seconds = time.monotonic() - started
    counters = control.counters()
    return {
        "seconds": seconds,
        "requests": counters["total"],
        "operations": counters["operations"],
        "output": output,
        **usage,
    }


def run_stock(storage, control) -> dict:
    """The whole stock run: the registry is read-only from its start to its end."""
    return measured("registry garbage-collect", storage.stock_command(delete_untagged=True, dry_run=False), control)


def run_module_phases(storage, control) -> dict:
    from tests.gc.support import module_command

    state = str(storage.directory / "gc-state.json")
    phases = {}
    for name, extra in (("mark", {}), ("sweep", {"settle_seconds": SETTLE}), ("verify", {})):
        arguments = storage.module_arguments(
            phase=name, state_file=state, delete_untagged=True, maxconcurrency=MAX_CONCURRENCY, **extra
        )
        phases[name] = measured(f"the module's {name}", module_command(arguments, storage.directory), control)
        phases[name]["result"] = json.loads(phases[name].pop("output"))
        if phases[name]["result"].get("failed"):
            raise SystemExit(f"the module's {name} failed: {phases[name]['result'].get('msg')}")
    return phases


def remaining(storage) -> set:
    """What is left of the registry's tree, relative to its root directory."""
    return storage.keys_now()


def run(shape: Shape) -> None:
    collection_on_path()
    from emulator.control import EmulatorControl
    from tests.gc.support import Storage
    from tests.support.figures import write_figures

    registry = build(shape)
    figures = {
        "blobs": sum(1 for path in registry.objects if path.endswith("/data")),
        "manifests": len(registry.references),
        "objects": len(registry.objects),
        "tags": len(registry.tags()),
    }
    keys = tuple(credentials().values())
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as scratch, RunningEmulator() as url:
        control = EmulatorControl(url)
        stock = Storage(url, keys, Path(scratch), BUCKET, "/stock")
        module = Storage(url, keys, Path(scratch), BUCKET, "/module")
        stock.driver.api.call("create_bucket", Bucket=BUCKET)
        started = time.monotonic()
        for storage in (stock, module):
            storage.write(registry.objects)
        figures["write_seconds"] = time.monotonic() - started
        stock_run = run_stock(stock, control)
        module_runs = run_module_phases(module, control)
        if remaining(stock) != remaining(module):
            raise SystemExit("the collectors left different registries")
        figures["remaining"] = len(remaining(module))
        version = subprocess.run(
            [stock.stock_command(False)[0][0], "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    body = render(shape, figures, stock_run, module_runs, version, machine())
    print(body)
    write_figures("garbage-collection", "bench/gc_bench.py (make bench)", body)


# The report.


def worked(run: dict) -> str:
    """The seconds the module itself reports (its process's start and imports are the rest), '-' for stock."""
    return f"{run['result']['seconds']['total']:.1f}" if "result" in run else "-"


def operations(run: dict) -> str:
    ranked = sorted(run["operations"].items(), key=lambda item: -item[1])
    return ", ".join(f"{name.split(':')[1]} {count:,}" for name, count in ranked)


def render(shape: Shape, figures: dict, stock: dict, module: dict, version: str, host: dict) -> str:
    mark, sweep, verify = module["mark"], module["sweep"], module["verify"]
    collection = mark["seconds"] + sweep["seconds"]
    read_only_ratio = stock["seconds"] / sweep["seconds"]
    speed_ratio = stock["seconds"] / collection
    deleted = sweep["result"]["deleted"]
    rows = "\n".join(
        f"| {label} | {run['seconds']:.1f} | {worked(run)} | {run['requests']:,} ({operations(run)})"
        f" | {run['cpu_seconds']:.1f} | {run['max_rss_mib']:.0f} |"
        for label, run in (
            ("stock `registry garbage-collect --delete-untagged` (read-only throughout)", stock),
            ("module, phase 1: mark (read-write)", mark),
            (f"module, phase 2: sweep (read-only; {SETTLE:.0f} s settle included)", sweep),
            ("module, phase 3: verify (read-write, optional)", verify),
        )
    )
    return f"""## Garbage collection: registry_garbage_collect against registry garbage-collect

Written by `make bench` ({Path(__file__).relative_to(ROOT)}), {host["date"]}, {host["cpu"]}, {host["cores"]} cores.
One registry written in distribution's layout into the emulator twice (under `/stock` and `/module` of one bucket):
{figures["blobs"]:,} blobs, {figures["manifests"]:,} image manifests in {shape.repositories} repositories
({figures["objects"]:,} objects, {figures["tags"]:,} tags), every {shape.deleted}th manifest deleted through the API
and every {shape.moved}th tag moved, so that both collectors find the same garbage. Both collect with
`--delete-untagged` ({version}; the module with `delete_untagged: true`, `maxconcurrency: {MAX_CONCURRENCY}`).
Each run is a process of its own: seconds are its wall time, start and imports included, RSS and CPU its own (`wait4`),
requests the emulator's counts.
Both left the same {figures["remaining"]:,} objects; the module deleted {deleted["blobs"]:,} blobs,
{deleted["manifests"]:,} manifests and {deleted["layer_links"]:,} layer links.

| run | seconds | of which the module's work (s) | requests (by operation) | CPU (s) | peak RSS (MiB) |
| --- | ---: | ---: | --- | ---: | ---: |
{rows}

- Read-only window: stock {stock["seconds"]:.1f} s (the whole run), module {sweep["seconds"]:.1f} s (the sweep,
  of which {SETTLE:.0f} s settle): {read_only_ratio:.1f}x shorter (the bar: 20x). The replicas' restarts into and out of
  read-only mode come on top of both, the same for both.
- Whole collection: stock {stock["seconds"]:.1f} s, module {collection:.1f} s (mark and sweep): {speed_ratio:.1f}x
  faster (the bar: 3x); with the verification, {collection + verify["seconds"]:.1f} s.
- Why: the stock collector reads every link and stats every blob one request at a time (GETs of links twice, a HEAD
  per blob, a GET per manifest in every repository, O(manifests x tags) tag reads with `--delete-untagged`) and deletes
  one object per request; the module derives repositories, revisions, layer links and blob existence from one flat
  listing, reads each tag link and each manifest once, {MAX_CONCURRENCY} at a time, and deletes 1000 objects per
  request. Its sweep lists again and reads only what changed since the mark.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.gc_bench", description=__doc__)
    parser.add_argument("--repositories", type=int, default=Shape.repositories)
    parser.add_argument("--tags", type=int, default=Shape.tags)
    args = parser.parse_args(argv)
    run(Shape(repositories=args.repositories, tags=args.tags))


if __name__ == "__main__":
    main()
