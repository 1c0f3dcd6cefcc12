"""Pulls through registry:3 with redirects on and off, side by side: `make bench`, after bench/sync_bench.py.

One fresh emulator (its own process) holds one bucket that refuses path-style requests, as new COS buckets do. Two
registry:3 processes (distribution v3, the version tools/go-programs.env pins) serve the same storage with the same
least-privilege key and the same settings but `storage.redirect.disable`: one answers blob GETs with a 307 to a
presigned URL of the bucket's virtual host, the other streams the blob itself. An image is pushed once; each round
then pulls it several times at once with skopeo through each registry, in alternating order. skopeo reaches the
bucket's virtual-host name with the emulator as its HTTP proxy, as a client that reaches COS would.

Measured per round: bytes the registry sent (its access log), its CPU time (/proc/PID/stat, before and after) and
the round's wall time. The figures go to docs/figures/redirects.md (tests/support/figures.py). Not a test: nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.storage_bench import MIB, REGION, ROOT, RunningEmulator, collection_on_path, credentials, machine

GIB = 1024 * MIB
BUCKET = "redirects-1250000000"
ROOT_DIRECTORY = "registry"
REPOSITORY = "bench/redirects:v1"
MODES = ("on", "off")
LABELS = {
    "on": "redirects on: blob GETs answered 307 to a presigned COS URL",
    "off": "redirects off (`storage.redirect.disable: true`): blobs streamed by the registry",
}


def start_registries(url: str, work: Path, stack: contextlib.ExitStack) -> dict:
    """Both registries on one bucket with the registry's least-privilege key, by mode."""
    from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import registry_cam_policy

    from emulator import clients
    from emulator.control import EmulatorControl
    from emulator.iam import DEFAULT_APPID
    from tests.support import processes, registry

    root = tuple(credentials().values())
    clients.cos_client(url, *root).create_bucket(Bucket=BUCKET)
    EmulatorControl(url).set_path_style(BUCKET, reject=True)
    key = clients.sub_user_key(url, root, registry_cam_policy(BUCKET, REGION, DEFAULT_APPID, ROOT_DIRECTORY))
    storage, proxy = registry.emulated_s3_storage(3, url, BUCKET, REGION, key, f"/{ROOT_DIRECTORY}")
    running = {}
    for mode in MODES:
        config = registry.registry_config(
            storage, processes.free_port(), redirect=mode == "on", cache="inmemory", access_log=True
        )
        running[mode] = stack.enter_context(registry.run_registry(config, work / mode, version=3, proxy=proxy))
    return running


def pull_round(running, url: str, image, pulls: int, work: Path) -> dict:
    """`pulls` skopeo pulls of the image at once, each into its own layout, checked and removed again."""
    from tests.support import processes, registry
    from tools import oci

    layouts = [work / f"pulled-{index}" for index in range(pulls)]
    mark, cpu = len(running.log()), processes.cpu_seconds(running.process.pid)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=pulls) as pool:
        list(pool.map(lambda layout: registry.pull(running, REPOSITORY, f"oci:{layout}:v1", proxy=url), layouts))
    seconds = time.monotonic() - started
    cpu = processes.cpu_seconds(running.process.pid) - cpu
    served = registry.served(running.log()[mark:])
    for layout in layouts:
        if oci.read_image(layout, "v1").digests != image.digests:
            raise SystemExit(f"a pull through {running.url} came back with other digests")
        shutil.rmtree(layout)
    return {"seconds": seconds, "cpu_seconds": cpu, "sent": served.body_bytes, "redirected": served.redirected}


def run(size_mib: int, layers: int, pulls: int, rounds: int) -> None:
    collection_on_path()
    from tests.support import processes, registry
    from tests.support.figures import write_figures
    from tools import oci

    processes.go_program("registry")
    results = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="redirect-bench-") as scratch, RunningEmulator() as url:
        work = Path(scratch)
        with contextlib.ExitStack() as stack:
            running = start_registries(url, work, stack)
            image = oci.write_image(work / "image", tag="v1", layer_sizes=(size_mib * MIB // layers,) * layers)
            registry.push(image.reference, running["off"], REPOSITORY)
            image_bytes = sum(path.stat().st_size for path in (work / "image" / "blobs").rglob("*") if path.is_file())
            for round_number in range(rounds):
                for mode in MODES if round_number % 2 == 0 else reversed(MODES):
                    results[mode].append(pull_round(running[mode], url, image, pulls, work))
    body = render(results, image_bytes, layers, pulls, distribution_version(), machine())
    print(body)
    write_figures("redirects", "bench/redirect_bench.py (make bench)", body)


# The report.


def distribution_version() -> str:
    """The distribution release tools/go-programs.env pins, which the registry processes were built from."""
    pins = dict(
        line.split("=", 1) for line in (ROOT / "tools" / "go-programs.env").read_text().splitlines() if "=" in line
    )
    return pins["DISTRIBUTION_VERSION"]


def figures(rounds: list[dict], pulled: int) -> dict:
    cpu = statistics.median(one["cpu_seconds"] for one in rounds)
    return {
        "sent": statistics.median(one["sent"] for one in rounds),
        "redirected": rounds[-1]["redirected"],
        "cpu": cpu,
        "cpu_per_gib": cpu / (pulled / GIB),
        "seconds": statistics.median(one["seconds"] for one in rounds),
        "pulled": pulled,
    }


COLUMNS = (
    "registry",
    "pulls at once",
    "pulled by the clients",
    "through the registry",
    "blob GETs redirected",
    "registry CPU (s)",
    "registry CPU (s per GiB pulled)",
    "wall time (s)",
)


def size(count: float) -> str:
    return f"{count / MIB:,.0f} MiB" if count >= 10 * MIB else f"{count / 1024:,.1f} KiB"


def row(mode: str, figure: dict, pulls: int) -> str:
    cells = (
        LABELS[mode],
        pulls,
        size(figure["pulled"]),
        size(figure["sent"]),
        figure["redirected"],
        f"{figure['cpu']:.2f}",
        f"{figure['cpu_per_gib']:.3f}",
        f"{figure['seconds']:.1f}",
    )
    return "| " + " | ".join(map(str, cells)) + " |"


def render(results: dict, image_bytes: int, layers: int, pulls: int, version: str, host: dict) -> str:
    pulled = image_bytes * pulls
    on, off = (figures(results[mode], pulled) for mode in MODES)
    rows = "\n".join(row(mode, figure, pulls) for mode, figure in zip(MODES, (on, off)))
    # One clock tick (10 ms) is the finest CPU time /proc reports: a ratio against less is a lower bound.
    cpu_ratio = off["cpu"] / max(on["cpu"], 0.01)
    return f"""# Pulls with registry redirects on and off

Written by `make bench` ({Path(__file__).relative_to(ROOT)}), {host["date"]}, {host["cpu"]}, {host["cores"]} cores.
Two registry:3 processes (distribution {version}, its s3 driver addressing the bucket by virtual host) on one bucket
that refuses path-style requests, with the same least-privilege key and settings but `storage.redirect.disable`.
One image of {image_bytes / MIB:,.0f} MiB ({layers} layers) is pulled {pulls} times at once with skopeo through each
registry, {len(results["on"])} rounds in alternating order, medians of the rounds shown. skopeo reaches the bucket's
virtual-host name with the emulator as its HTTP proxy, as a client that reaches COS does; the registry's own requests
go to the same emulator. Bytes through the registry are the bodies it sent (its access log); CPU is the registry
process's (`/proc/PID/stat`, 10 ms ticks), over the whole round.

| {" | ".join(COLUMNS)} |
| --- |{" ---: |" * (len(COLUMNS) - 1)}
{rows}

- With redirects the registry sent {size(on["sent"])} for {size(pulled)} pulled (manifests and redirects,
  {on["sent"] / pulled:.4%} of the bytes); without them {size(off["sent"])}, every byte of every layer, which it also
  read from COS first.
- Registry CPU: {off["cpu_per_gib"]:.3f} s per GiB pulled without redirects, {on["cpu_per_gib"]:.3f} s with them,
  {cpu_ratio:.0f}x less. A registry host that redirects answers API calls; one that does not is sized for every
  pull's bytes, twice (in from COS, out to the client).
- Wall time: {on["seconds"]:.1f} s with redirects, {off["seconds"]:.1f} s without. Here both paths end at the same
  emulator on loopback, which is the limit; on COS the redirected bytes come from COS's own endpoints instead of the
  registry host's network.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.redirect_bench", description=__doc__)
    parser.add_argument("--size-mib", type=int, default=256, help="size of the image's layers together")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--pulls", type=int, default=4, help="pulls at once in each round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds through each registry")
    args = parser.parse_args(argv)
    run(args.size_mib, args.layers, args.pulls, args.rounds)


if __name__ == "__main__":
    main()
