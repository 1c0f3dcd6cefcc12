"""docs/reliability.md, written from the figures the reliability suite measured: the same text every run except the
date, the machine and the numbers. Only a complete, passing run writes it."""

from __future__ import annotations

import datetime
import os
import platform
from importlib import metadata
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"

# (figure, what it counts), by section; a run that lacks any of them is partial and writes nothing.
SECTIONS = {
    "Bad input": [
        ("bad_inputs_tried", "invalid inputs tried (modules, role, driver), each refused with one sentence naming it"),
        ("bad_input_writes", "write requests they caused"),
    ],
    "Secrets": [
        ("runs_scanned", "runs scanned at -vvvv (modules, role, playbook)"),
        ("lines_scanned", "lines of output, diffs, results and written files scanned"),
        ("secrets_looked_for", "distinct secrets looked for (root and created SecretKeys, http.secret, htpasswd)"),
        ("secret_files_checked", "files holding secrets whose mode was checked (0600)"),
        ("leaks_found", "leaks found"),
    ],
}
INTRODUCTION = """\
# Reliability and security figures

Written by the reliability suite (`tests/reliability`, run by `make reliability` and `make test`) at the end of a
complete, passing run; do not edit by hand. Every figure is measured against the bundled emulator
(`tests/emulator`) and the real binaries the tests use (ansible-playbook, docker-registry 2.8.2, skopeo), never
mocked. Durations are measurements of one run on the machine below, not bounds.
"""


def merge(figures_by_test: dict[str, dict]) -> dict:
    """Counts (integers) add up across tests; any other value is kept as the last test recorded it."""
    merged: dict = {}
    for values in figures_by_test.values():
        for name, value in values.items():
            if isinstance(value, int) and isinstance(merged.get(name, 0), int):
                merged[name] = merged.get(name, 0) + value
            else:
                merged[name] = value
    return merged


def missing(figures: dict) -> list[str]:
    return [name for rows in SECTIONS.values() for name, _label in rows if name not in figures]


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


def render(figures: dict, today: datetime.date) -> str:
    lines = [INTRODUCTION, f"- Date: {today.isoformat()}", f"- Machine: {machine()}", ""]
    for section, rows in SECTIONS.items():
        lines += [f"## {section}", "", "| Figure | Value |", "| --- | --- |"]
        lines += [f"| {label} | {format_value(figures[name])} |" for name, label in rows]
        lines.append("")
    return "\n".join(lines)


def format_value(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def write_if_complete(figures_by_test: dict[str, dict]) -> bool:
    figures = merge(figures_by_test)
    if missing(figures):
        return False
    DOCUMENT.write_text(render(figures, datetime.datetime.now(datetime.timezone.utc).date()))
    return True
