"""Sections of a generated document that another generator writes, between `<!-- name -->` and `<!-- end name -->`."""

from __future__ import annotations

import re
from pathlib import Path

# docs/performance.md: written by `make bench`, with this section from tests/playbooks/test_deploy_requests.py.
DEPLOY_REQUESTS = "deploy requests"
# docs/performance.md: registry_storage_sync against rclone, from bench/sync_bench.py.
STORAGE_SYNC = "storage sync vs rclone"
# docs/performance.md: pulls through registries with redirects on and off, from bench/redirect_bench.py.
REDIRECTS = "redirects on and off"


def _pattern(name: str) -> re.Pattern:
    return re.compile(rf"<!-- {re.escape(name)} -->\n.*?<!-- end {re.escape(name)} -->\n", re.S)


def section(text: str, name: str) -> str:
    """The marked section in `text`, markers included, or '' when there is none."""
    found = _pattern(name).search(text)
    return found.group(0) if found else ""


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the section in the document, or append it at the end."""
    block = f"<!-- {name} -->\n{body.rstrip()}\n<!-- end {name} -->\n"
    text = path.read_text()
    if section(text, name):
        path.write_text(_pattern(name).sub(lambda _: block, text))
    else:
        path.write_text(text.rstrip("\n") + "\n\n" + block)
