# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a registry differs from the one it was copied from: repositories, tags and the digests a sample of tags points
at, each difference one sentence. Pure: no network, no Ansible."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SIDES = ("old", "new")
# A tag the registry does not serve has no digest.
NO_DIGEST = "none"


def tags_by_side(tag_lists: Iterable[tuple[str, str, list | None]]) -> dict:
    """{'old': ['repository:tag', ...], 'new': [...]} from (side, repository, tags) as each registry listed them, in
    the order listed; a repository a registry does not have lists no tags (None)."""
    tags = {side: [] for side in SIDES}
    for side, repository, listed in tag_lists:
        tags[side].extend(f"{repository}:{tag}" for tag in listed or [])
    return tags


def missing(old: Iterable[str], new: Iterable[str]) -> list[str]:
    """What the old registry has and the new one lacks, in the old one's order."""
    present = set(new)
    return [item for item in dict.fromkeys(old) if item not in present]


def differences(catalogs: Mapping, tags: Mapping, digests: Iterable[tuple[str, str, str | None]]) -> list[str]:
    """Every difference of the new registry from the old one: missing repositories, missing tags, and sampled tags
    whose manifest digest differs. `digests` holds (side, 'repository:tag', digest or None) for the sampled tags."""
    digests = list(digests)
    found = [f"repository {repository} missing" for repository in missing(catalogs["old"], catalogs["new"])]
    found += [f"tag {tag} missing" for tag in missing(tags["old"], tags["new"])]
    digest = {(side, tag): value or NO_DIGEST for side, tag, value in digests}
    sampled = dict.fromkeys(tag for side, tag, _digest in digests if side == "old")
    for tag in sampled:
        old, new = digest[("old", tag)], digest.get(("new", tag), NO_DIGEST)
        if old != new:
            found.append(f"tag {tag} is {new}, was {old}")
    return found
