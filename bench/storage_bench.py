"""The storage driver's benchmark: `make bench`.

Against one fresh emulator (its own process), uploads 1 GiB three ways - through the COS driver's streaming writer,
through cos-python-sdk-v5's upload_file with the same part size and threads, and as one plain PUT - each in its own
process so that its peak RSS is its own (taken from wait4's rusage). Then it writes 10,000 registry-style keys and
counts the listing requests of a flat walk against a walk that lists every directory. It prints a table and writes
docs/figures/storage-driver.md with the figures, the machine and the date. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
MB = 1000 * 1000
CHUNK_SIZE = 16 * MIB
THREADS = 10
BUCKET = "bench-1250000000"
REGION = "ap-guangzhou"
VARIANTS = ("driver", "driver_small_writes", "sdk_upload_file", "single_put")
# How many bytes each variant hands the driver's writer at a time.
WRITE_SIZES = {"driver": CHUNK_SIZE, "driver_small_writes": MIB}
LABELS = {
    "baseline": "imports and client only (no upload)",
    "driver": "COS driver writer, 16 MiB writes (16 MiB parts, 10 in flight)",
    "driver_small_writes": "COS driver writer, 1 MiB writes (16 MiB parts, 10 in flight)",
    "sdk_upload_file": "cos-python-sdk-v5 upload_file (PartSize 16, MAXThread 10)",
    "single_put": "one PUT Object, file body streamed",
}
READY = re.compile(r"emulator ready at (\S+)")
STARTUP_SECONDS = 60


def collection_on_path() -> None:
    """Import the collection as ansible_collections.cosops.registry, as the tests do."""
    sys.path.insert(0, str(ROOT))
    import tests.collection_path  # noqa: F401  (links the checkout and extends sys.path)


def credentials() -> dict:
    from emulator.iam import DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY

    return {"secretid": DEFAULT_ROOT_SECRET_ID, "secretkey": DEFAULT_ROOT_SECRET_KEY}


def make_driver(url: str, rootdirectory: str = "bench"):
    from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig

    parameters = dict(credentials(), region=REGION, bucket=BUCKET, endpoint=url, rootdirectory=rootdirectory)
    return CosDriver(DriverConfig.from_parameters(dict(parameters, chunksize=CHUNK_SIZE, maxconcurrency=THREADS)))


# One upload, run in a child process: prints {"seconds": ...} as JSON.


def upload(variant: str, url: str, source: str) -> dict:
    collection_on_path()
    driver = make_driver(url)
    size = os.path.getsize(source)
    key = driver.keys.key(f"/upload/{variant}")
    started = time.monotonic()
    if variant in WRITE_SIZES:
        with open(source, "rb") as data, driver.writer(f"/upload/{variant}") as writer:
            for block in iter(lambda: data.read(WRITE_SIZES[variant]), b""):
                writer.write(block)
            writer.commit()
    elif variant == "sdk_upload_file":
        driver.api.sdk.upload_file(
            Bucket=BUCKET, Key=key, LocalFilePath=source, PartSize=CHUNK_SIZE // MIB, MAXThread=THREADS
        )
    elif variant == "single_put":
        with open(source, "rb") as data:
            driver.api.call("put_object", Bucket=BUCKET, Key=key, Body=data)
    seconds = time.monotonic() - started
    if variant != "baseline":
        stored = driver.stat(f"/upload/{variant}").size
        driver.delete(f"/upload/{variant}")
        if stored != size:
            raise SystemExit(f"{variant} stored {stored} bytes of {size}")
    return {"seconds": seconds}


def run_child(what: str, argv: list[str], environment: dict | None = None) -> tuple[bytes, dict]:
    """argv's output, with its peak RSS and CPU time from the kernel's accounting of that child alone (wait4)."""
    child = subprocess.Popen(argv, cwd=ROOT, env=environment, stdout=subprocess.PIPE)
    output = child.stdout.read()
    status, usage = os.wait4(child.pid, 0)[1:]
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{what} failed (exit {child.returncode}): {output[-2000:].decode(errors='replace')}")
    return output, {"max_rss_mib": usage.ru_maxrss / 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}


def measured(variant: str, url: str, source: str) -> dict:
    """Run one upload in a child process, so that its peak RSS is its own."""
    argv = [sys.executable, "-m", "bench.storage_bench", "upload", variant, "--url", url, "--source", source]
    output, usage = run_child(f"the {variant} upload", argv)
    return {**json.loads(output), **usage}


# Walks: requests of one flat listing against one listing per directory.


def blob_paths(count: int) -> list[str]:
    """Registry blob layout: /docker/registry/v2/blobs/sha256/<2 hex>/<64 hex>/data."""
    digests = (hashlib.sha256(str(index).encode()).hexdigest() for index in range(count))
    return [f"/docker/registry/v2/blobs/sha256/{digest[:2]}/{digest}/data" for digest in digests]


def walk_per_directory(driver, path: str, visit) -> None:
    """The walk of drivers without a flat listing: one delimiter listing per directory, depth first."""
    from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import object_pages
    from ansible_collections.cosops.registry.plugins.module_utils._rules.shapes import as_list

    pending = [path]
    while pending:
        directory = pending.pop()
        for page in object_pages(driver.api, BUCKET, driver.keys.directory_prefix(directory), delimiter="/"):
            for item in as_list(page.get("Contents")):
                visit(driver.keys.path(item["Key"]))
            for item in as_list(page.get("CommonPrefixes")):
                pending.append(driver.keys.path(item["Prefix"].rstrip("/")))
                visit(pending[-1])


def listing_requests(control, walk) -> tuple[int, float, int]:
    control.call("DELETE", "counters")
    seen = []
    started = time.monotonic()
    walk(seen.append)
    seconds = time.monotonic() - started
    return control.counters()["operations"].get("cos:GetBucket", 0), seconds, len(seen)


def compare_walks(url: str, count: int) -> dict:
    from emulator.control import EmulatorControl

    driver = make_driver(url, rootdirectory="walk")
    paths = blob_paths(count)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda path: driver.put_content(path, b"x"), paths))
    control = EmulatorControl(url)
    start = "/docker/registry/v2"
    flat = listing_requests(control, lambda visit: driver.walk(start, lambda info: visit(info.path)))
    per_directory = listing_requests(control, lambda visit: walk_per_directory(driver, start, visit))
    driver.delete("/docker")
    directories = flat[2] - count
    return {"objects": count, "directories": directories, "flat": flat[:2], "per_directory": per_directory[:2]}


# The run.


class RunningEmulator:
    def __enter__(self) -> str:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "emulator", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            match = READY.search(self.process.stdout.readline())
            if match:
                return match.group(1)
        self.process.kill()
        raise SystemExit("the emulator did not start")

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def random_file(size: int, directory: str) -> str:
    path = os.path.join(directory, "upload.bin")
    with open(path, "wb") as output:
        for block in block_sizes(size):
            output.write(os.urandom(block))
    return path


def block_sizes(total: int):
    while total > 0:
        yield min(MIB, total)
        total -= MIB


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / MIB, 1),
        "system": platform.platform(),
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run(size: int, rounds: int, keys: int) -> None:
    collection_on_path()
    uploads = {variant: [] for variant in ("baseline",) + VARIANTS}
    with tempfile.TemporaryDirectory(prefix="cos-bench-") as scratch, RunningEmulator() as url:
        make_driver(url).api.call("create_bucket", Bucket=BUCKET)
        source = random_file(size, scratch)
        uploads["baseline"].append(measured("baseline", url, source))
        for round_number in range(rounds):
            # Alternate the order, so that neither variant always runs on a warmer emulator.
            for variant in VARIANTS if round_number % 2 == 0 else reversed(VARIANTS):
                uploads[variant].append(measured(variant, url, source))
        walks = compare_walks(url, keys)
    report = render(size, uploads, walks, machine())
    print(report)
    from tests.support.figures import write_figures

    write_figures("storage-driver", "bench/storage_bench.py (make bench)", report)


def summary(runs: list) -> dict:
    seconds = [run["seconds"] for run in runs]
    return {
        "best": min(seconds),
        "median": statistics.median(seconds),
        "cpu": statistics.median(run["cpu_seconds"] for run in runs),
        "rss": max(run["max_rss_mib"] for run in runs),
    }


def paired(uploads: dict, variant: str) -> float:
    """Median over rounds of upload_file's time divided by the variant's time in the same round."""
    rounds = zip(uploads["sdk_upload_file"], uploads[variant])
    return statistics.median(sdk["seconds"] / run["seconds"] for sdk, run in rounds)


def upload_row(variant: str, figures: dict, size: int) -> str:
    if variant == "baseline":
        return f"| {LABELS[variant]} | - | - | - | {figures['cpu']:.1f} | {figures['rss']:.0f} |"
    speed = size / MB / figures["best"]
    return (
        f"| {LABELS[variant]} | {figures['best']:.1f} | {figures['median']:.1f} | {speed:.0f} | {figures['cpu']:.1f}"
        f" | {figures['rss']:.0f} |"
    )


def render(size: int, uploads: dict, walks: dict, host: dict) -> str:
    budget = CHUNK_SIZE // MIB * (THREADS + 2) + 100
    figures = {variant: summary(runs) for variant, runs in uploads.items()}
    rows = "\n".join(upload_row(variant, figures[variant], size) for variant in figures)
    driver, small, sdk = figures["driver"], figures["driver_small_writes"], figures["sdk_upload_file"]
    driver_rss = max(driver["rss"], small["rss"])
    flat_requests, flat_seconds = walks["flat"]
    dir_requests, dir_seconds = walks["per_directory"]
    return f"""# Performance of the COS storage driver

Written by `make bench` ({Path(__file__).relative_to(ROOT)}); the figures below are from one run on the machine
described at the end. They compare ways of doing the same thing on the same machine against the same emulator; absolute
speeds depend on the machine, its load and the emulator (moto's S3 engine in one Python process), not on COS.

## Uploading {size // MIB} MiB

Each upload runs in its own process, so its peak RSS and CPU time (from the kernel's accounting of that process,
`wait4`) are its own; the baseline row is that process without an upload (interpreter, SDK, client). Elapsed time
covers the upload alone, from the first byte to the completed object; {len(uploads["driver"])} runs of each variant, in
alternating order. Every multipart variant sends {-(-size // CHUNK_SIZE)} parts of 16 MiB, 10 at a time; upload_file
reads its parts from the file itself, the driver is handed the file in writes of the size shown.

| variant | best (s) | median (s) | MB/s (best) | CPU (s, median) | peak RSS (MiB) |
| --- | ---: | ---: | ---: | ---: | ---: |
{rows}

- The driver against upload_file, same part size and threads, both reading 16 MiB at a time:
  {paired(uploads, "driver"):.2f}x its speed (the median, over the rounds, of upload_file's time over the driver's in
  the same round, which cancels most of the machine's changing load); {sdk["best"] / driver["best"]:.2f}x on the best
  runs alone.
- Handed 1 MiB writes, as a stream arrives, the driver runs at {paired(uploads, "driver_small_writes"):.2f}x
  upload_file's speed (paired as above); the thread that produces the parts then does more work per byte (see the CPU
  column), while the ten threads sending parts compete with it for the interpreter lock.
- Peak RSS of the driver, {driver_rss:.0f} MiB, against its budget of chunksize x (maxconcurrency + 2) + 100 MiB =
  {budget} MiB: {"within" if driver_rss <= budget else "OVER"} it. The writer holds the part being filled and at most
  maxconcurrency parts being sent, whatever the object's size.

## Walking {walks["objects"]:,} keys

{walks["objects"]:,} blobs in the registry's layout (`docker/registry/v2/blobs/sha256/<2 hex>/<digest>/data`), that is
{walks["directories"]:,} directories. Listing requests counted by the emulator:

| walk | listing requests | seconds |
| --- | ---: | ---: |
| flat: one listing without delimiter, directories derived from keys | {flat_requests:,} | {flat_seconds:.1f} |
| one delimiter listing per directory | {dir_requests:,} | {dir_seconds:.1f} |

## Machine

- {host["cpu"]}, {host["cores"]} cores, {host["memory_gib"]} GiB
- {host["system"]}, Python {host["python"]}
- {host["date"]}
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.storage_bench", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    child = commands.add_parser("upload", help="one upload (run by the benchmark in a child process)")
    child.add_argument("variant", choices=("baseline",) + VARIANTS)
    child.add_argument("--url", required=True)
    child.add_argument("--source", required=True)
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the upload")
    parser.add_argument("--rounds", type=int, default=7, help="uploads of each variant")
    parser.add_argument("--keys", type=int, default=10000, help="keys written for the walk comparison")
    args = parser.parse_args(argv)
    if args.command == "upload":
        print(json.dumps(upload(args.variant, args.url, args.source)))
        return
    run(args.size_mib * MIB, args.rounds, args.keys)


if __name__ == "__main__":
    main()
