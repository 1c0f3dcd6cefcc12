"""The documentation's index holds: every page is listed in docs/README.md, and every relative link resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PAGES = sorted(
    [ROOT / "README.md", ROOT / "tests" / "README.md", ROOT / "roles" / "registry" / "README.md", *DOCS.rglob("*.md")]
)


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(page.read_text()) if not re.match(r"[a-z]+:", target)]


def test_every_page_is_in_the_index():
    listed = {(DOCS / target).resolve() for target in links(DOCS / "README.md")}
    pages = {page.resolve() for page in DOCS.glob("*.md") if page.name != "README.md"}
    assert sorted(str(page.relative_to(ROOT)) for page in pages - listed) == []


@pytest.mark.parametrize(
    "page", [page for page in PAGES if page.exists()], ids=lambda page: str(page.relative_to(ROOT))
)
def test_relative_links_resolve(page):
    broken = [target for target in links(page) if not (page.parent / target).exists()]
    assert broken == []
