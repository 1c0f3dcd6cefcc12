# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a garbage collection of a registry's storage keeps and deletes, decided as distribution v3's
`registry garbage-collect` decides it, from one listing of the storage and the manifests and tag links read. Pure: no
SDK, no Ansible, no network.

The mark (distribution's registry/storage/garbagecollect.go):
- every repository's manifest revisions are its roots; with delete_untagged only those a tag's `current/link` names,
  and a repository without any tag marks nothing and queues nothing (distribution prints "manifest tags path of
  repository ... does not exist");
- a root marks its own digest and every reference: an image manifest its config and layers, an index or manifest list
  its manifests, which are followed in turn when they are revisions of the same repository. `subject` is not a
  reference (distribution's OCI manifest has no such field): a referrer lives by its own tag;
- a revision whose blob is missing is skipped, neither marked nor deleted;
- an untagged revision (delete_untagged) is deleted, with its tag index entries, unless its digest was marked anywhere
  (distribution pull request 4285); its blob goes with the sweep.
What differs, on purpose: distribution does not walk into a reference it has marked before, so an index's child first
marked from another repository (where it is no revision) keeps its manifest but loses its layers under
delete_untagged (the live-layer loss of distribution issue 4939). Here every manifest reachable from a root is walked:
a blob any tagged manifest of any repository reaches is never deleted.

The sweep: every blob not marked; layer links whose digest no repository up to this one marked, in distribution's order
of repositories (so the same links as distribution; a directory without _manifests is no repository to it, and its
links stay); the untagged revisions above. Never an object written at or after
`protect_since` (the collection's start, less a grace): the registry may have written it for a push the mark did not
see. Never anything under `_uploads` or outside the registry's tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ansible_collections.cosops.registry.plugins.module_utils._rules.sync_plan import (
    BLOB,
    LAYER_LINK,
    LINK_DIGEST,
    MANIFEST_LINK,
    TAG_INDEX,
    TAG_LINK,
    UPLOAD,
    V2_ROOT,
    classify,
)

# distribution reads at most this much of a manifest (registry/storage/io.go); a larger one fails its collection.
MANIFEST_LIMIT = 4 * 1024 * 1024
SCHEMA2_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
IMAGE_TYPES = (SCHEMA2_MANIFEST, OCI_MANIFEST)
INDEX_TYPES = (MANIFEST_LIST, OCI_INDEX)
NO_REPOSITORY = ""


class ManifestError(ValueError):
    """A manifest distribution's collector cannot read either: the collection stops, as distribution's does."""


@dataclass(frozen=True)
class Stored:
    """One object of the listing: its driver path, size and LastModified (seconds since the epoch)."""

    path: str
    size: int
    modified: float


@dataclass
class Repository:
    name: str
    revisions: dict = field(default_factory=dict)  # digest -> Stored revision link
    layers: dict = field(default_factory=dict)  # digest -> Stored layer link
    tags: dict = field(default_factory=dict)  # tag -> Stored current link
    tag_index: dict = field(default_factory=dict)  # tag -> {digest: Stored index link}
    uploads: dict = field(default_factory=dict)  # upload id -> [Stored]
    # Any object under _manifests/: distribution's walk of repositories/ takes the directory for a repository.
    has_manifests: bool = False
    # Any object under _manifests/tags/: distribution's tag listing finds the directory.
    has_tags: bool = False


@dataclass
class Storage:
    """The registry's tree as one listing shows it."""

    blobs: dict = field(default_factory=dict)  # digest -> Stored data
    repositories: dict = field(default_factory=dict)  # name -> Repository

    def repository(self, name: str) -> Repository:
        return self.repositories.setdefault(name, Repository(name))

    def visited(self) -> list:
        """The repositories distribution's collector visits, in its order: those with a _manifests directory (a
        repository holding only layer links or uploads is none of its repositories)."""
        return repository_order(name for name, repo in self.repositories.items() if repo.has_manifests)

    def manifest_digests(self) -> set:
        """Digests of every revision whose blob is there: the manifests to read."""
        return {digest for repo in self.repositories.values() for digest in repo.revisions if digest in self.blobs}

    def tag_links(self) -> list:
        """(repository, tag, Stored) of every tag's current link: the links to read."""
        return [(repo.name, tag, link) for repo in self.repositories.values() for tag, link in repo.tags.items()]


def storage_of(objects) -> Storage:
    """The Storage of listed objects (Stored); what is not the registry's layout is left out."""
    storage = Storage()
    for stored in objects:
        kind = classify(stored.path)
        if kind.name == BLOB:
            storage.blobs[kind.digest] = stored
        elif not kind.repository:
            continue
        repo = storage.repository(kind.repository)
        if kind.name == LAYER_LINK:
            repo.layers[kind.digest] = stored
        elif kind.name == MANIFEST_LINK:
            repo.revisions[kind.digest] = stored
        elif kind.name == TAG_LINK:
            repo.tags[kind.tag] = stored
        elif kind.name == TAG_INDEX:
            repo.tag_index.setdefault(kind.tag, {})[kind.digest] = stored
        elif kind.name == UPLOAD:
            repo.uploads.setdefault(upload_id(stored.path, kind.repository), []).append(stored)
        if "/_manifests/" in stored.path:
            repo.has_manifests = True
        if "/_manifests/tags/" in stored.path:
            repo.has_tags = True
    return storage


def upload_id(path: str, repository: str) -> str:
    rest = path[len(f"{V2_ROOT}/repositories/{repository}/_uploads/") :]
    return rest.split("/", 1)[0]


def link_digest(content: bytes) -> str:
    """The digest a link holds, or '' when it holds none."""
    text = content.decode("ascii", "replace").strip()
    return text if LINK_DIGEST.fullmatch(text) else ""


@dataclass(frozen=True)
class Manifest:
    """What the mark needs of a manifest: its type, what it references, and its subject (reported, not followed)."""

    media_type: str
    references: tuple = ()
    subject: str = ""

    def as_dict(self) -> dict:
        return {"media_type": self.media_type, "references": list(self.references), "subject": self.subject}

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        return cls(data["media_type"], tuple(data["references"]), data.get("subject", ""))


def parse_manifest(digest: str, content: bytes) -> Manifest:
    """A manifest's references, as distribution's manifest store reads them (registry/storage/manifeststore.go)."""
    if len(content) > MANIFEST_LIMIT:
        raise ManifestError(f"manifest {digest} is {len(content)} bytes, more than distribution reads")
    try:
        document = json.loads(content)
    except ValueError as error:
        raise ManifestError(f"manifest {digest} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("schemaVersion") != 2:
        version = document.get("schemaVersion") if isinstance(document, dict) else None
        raise ManifestError(f"manifest {digest} has schema version {version!r}; only version 2 is collected")
    media_type = document.get("mediaType") or ""
    if not media_type:
        # OCI content without a media type: an index when it has manifests, an image manifest otherwise.
        media_type = OCI_INDEX if document.get("manifests") is not None else OCI_MANIFEST
    if media_type in INDEX_TYPES:
        references = [item.get("digest", "") for item in document.get("manifests") or []]
    elif media_type in IMAGE_TYPES:
        config = document.get("config") or {}
        references = [config.get("digest", "")] + [item.get("digest", "") for item in document.get("layers") or []]
    else:
        raise ManifestError(f"manifest {digest} has the unrecognized media type {media_type}")
    subject = (document.get("subject") or {}).get("digest", "")
    return Manifest(media_type, tuple(reference for reference in references if reference), subject)


def repository_order(names) -> list:
    """Repositories in the order distribution's collector visits them: its walk of repositories/ in key order meets a
    repository at its _manifests directory."""
    return sorted(names, key=lambda name: f"{name}/_manifests/")


@dataclass
class Mark:
    """What the mark found: every marked digest, the digests each repository marked, the untagged revisions queued for
    deletion (delete_untagged) and the repositories without tags whose untagged revisions were left alone."""

    marked: set = field(default_factory=set)
    by_repository: dict = field(default_factory=dict)
    untagged: list = field(default_factory=list)
    without_tags: list = field(default_factory=list)


def tagged_digests(repo: Repository, tag_targets: dict) -> set:
    """Digests a tag's current link of the repository names; tag_targets: (repository, tag) -> digest."""
    return {tag_targets[(repo.name, tag)] for tag in repo.tags if tag_targets.get((repo.name, tag))}


def mark(storage: Storage, tag_targets: dict, manifests: dict, delete_untagged: bool) -> Mark:
    """Mark from every repository's roots; manifests: digest -> Manifest of every revision whose blob is there."""
    result = Mark()
    for name in storage.visited():
        repo = storage.repositories[name]
        present = {digest for digest in repo.revisions if digest in storage.blobs}
        roots = present
        if delete_untagged:
            roots = present & tagged_digests(repo, tag_targets)
            if not repo.has_tags:
                if present:
                    result.without_tags.append(name)
            else:
                result.untagged.extend((name, digest) for digest in sorted(present - roots))
        reached = reachable(roots, present, manifests)
        result.by_repository[name] = reached
        result.marked |= reached
    result.untagged = [(name, digest) for name, digest in result.untagged if digest not in result.marked]
    return result


def reachable(roots: set, revisions: set, manifests: dict) -> set:
    """Every digest the roots reach: the roots, their references, and the references of those that are revisions of
    the same repository, walked to the end (a digest met again is not a reason to stop)."""
    seen, pending, found = set(), sorted(roots), set(roots)
    while pending:
        digest = pending.pop()
        if digest in seen:
            continue
        seen.add(digest)
        for reference in manifests[digest].references:
            found.add(reference)
            if reference in revisions and reference not in seen:
                pending.append(reference)
    return found


@dataclass
class Sweep:
    """What a collection deletes, and what it keeps only because it is recent."""

    blobs: list = field(default_factory=list)  # Stored blob data
    manifests: list = field(default_factory=list)  # (repository, digest, [Stored revision and index links])
    layer_links: list = field(default_factory=list)  # (repository, digest, Stored)
    kept_recent: list = field(default_factory=list)  # Stored objects the mark did not keep, written too recently

    def paths(self) -> list:
        """Every object to delete, links before blob data: a registry never sees a link to a deleted blob."""
        links = [stored.path for _repo, _digest, stored_links in self.manifests for stored in stored_links]
        links += [stored.path for _repo, _digest, stored in self.layer_links]
        return links + [stored.path for stored in self.blobs]


def sweep(storage: Storage, marked: Mark, protect_since: float) -> Sweep:
    """The deletions the mark decides, less every object written at or after protect_since."""
    result = Sweep()

    def deletable(stored: Stored) -> bool:
        if stored.modified >= protect_since:
            result.kept_recent.append(stored)
            return False
        return True

    for name, digest in marked.untagged:
        repo = storage.repositories[name]
        links = [repo.revisions[digest]] + [entries[digest] for entries in repo.tag_index.values() if digest in entries]
        # Every link is looked at, so that each recent one is reported.
        recent = [stored for stored in links if not deletable(stored)]
        if not recent:
            result.manifests.append((name, digest, links))
    so_far = set()
    for name in storage.visited():
        so_far |= marked.by_repository[name]
        repo = storage.repositories[name]
        for digest, stored in sorted(repo.layers.items()):
            if digest not in so_far and deletable(stored):
                result.layer_links.append((name, digest, stored))
    for digest, stored in sorted(storage.blobs.items()):
        if digest not in marked.marked and deletable(stored):
            result.blobs.append(stored)
    return result


def digest_of(path: str) -> str:
    return classify(path).digest


def linking_repositories(storage: Storage) -> dict:
    """digest -> names of the repositories that link it (layer link or revision)."""
    linked = {}
    for repo in storage.repositories.values():
        for digest in [*repo.layers, *repo.revisions]:
            linked.setdefault(digest, set()).add(repo.name)
    return linked


def bytes_by_repository(storage: Storage, blobs: list) -> dict:
    """{repository: {"blobs", "bytes"}} of blobs, each counted under every repository that links it ('' when none)."""
    linked = linking_repositories(storage)
    figures = {}
    for stored in blobs:
        for name in sorted(linked.get(digest_of(stored.path)) or {NO_REPOSITORY}):
            entry = figures.setdefault(name, {"blobs": 0, "bytes": 0})
            entry["blobs"] += 1
            entry["bytes"] += stored.size
    return figures


def leftover_uploads(storage: Storage, now: float) -> list:
    """Unfinished uploads (never deleted here), oldest first: repository, id, bytes, age in seconds."""
    uploads = [
        {
            "repository": repo.name,
            "id": upload,
            "bytes": sum(stored.size for stored in objects),
            "age_seconds": int(now - min(stored.modified for stored in objects)),
        }
        for repo in storage.repositories.values()
        for upload, objects in repo.uploads.items()
    ]
    return sorted(uploads, key=lambda item: (-item["age_seconds"], item["repository"], item["id"]))


def missing_for_tags(storage: Storage, tag_targets: dict, manifests: dict) -> list:
    """What each tag needs and the storage lacks, as 'repository:tag: what' sentences: the tag's manifest and the
    revisions it reaches in the repository (revision link and blob), and every other blob it references (blob and the
    repository's layer link)."""
    problems = []
    for name in sorted(storage.repositories):
        repo = storage.repositories[name]
        for tag in sorted(repo.tags):
            target = tag_targets.get((name, tag))
            if not target:
                continue
            problems += [f"{name}:{tag}: {problem}" for problem in tag_problems(storage, repo, target, manifests)]
    return problems


def tag_problems(storage: Storage, repo: Repository, target: str, manifests: dict) -> list:
    problems, pending, seen = [], [target], set()
    while pending:
        digest = pending.pop()
        if digest in seen:
            continue
        seen.add(digest)
        if digest not in repo.revisions:
            problems.append(f"manifest {digest} has no revision link")
        if digest not in storage.blobs:
            problems.append(f"manifest {digest} has no blob")
            continue
        for reference in manifests[digest].references if digest in manifests else ():
            if reference in repo.revisions or reference in manifests:
                pending.append(reference)
            elif reference not in storage.blobs:
                problems.append(f"blob {reference} is missing")
            elif reference not in repo.layers:
                problems.append(f"blob {reference} has no layer link")
    return problems


def cache_commands(deleted: dict) -> list:
    """Redis commands that forget deleted blobs in distribution's blob descriptor cache
    (registry/storage/cache/redis/redis.go): the global hash `blobs::<digest>`, and for every repository the
    membership in `repository::<name>::blobs` and the hash `repository::<name>::blobs::<digest>`.
    deleted: digest -> names of the repositories that linked it."""
    commands = []
    for digest in sorted(deleted):
        commands.append(("DEL", f"blobs::{digest}"))
        for name in sorted(deleted[digest]):
            commands.append(("SREM", f"repository::{name}::blobs", digest))
            commands.append(("DEL", f"repository::{name}::blobs::{digest}"))
    return commands
