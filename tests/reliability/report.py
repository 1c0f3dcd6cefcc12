"""The figures of the reliability suite (docs/figures/reliability.md) and of the registry generations under lagging
listings (docs/figures/listing-delay.md): the same text every run except the date, the machine and the numbers. Only
a passing run that measured every figure of a file writes it (tests/support/figures.py says where)."""

from __future__ import annotations

import datetime
import os
import platform
import re
from importlib import metadata
from pathlib import Path

from tests.reliability.listing_delay import LIST_DELAY, PUSH_ATTEMPTS, SETTLE_MARGIN
from tests.support.figures import write_figures
from tests.support.processes import GO_PROGRAMS

SOURCE = "tests/reliability (make reliability)"

# (figure, what it counts), by section; a run that lacks any of them is partial and writes nothing.
SECTIONS = {
    "Load": [
        ("load_images", "distinct images pushed and pulled at once through the deployed registry (skopeo)"),
        ("load_mib", "MiB of layers moved (pushed and pulled)"),
        ("load_seconds", "seconds for all pushes and pulls"),
        ("load_errors", "errors, or pulled digests that did not verify"),
        ("driver_writers", "concurrent storage driver writers of distinct 11 MiB objects (multipart, 5 MiB parts)"),
        ("driver_mib", "MiB written, every object read back and compared"),
        ("driver_seconds", "seconds for all writers"),
        ("driver_uploads_left", "multipart uploads left behind"),
    ],
    "Faults": [
        ("apis_faulted", "APIs faulted: each one a module or the driver calls (read from the emulator's counters)"),
        ("faults_survived", "injected faults survived (3 in a row per API and kind, role rollouts included)"),
        (
            "persistent_faults_bounded",
            "persistent faults that failed within their bound, naming action, code, RequestId",
        ),
        ("persistent_fault_seconds", "longest time to such a failure, in seconds (retries=2)"),
    ],
    "Bad input": [
        ("bad_inputs_tried", "invalid inputs tried (modules, role, driver), each refused in one sentence naming it"),
        ("bad_input_writes", "write requests they caused"),
    ],
    "Least privilege": [
        ("least_privilege_allowed", "registry operations that work on the generated policy (push, pull, delete, GC)"),
        ("least_privilege_denied", "bucket-configuration and outside-the-root requests of the same key, all denied"),
    ],
    "Protection": [
        (
            "anonymous_exposures_refused",
            "anonymous registries on a network address deploy.yml refused with no write at all",
        ),
        (
            "controller_denials_proven",
            "requests beyond its bucket and its own CAM resources refused to the controller key",
        ),
    ],
    "Secrets": [
        ("runs_scanned", "playbook and role runs scanned at -vvvv (deploy, deploy --check --diff, check, role runs)"),
        ("lines_scanned", "lines of output, diffs, results, registry log and written files scanned"),
        ("secrets_looked_for", "secrets looked for (root and created SecretKeys, http.secret, htpasswd password)"),
        ("secret_files_checked", "files holding a secret whose mode was checked (no access for group or others)"),
        ("leaks_found", "leaks found"),
    ],
    "Nothing lost": [
        ("nothing_lost_checks", "interruptions and refusals after which all data and the serving registry remained"),
    ],
}
TITLE = "# Reliability and security figures"
LISTING_TITLE = "# Registry generations under lagging listings"


# The workload under lagging listings (test_listing_delay.py), one column per distribution generation: (figure, the
# figure it is a share of or None, what it counts). Each figure is recorded as listing_<figure>_v<generation>.
LISTING_VERSIONS = (2, 3)
LISTING_ROWS = [
    ("rounds", None, "rounds of the workload (3 images, 4 tags, layers of 0.25 to 33 MiB)"),
    ("requests", None, "requests the registry answered (its access log)"),
    ("failed_requests", "requests", "failed requests: 5xx, or 4xx other than a 404 the client asked for"),
    ("failed_upload_completions", None, "of which blob upload completions (`PUT .../blobs/uploads/<id>?digest=`)"),
    ("failed_fresh_listings", None, "of which tag or catalog listings right after the push"),
    ("push_attempts_failed", "push_attempts", "skopeo push attempts that failed"),
    ("pushes_failed", "pushes", f"image pushes that failed {PUSH_ATTEMPTS} attempts (a failed push run again)"),
    ("pulls_failed", "pulls", "pulls that failed or differed from what was pushed"),
    ("fresh_listings_stale", "fresh_listings", "tag lists and catalogs right after the push that missed a new one"),
    (
        "settled_listings_wrong",
        "settled_listings",
        f"tag lists and catalogs {LIST_DELAY + SETTLE_MARGIN:g} s after the last push that missed one",
    ),
    ("deletes_failed", "deletes", "manifest deletes that failed"),
    ("collections_failed", "collections", "`garbage-collect --delete-untagged` runs that failed"),
    ("stray_errors", None, "error lines of the registry outside any request"),
]


def merge(figures_by_test: dict[str, dict]) -> dict:
    """Counts (integers) add up across tests; durations (floats) keep the longest."""
    merged: dict = {}
    for values in figures_by_test.values():
        for name, value in values.items():
            merged[name] = merged.get(name, 0) + value if isinstance(value, int) else max(merged.get(name, 0.0), value)
    return merged


def missing(figures: dict, names: list[str]) -> list[str]:
    return [name for name in names if name not in figures]


def reliability_names() -> list[str]:
    return [name for rows in SECTIONS.values() for name, _label in rows]


def listing_names() -> list[str]:
    measured = [name for name, _share_of, _label in LISTING_ROWS]
    measured += [share_of for _name, share_of, _label in LISTING_ROWS if share_of and share_of not in measured]
    return [f"listing_{name}_v{version}" for name in measured for version in LISTING_VERSIONS]


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpu_info() if line.startswith("model name")), platform.machine()
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    release = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    return (
        f"{release}, kernel {platform.release()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, "
        f"Python {platform.python_version()}, ansible-core {metadata.version('ansible-core')}"
    )


def cpu_info() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def summary(figures: dict) -> str:
    return (
        f"Load held: {figures['load_images']} concurrent pushes and pulls and {figures['driver_writers']} concurrent "
        f"driver writers with {figures['load_errors'] + figures['driver_uploads_left']} errors; faults survived: "
        f"{figures['faults_survived']}; bad inputs tried: {figures['bad_inputs_tried']}; "
        f"leaks found: {figures['leaks_found']}."
    )


def render(figures: dict, today: datetime.date) -> str:
    lines = [TITLE, "", f"- Date: {today.isoformat()}", f"- Machine: {machine()}", "", summary(figures), ""]
    for section, rows in SECTIONS.items():
        lines += [f"## {section}", "", "| Figure | Value |", "| --- | --- |"]
        lines += [f"| {label} | {format_value(figures[name])} |" for name, label in rows]
        lines.append("")
    return "\n".join(lines)


def format_value(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def pinned_distribution() -> str:
    """The distribution v3 release the tests build (tools/go-programs.env)."""
    pinned = re.search(r"^DISTRIBUTION_VERSION=(\S+)", GO_PROGRAMS.with_suffix(".env").read_text(), re.MULTILINE)
    return pinned.group(1) if pinned else "v3"


def share(figures: dict, name: str, share_of: str | None, version: int) -> str:
    count = figures[f"listing_{name}_v{version}"]
    if share_of is None:
        return str(count)
    total = figures[f"listing_{share_of}_v{version}"]
    return f"{count} of {total} ({100 * count / total:.0f} %)" if total else f"{count} of 0"


def render_listing(figures: dict, today: datetime.date) -> str:
    """The measured table that docs/registry-versions.md links to."""
    lines = [
        LISTING_TITLE,
        "",
        f"- Date: {today.isoformat()}",
        f"- Machine: {machine()}",
        f"- Listings delayed: {LIST_DELAY:g} s",
        "",
        f"| | registry:2 (distribution 2.8.2) | registry:3 (distribution {pinned_distribution()}) |",
        "| --- | --- | --- |",
    ]
    for name, share_of, label in LISTING_ROWS:
        lines.append(f"| {label} | " + " | ".join(share(figures, name, share_of, v) for v in LISTING_VERSIONS) + " |")
    return "\n".join(lines)


def write_if_complete(figures_by_test: dict[str, dict]) -> list[Path]:
    """Writes every figures file whose figures were all measured; returns the files written."""
    figures = merge(figures_by_test)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    written = []
    if not missing(figures, reliability_names()):
        written.append(write_figures("reliability", SOURCE, render(figures, today)))
    if not missing(figures, listing_names()):
        written.append(write_figures("listing-delay", SOURCE, render_listing(figures, today)))
    return written
