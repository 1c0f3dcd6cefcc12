"""Garbage collection: distribution v3's `registry garbage-collect` against registry_garbage_collect: `make bench`.

One registry of at least 10,000 blobs and 1,000 manifests is written in distribution's layout into a fresh emulator
(in this process), twice, into a bucket for each collector, so that both meet the same registry. Writing it is set-up:
the objects go straight into the emulator's storage engine, as PUT Object would store them, before anything is
measured. The stock collector runs as garbage_collect.yml runs it with cosops_gc_engine: stock, the registry read-only
the whole time; the module runs its mark (registry read-write) and its sweep (registry read-only, default settle time),
then verifies. Each run is a process of its own that reaches the emulator over HTTP, so its peak RSS is its own (wait4);
the emulator's counters are cleared before each run, so that they count that run's requests only. The figures go into
their section of docs/performance.md. Not a test: nothing here asserts a time.

--stock-dry-run, for a machine too loaded for the stock collector's deletes (a listing and a request for each object):
the stock collector only marks (`--dry-run`), so its time is a lower bound of its read-only window, and what it names
for deletion must be exactly what the module deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.storage_bench import ROOT, collection_on_path, machine, run_child

# A bucket for each collector, so that neither one's listings pass over the other's registry.
BUCKETS = {"stock": "gcbench-stock-1250000000", "module": "gcbench-module-1250000000"}
ROOT_DIRECTORY = "/registry"
MODULE = "ansible_collections.cosops.registry.plugins.modules.registry_garbage_collect"
SETTLE = 5.0
MAX_CONCURRENCY = 16
DELETED_KINDS = ("blobs", "manifests", "layer_links")
# Each run's measurements, kept so that the figures can be written again (--render) without collecting again.
RESULTS = ROOT / ".build" / "gc-bench.json"


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


def load(emulator, storage, objects: dict) -> None:
    """The registry's objects in a new bucket of the storage, under the keys its driver gives their paths, stored
    through the emulator's engine: what a registry's PUTs leave, without 20,000 requests of set-up."""
    storage.driver.api.call("create_bucket", Bucket=storage.bucket)
    keys = storage.driver.keys
    emulator.engine.put_objects(storage.bucket, {keys.key(path): content for path, content in objects.items()})


def measured(what: str, command: tuple, control) -> dict:
    """Wall seconds, peak RSS and CPU of one process, the emulator's request counts for it, and the machine's load
    (1-minute average) when it started and ended."""
    control.clear_counters()
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    output, usage = run_child(what, *command)
    seconds = time.monotonic() - started
    counters = control.counters()
    return {
        "seconds": seconds,
        "requests": counters["total"],
        "operations": counters["operations"],
        "output": output,
        "load": (load_before, os.getloadavg()[0]),
        **usage,
    }


def run_stock(storage, control, dry_run: bool) -> dict:
    """The whole stock run: the registry is read-only from its start to its end. A dry run is its mark alone, and
    what it names for deletion is kept to be compared with what the module deleted."""
    from ansible_collections.cosops.registry.plugins.module_utils._rules.gc_stock_output import stock_gc_output

    command = storage.stock_command(delete_untagged=True, dry_run=dry_run)
    run = measured("registry garbage-collect", command, control)
    printed = stock_gc_output(run.pop("output").decode())
    run["dry_run"] = dry_run
    run["eligible"] = {kind: printed[f"eligible_{kind}"] for kind in DELETED_KINDS}
    return run


def same_collection(stock, module, stock_run: dict, sweep: dict) -> bool:
    """Both collectors left the same registry; after a stock dry run, it named exactly what the module deleted."""
    if stock_run["dry_run"]:
        return all(
            set(stock_run["eligible"][kind]) == set(sweep["result"][f"deleted_{kind}"]) for kind in DELETED_KINDS
        )
    return remaining(stock) == remaining(module)


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


def run(shape: Shape, stock_dry_run: bool) -> None:
    collection_on_path()
    from emulator.control import EmulatorControl
    from emulator.server import Emulator
    from tests.gc.support import Storage

    registry = build(shape)
    figures = {
        "blobs": sum(1 for path in registry.objects if path.endswith("/data")),
        "manifests": len(registry.references),
        "objects": len(registry.objects),
        "tags": len(registry.tags()),
    }
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as scratch, Emulator() as emulator:
        keys = (emulator.iam.root_secret_id, emulator.iam.root_secret_key)
        control = EmulatorControl(emulator.url)
        stock, module = (Storage(emulator.url, keys, Path(scratch), BUCKETS[name], ROOT_DIRECTORY) for name in BUCKETS)
        started = time.monotonic()
        for storage in (stock, module):
            load(emulator, storage, registry.objects)
        figures["write_seconds"] = time.monotonic() - started
        stock_run = run_stock(stock, control, stock_dry_run)
        module_runs = run_module_phases(module, control)
        if not same_collection(stock, module, stock_run, module_runs["sweep"]):
            raise SystemExit("the collectors did not collect the same objects")
        figures["remaining"] = len(remaining(module))
        version = stock_version(stock.stock_command(False)[0][0])
    results = {
        "shape": asdict(shape),
        "figures": figures,
        "stock": stock_run,
        "module": module_runs,
        "version": version,
        "host": machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    publish(results)


def stock_version(binary: str) -> str:
    """`registry --version` without the program's path: "github.com/distribution/distribution/v3 v3.1.2"."""
    words = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout.split()
    return " ".join(words[1:])


def publish(results: dict) -> None:
    from tests.support.figures import write_figures

    shape = Shape(**results["shape"])
    body = render(shape, results["figures"], results["stock"], results["module"], results["version"], results["host"])
    print(body)
    source = "bench/gc_bench.py --stock-dry-run" if results["stock"]["dry_run"] else "bench/gc_bench.py (make bench)"
    write_figures("garbage-collection", source, body)


# The report.


def worked(run: dict) -> str:
    """The seconds the module itself reports (its process's start and imports are the rest), '-' for stock."""
    return f"{run['result']['seconds']['total']:.1f}" if "result" in run else "-"


def operations(run: dict) -> str:
    ranked = sorted(run["operations"].items(), key=lambda item: -item[1])
    return ", ".join(f"{name.split(':')[1]} {count:,}" for name, count in ranked)


def steps(run: dict) -> str:
    """Where a module phase's wall seconds went: its process's start and imports, then the steps it reports; the
    listing with its pages (GET Bucket, up to 1000 objects each)."""
    seconds = dict(run["result"]["seconds"])
    total = seconds.pop("total")
    pages = run["operations"].get("cos:GetBucket", 0)
    parts = [f"start and imports {run['seconds'] - total:.1f}"]
    for name, value in seconds.items():
        each = f" ({pages} pages, {value / pages:.2f} s each)" if name == "listing" and pages else ""
        parts.append(f"{name} {value:.1f}{each}")
    parts.append(f"the rest (state file, mark, plan, result) {total - sum(seconds.values()):.1f}")
    return ", ".join(parts)


def outcome(stock: dict, figures: dict) -> str:
    if stock["dry_run"]:
        return (
            "The stock collector's dry run named for deletion exactly the blobs, manifests and layer links the module"
            " deleted."
        )
    return f"Both left the same {figures['remaining']:,} objects."


def command(stock: dict) -> str:
    source = Path(__file__).relative_to(ROOT)
    if stock["dry_run"]:
        return f"`python -m bench.gc_bench --stock-dry-run` ({source}; `make bench` runs it without the option)"
    return f"`make bench` ({source})"


def whole_stock(stock: dict) -> str:
    if stock["dry_run"]:
        return (
            "its mark alone: a dry run, run so on a loaded machine, without the deletes that a collection adds, one"
            " request and one listing each - a lower bound of its window"
        )
    return "the whole run"


def render(shape: Shape, figures: dict, stock: dict, module: dict, version: str, host: dict) -> str:
    mark, sweep, verify = module["mark"], module["sweep"], module["verify"]
    collection = mark["seconds"] + sweep["seconds"]
    read_only_ratio = stock["seconds"] / sweep["seconds"]
    speed_ratio = stock["seconds"] / collection
    deleted = sweep["result"]["deleted"]
    rows = "\n".join(
        f"| {label} | {run['seconds']:.1f} | {worked(run)} | {run['requests']:,} ({operations(run)})"
        f" | {run['cpu_seconds']:.1f} | {run['max_rss_mib']:.0f} | {run['load'][0]:.1f} - {run['load'][1]:.1f} |"
        for label, run in (
            (
                f"stock `registry garbage-collect{' --dry-run' * stock['dry_run']} --delete-untagged` (read-only throughout)",
                stock,
            ),
            ("module, phase 1: mark (read-write)", mark),
            (f"module, phase 2: sweep (read-only; {SETTLE:.0f} s settle included)", sweep),
            ("module, phase 3: verify (read-write, optional)", verify),
        )
    )
    return f"""## Garbage collection: registry_garbage_collect against registry garbage-collect

Written by {command(stock)}, {host["date"]}, {host["cpu"]}, {host["cores"]} cores
(shared: the load column is the machine's 1-minute load average when each run started and ended).
One registry in distribution's layout, written into the emulator twice (a bucket for each collector, root directory
`{ROOT_DIRECTORY}`): {figures["blobs"]:,} blobs, {figures["manifests"]:,} image manifests in {shape.repositories}
repositories ({figures["objects"]:,} objects, {figures["tags"]:,} tags), every {shape.deleted}th manifest deleted
through the API and every {shape.moved}th tag moved, so that both collectors find the same garbage. Writing it is
set-up, not measured: the objects went straight into the emulator's storage engine ({figures["write_seconds"]:.0f} s
for both copies); the collectors reach the emulator over HTTP. Both collect with `--delete-untagged` ({version}; the
module with `delete_untagged: true`, `maxconcurrency: {MAX_CONCURRENCY}`).
Each run is a process of its own: seconds are its wall time, start and imports included, RSS and CPU its own (`wait4`),
requests the emulator's counts of that run alone.
{outcome(stock, figures)} The module deleted {deleted["blobs"]:,} blobs, {deleted["manifests"]:,} manifests and
{deleted["layer_links"]:,} layer links.

| run | seconds | of which the module's work (s) | requests (by operation) | CPU (s) | peak RSS (MiB) | load |
| --- | ---: | ---: | --- | ---: | ---: | ---: |
{rows}

- Read-only window: stock {stock["seconds"]:.1f} s ({whole_stock(stock)}), module {sweep["seconds"]:.1f} s (the sweep):
  {read_only_ratio:.1f}x shorter{" at least" * stock["dry_run"]} (the bar: 20x). The replicas' restarts into and out of read-only mode come on top of
  both, the same for both.
- Whole collection: stock {stock["seconds"]:.1f} s, module {collection:.1f} s (mark and sweep): {speed_ratio:.1f}x
  faster{" at least" * stock["dry_run"]} (the bar: 3x); with the verification, {collection + verify["seconds"]:.1f} s.
- The sweep's {sweep["seconds"]:.1f} s: {steps(sweep)}.
- The mark's {mark["seconds"]:.1f} s: {steps(mark)}.
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
    parser.add_argument(
        "--stock-dry-run",
        action="store_true",
        help="the stock collector's mark alone (--dry-run): a lower bound of its read-only window, for a loaded machine",
    )
    parser.add_argument("--render", action="store_true", help=f"write the figures again from {RESULTS.name}")
    args = parser.parse_args(argv)
    if args.render:
        collection_on_path()
        publish(json.loads(RESULTS.read_text()))
    else:
        run(Shape(repositories=args.repositories, tags=args.tags), args.stock_dry_run)


if __name__ == "__main__":
    main()
