# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a registry storage sync copies and in which order: the kinds of files in distribution's storage layout, the
skip decision against one listing of the target, and the phases. Pure: no SDK, no Ansible, no network.

The order is what keeps a registry reading the target consistent while the copy runs: every blob first, then each
repository's layer links and manifest revisions, and tag links last, a tag's `current` link before its index entry
(a tag is listed as soon as its directory exists).

A tag link is read when it is written, possibly long after the listing: by then the source's tag may name a manifest
this run never saw. Such a tag is not written (tag_is_ready) and is left to the next run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

V2_ROOT = "/docker/registry/v2"
BLOB, LAYER_LINK, MANIFEST_LINK, OTHER, TAG_LINK, TAG_INDEX, UPLOAD = (
    "blob",
    "layer_link",
    "manifest_link",
    "other",
    "tag_link",
    "tag_index",
    "upload",
)
# Kinds in the order they are written; the phase each belongs to is timed on its own.
ORDER = (BLOB, LAYER_LINK, MANIFEST_LINK, OTHER, TAG_LINK, TAG_INDEX)
PHASES = {
    BLOB: "blobs",
    LAYER_LINK: "links",
    MANIFEST_LINK: "links",
    OTHER: "links",
    TAG_LINK: "tags",
    TAG_INDEX: "tags",
}
# Deletes of extraneous objects go the other way, so that no tag is left pointing at something already removed.
DELETE_ORDER = tuple(reversed(ORDER))
COPY, SKIP, CONFLICT = "copy", "skip", "conflict"
TAG_KINDS = (TAG_LINK, TAG_INDEX)
# What a link holds: `<algorithm>:<hex>`, as distribution writes it.
LINK_DIGEST = re.compile(r"([a-z0-9]+):([a-f0-9]{32,})")


@dataclass(frozen=True)
class Entry:
    """A file of the registry's storage: its driver path (`/docker/registry/v2/...`), size and, when known, the MD5
    of its content in hex (what COS lists as the ETag of an object stored with one PUT)."""

    path: str
    size: int
    md5: str | None = None


@dataclass(frozen=True)
class Kind:
    """What a path is: its kind, the digest its path names (blobs, layer links, manifest revisions, tag index entries)
    and the repository and tag (tag links)."""

    name: str
    digest: str = ""
    repository: str = ""
    tag: str = ""


def classify(path: str) -> Kind:
    """The kind of a driver path in distribution's layout; anything unknown is OTHER and copied before the tags."""
    if not path.startswith(V2_ROOT + "/"):
        return Kind(OTHER)
    parts = path[len(V2_ROOT) + 1 :].split("/")
    if parts[0] == "blobs":
        # blobs/<algorithm>/<first two hex>/<hex>/data
        if len(parts) == 5 and parts[4] == "data" and parts[3].startswith(parts[2]):
            return Kind(BLOB, digest=f"{parts[1]}:{parts[3]}")
        return Kind(OTHER)
    if parts[0] != "repositories":
        return Kind(OTHER)
    # Repository name components never start with "_", so the first one that does ends the name.
    marker = next((index for index, part in enumerate(parts) if part.startswith("_")), None)
    if marker is None:
        return Kind(OTHER)
    repository, section, rest = "/".join(parts[1:marker]), parts[marker], parts[marker + 1 :]
    if section == "_uploads":
        return Kind(UPLOAD, repository=repository)
    if section == "_layers" and len(rest) == 3 and rest[2] == "link":
        return Kind(LAYER_LINK, digest=f"{rest[0]}:{rest[1]}", repository=repository)
    if section == "_manifests" and len(rest) == 4 and rest[0] == "revisions" and rest[3] == "link":
        return Kind(MANIFEST_LINK, digest=f"{rest[1]}:{rest[2]}", repository=repository)
    if section == "_manifests" and len(rest) >= 4 and rest[0] == "tags":
        if rest[2:] == ["current", "link"]:
            return Kind(TAG_LINK, repository=repository, tag=rest[1])
        if len(rest) == 6 and rest[2] == "index" and rest[5] == "link":
            return Kind(TAG_INDEX, digest=f"{rest[3]}:{rest[4]}", repository=repository, tag=rest[1])
    return Kind(OTHER, repository=repository)


def blob_path(digest: str) -> str:
    algorithm, hexdigest = digest.split(":", 1)
    return f"{V2_ROOT}/blobs/{algorithm}/{hexdigest[:2]}/{hexdigest}/data"


def revision_path(repository: str, digest: str) -> str:
    algorithm, hexdigest = digest.split(":", 1)
    return f"{V2_ROOT}/repositories/{repository}/_manifests/revisions/{algorithm}/{hexdigest}/link"


def current_tag_path(repository: str, tag: str) -> str:
    return f"{V2_ROOT}/repositories/{repository}/_manifests/tags/{tag}/current/link"


def tag_is_ready(path: str, link: bytes, known: set) -> bool:
    """Whether a tag link (current or index) with content `link` may be written to a target holding the paths `known`:
    the manifest it names must already be there, as that repository's revision link and as a blob. An index entry also
    waits for its tag's current link, as it makes the tag listed. A link that names no digest is never ready."""
    match = LINK_DIGEST.fullmatch(link.decode("ascii", "replace").strip())
    if not match:
        return False
    kind = classify(path)
    needed = {revision_path(kind.repository, match.group(0)), blob_path(match.group(0))}
    if kind.name == TAG_INDEX:
        needed.add(current_tag_path(kind.repository, kind.tag))
    return needed <= known


def decide(kind: str, source: Entry, target: Entry | None, overwrite_tags: bool) -> str:
    """COPY, SKIP or CONFLICT for one source file against what the target's listing shows at the same path.

    A blob is named by its digest, so the same size means the same blob; any other file must also have the same
    content. A tag that points elsewhere at the target is someone's newer push: kept unless overwrite_tags.
    """
    if target is None:
        return COPY
    same_size = target.size == source.size
    if kind == BLOB:
        return SKIP if same_size else COPY
    if same_size and source.md5 is not None and source.md5 == target.md5:
        return SKIP
    return CONFLICT if kind == TAG_LINK and not overwrite_tags else COPY


@dataclass
class Plan:
    """The files to copy, by kind in ORDER; what is skipped; differing tags; extraneous target files."""

    copies: dict = field(default_factory=lambda: {kind: [] for kind in ORDER})
    skipped: dict = field(default_factory=lambda: {kind: [] for kind in ORDER})
    conflicts: list = field(default_factory=list)
    overwritten: list = field(default_factory=list)
    extraneous: dict = field(default_factory=lambda: {kind: [] for kind in ORDER})


def plan_sync(source: list, target: dict, overwrite_tags: bool) -> Plan:
    """source: Entries of the source; target: path -> Entry of one listing of the target. Unfinished uploads are
    neither copied nor counted as extraneous (they belong to whichever registry is writing them)."""
    plan = Plan()
    source_paths = set()
    for entry in sorted(source, key=lambda item: item.path):
        kind = classify(entry.path)
        if kind.name == UPLOAD:
            continue
        source_paths.add(entry.path)
        decision = decide(kind.name, entry, target.get(entry.path), overwrite_tags)
        if decision == CONFLICT:
            plan.conflicts.append(entry)
        elif decision == SKIP:
            plan.skipped[kind.name].append(entry)
        else:
            plan.copies[kind.name].append(entry)
            if kind.name == TAG_LINK and entry.path in target:
                plan.overwritten.append(entry)
    for path in sorted(set(target) - source_paths):
        kind = classify(path)
        if kind.name != UPLOAD:
            plan.extraneous[kind.name].append(target[path])
    return plan


def totals(entries) -> dict:
    entries = list(entries)
    return {"objects": len(entries), "bytes": sum(entry.size for entry in entries)}


def by_kind(groups: dict) -> dict:
    """{"objects", "bytes", "by_kind": {kind: {"objects", "bytes"}}} of entries grouped by kind."""
    figures = totals(entry for entries in groups.values() for entry in entries)
    figures["by_kind"] = {kind: totals(groups.get(kind, [])) for kind in ORDER}
    return figures


def tag_of(entry: Entry) -> str:
    kind = classify(entry.path)
    return f"{kind.repository}:{kind.tag}"
