# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prometheus's text exposition format (version 0.0.4), as a registry's debug server serves it at /metrics. Pure: no
network, no Ansible."""

from __future__ import annotations

import re
from typing import NamedTuple

from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,?)')
CLOSING = re.compile(r"\s*}")
ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}
ESCAPE = re.compile(r"\\[\\\"n]")


class Sample(NamedTuple):
    name: str
    labels: dict
    value: float


def parse_text(text: str) -> list[Sample]:
    """Every sample of the exposition, in order; comments (HELP, TYPE) and blank lines are skipped."""
    samples = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            samples.append(parse_sample(stripped, number))
    return samples


def parse_sample(line: str, number: int) -> Sample:
    """`name{label="value",...} value [timestamp]`; the timestamp is dropped."""
    name = METRIC_NAME.match(line)
    if not name:
        raise malformed(line, number, "it does not start with a metric name")
    rest = line[name.end() :]
    labels = {}
    if rest.startswith("{"):
        labels, rest = parse_labels(rest[1:], line, number)
    fields = rest.split()
    if len(fields) not in (1, 2) or not rest[:1].isspace():
        raise malformed(line, number, "a value (and at most a timestamp) must follow the name and labels")
    try:
        value = float(fields[0])
    except ValueError:
        raise malformed(line, number, f"{fields[0]!r} is not a number") from None
    return Sample(name.group(), labels, value)


def parse_labels(text: str, line: str, number: int) -> tuple[dict, str]:
    """The labels up to the closing brace, and what follows it."""
    labels = {}
    position, separated = 0, True
    while True:
        closing = CLOSING.match(text, position)
        if closing:
            return labels, text[closing.end() :]
        label = LABEL.match(text, position) if separated else None
        if not label:
            raise malformed(line, number, 'its labels are not comma-separated name="value" pairs closed by }')
        labels[label.group(1)] = ESCAPE.sub(lambda escape: ESCAPES[escape.group()], label.group(2))
        position, separated = label.end(), bool(label.group(3))


def malformed(line: str, number: int, reason: str) -> ValidationError:
    return ValidationError(f"Line {number} of the metrics, {line[:120]!r}, is not Prometheus text format: {reason}.")
