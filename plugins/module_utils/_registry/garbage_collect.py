# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What registry_garbage_collect runs: distribution's mark and sweep over the COS driver, split so that the registry
is read-only only for the sweep.

- mark (registry read-write): one flat listing of the registry's tree, every tag's current link and every manifest
  read, maxconcurrency at a time; the collection's start time, listing and reads are kept in a state file.
- sweep (registry read-only): after a settle time for listings to catch up with the last writes, one listing again;
  only what changed since the mark (new objects, rewritten tag links) is read. If anything was written after the sweep
  began, a replica is still taking pushes and nothing is deleted. Otherwise the mark is made again over everything and
  what it does not keep is deleted in batches of 1000, links before blobs - never an object written at or after the
  mark's start less a grace, never an upload. The redis blob descriptor cache then forgets the deleted blobs.
- verify (any time after): every tag's manifest, the revisions it reaches and their blobs and layer links are there;
  one that lacks something this collection deleted fails the run.
- mark_and_sweep: both at once, for a registry that is read-only or stopped throughout, and for reports (check mode).

The decisions are gc_mark's; this module lists, reads, deletes and keeps the time and the requests.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.cosops.registry.plugins.module_utils._cos.bucket import read_versioning
from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import delete_objects, object_versions
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver
from ansible_collections.cosops.registry.plugins.module_utils._registry.blob_cache import run_commands
from ansible_collections.cosops.registry.plugins.module_utils._rules.gc_mark import (
    V2_ROOT,
    Manifest,
    ManifestError,
    Storage,
    Stored,
    bytes_by_repository,
    cache_commands,
    digest_of,
    leftover_uploads,
    link_digest,
    linking_repositories,
    mark,
    missing_for_tags,
    parse_manifest,
    storage_of,
    sweep,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_paths import PathNotFoundError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

STATE_VERSION = 1
# Lines of the report that list single objects, at most.
SHOWN = 20


class CollectionError(Exception):
    """The collection stopped, in one sentence; nothing was deleted unless the sentence says so."""


class Reads:
    """What was read: tag current links (path -> [LastModified, digest]) and manifests (digest -> Manifest)."""

    def __init__(self, tags: dict | None = None, manifests: dict | None = None):
        self.tags = tags or {}
        self.manifests = manifests or {}

    def tag_targets(self, storage: Storage) -> dict:
        """(repository, tag) -> digest of every tag link in storage that names one."""
        return {
            (name, tag): self.tags[link.path][1]
            for name, tag, link in storage.tag_links()
            if self.tags.get(link.path, (0, ""))[1]
        }

    def as_dict(self) -> dict:
        return {
            "tags": self.tags,
            "manifests": {digest: manifest.as_dict() for digest, manifest in self.manifests.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Reads:
        return cls(
            {path: tuple(value) for path, value in data["tags"].items()},
            {digest: Manifest.from_dict(value) for digest, value in data["manifests"].items()},
        )


class Collector:
    """One phase of a collection on the storage the driver reaches. warn(str) reports what a person should know."""

    def __init__(
        self,
        driver: CosDriver,
        delete_untagged: bool = False,
        settle: float = 5,
        grace: float = 0,
        warn=lambda message: None,
        clock=time.time,
        sleep=time.sleep,
    ):
        self.driver = driver
        self.delete_untagged = delete_untagged
        self.settle = settle
        self.grace = grace
        self.warn = warn
        self.clock = clock
        self.sleep = sleep
        self.seconds = {}

    @contextlib.contextmanager
    def timed(self, name: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0) + time.monotonic() - started, 3)

    # Listing and reading.

    def listing(self) -> list:
        """Every object of the registry's tree, from the driver's flat walk (one request per 1000 objects)."""
        found = []

        def visit(info) -> None:
            if not info.is_dir:
                found.append(Stored(info.path, info.size, info.mod_time.timestamp()))

        with self.timed("listing"):
            self.driver.walk(V2_ROOT, visit)
        return found

    def fetch(self, paths: list) -> dict:
        """path -> content of each path (None when it is gone), maxconcurrency reads at a time."""

        def read(path: str):
            try:
                return self.driver.get_content(path)
            except PathNotFoundError:
                return None

        with self.timed("reading"), ThreadPoolExecutor(self.driver.config.maxconcurrency, "gc-read") as pool:
            return dict(zip(paths, pool.map(read, paths)))

    def read(self, storage: Storage, previous: Reads | None = None) -> Reads:
        """Tag links and manifests of storage; what previous read and has not been written again since is reused."""
        previous = previous or Reads()
        tags = {
            link.path: previous.tags[link.path]
            for _name, _tag, link in storage.tag_links()
            if previous.tags.get(link.path, (None,))[0] == link.modified
        }
        manifests = {
            digest: previous.manifests[digest] for digest in storage.manifest_digests() & set(previous.manifests)
        }
        tag_links = {link.path: link for _name, _tag, link in storage.tag_links() if link.path not in tags}
        blobs = {storage.blobs[digest].path: digest for digest in storage.manifest_digests() - set(manifests)}
        contents = self.fetch([*tag_links, *blobs])
        for path, link in tag_links.items():
            tags[path] = (link.modified, link_digest(contents[path] or b""))
        for path, digest in blobs.items():
            if contents[path] is None:
                # Deleted since the listing: distribution skips a revision whose blob is missing, and so does the mark.
                del storage.blobs[digest]
                continue
            try:
                manifests[digest] = parse_manifest(digest, contents[path])
            except ManifestError as error:
                raise CollectionError(f"{error}: nothing was deleted.") from None
        return Reads(tags, manifests)

    def survey(self, previous: Reads | None = None) -> tuple:
        """(storage, reads, mark) of the storage as it is now."""
        storage = storage_of(self.listing())
        reads = self.read(storage, previous)
        marked = mark(storage, reads.tag_targets(storage), reads.manifests, self.delete_untagged)
        return storage, reads, marked

    # The phases.

    def mark_phase(self) -> dict:
        """Phase 1: the state the sweep starts from, with a report of what would be deleted now."""
        started = self.clock()
        storage, reads, marked = self.survey()
        plan = sweep(storage, marked, started - self.grace)
        state = {
            "version": STATE_VERSION,
            "location": self.location(),
            "delete_untagged": self.delete_untagged,
            "started": started,
            "reads": reads.as_dict(),
        }
        return {"state": state, "storage": storage, "mark": marked, "plan": plan}

    def sweep_phase(self, state: dict, check_mode: bool, redis: dict | None = None) -> dict:
        """Phase 2, with every replica read-only: settle, survey again, refuse if anything is still being written,
        delete what the mark does not keep and clear the redis cache."""
        self.check_state(state)
        began = self.clock()
        with self.timed("settle"):
            self.sleep(self.settle)
        storage, reads, marked = self.survey(Reads.from_dict(state["reads"]))
        written = still_written(storage, began)
        if written:
            shown = ", ".join(stored.path for stored in written[:5])
            raise CollectionError(
                f"{len(written)} objects were written after the registry was to be read-only ({shown}): a replica is"
                " still taking pushes. Nothing was deleted."
            )
        plan = sweep(storage, marked, state["started"] - self.grace)
        cleared = 0
        if not check_mode:
            self.delete(plan.paths())
            if redis and redis.get("addr"):
                cleared = self.clear_cache(storage, plan, redis)
        state = dict(state, swept=plan.paths(), swept_at=self.clock(), reads=reads.as_dict())
        return {"state": state, "storage": storage, "mark": marked, "plan": plan, "cache_commands": cleared}

    def mark_and_sweep(self, check_mode: bool, redis: dict | None = None) -> dict:
        """Both phases in one, for a registry that stays read-only (or stopped) throughout."""
        marked = self.mark_phase()
        if not check_mode:
            self.delete(marked["plan"].paths())
            if redis and redis.get("addr"):
                marked["cache_commands"] = self.clear_cache(marked["storage"], marked["plan"], redis)
        marked["state"]["swept"] = marked["plan"].paths()
        return marked

    def verify_phase(self, state: dict) -> dict:
        """Phase 3: what every tag needs is there; problems with what this collection deleted are errors."""
        self.check_state(state)
        storage, reads, _marked = self.survey(Reads.from_dict(state["reads"]))
        problems = missing_for_tags(storage, reads.tag_targets(storage), reads.manifests)
        swept = {digest_of(path) for path in state.get("swept", [])}
        caused = [problem for problem in problems if any(digest in problem for digest in swept if digest)]
        for problem in problems:
            if problem not in caused:
                self.warn(f"{problem} (not deleted by this collection)")
        return {"storage": storage, "tags": len(storage.tag_links()), "problems": problems, "caused": caused}

    # Effects.

    def delete(self, paths: list) -> None:
        with self.timed("deleting"):
            keys = ({"Key": self.driver.keys.key(path)} for path in paths)
            delete_objects(self.driver.api, self.driver.bucket, keys)

    def clear_cache(self, storage: Storage, plan, redis: dict) -> int:
        linked = linking_repositories(storage)
        deleted = {digest_of(stored.path): linked.get(digest_of(stored.path), set()) for stored in plan.blobs}
        commands = cache_commands(deleted)
        with self.timed("cache"):
            run_commands(redis["addr"], commands, redis.get("password") or "", redis.get("db") or 0)
        return len(commands)

    def noncurrent_versions(self) -> dict | None:
        """Objects and bytes of noncurrent versions and delete markers under the registry's tree, when the bucket
        keeps versions: they are what deleted objects become, and they keep costing."""
        api, bucket = self.driver.api, self.driver.bucket
        try:
            if read_versioning(api, bucket) == "disabled":
                return None
        except TencentCloudError as error:
            if error.status != 403:
                raise
            # A registry's least-privilege key may not read bucket settings: the report goes without.
            self.warn(
                f"noncurrent versions not counted: these keys may not read the bucket's versioning ({error.code})"
            )
            return None
        figures = {"objects": 0, "bytes": 0, "delete_markers": 0}
        with self.timed("versions"):
            for item in object_versions(api, bucket, self.driver.keys.directory_prefix(V2_ROOT)):
                if "Size" not in item:
                    figures["delete_markers"] += 1
                elif str(item.get("IsLatest", "true")).lower() != "true":
                    figures["objects"] += 1
                    figures["bytes"] += int(item["Size"])
        return figures

    def location(self) -> str:
        return f"{self.driver.bucket}/{self.driver.keys.root}"

    def check_state(self, state: dict) -> None:
        if state.get("version") != STATE_VERSION or state.get("location") != self.location():
            raise CollectionError(
                f"the state file is of another collection ({state.get('location')}), not of {self.location()}:"
                " run the mark phase first."
            )
        if state.get("delete_untagged") != self.delete_untagged:
            raise CollectionError("delete_untagged must be the same in the sweep as in the mark.")


def still_written(storage: Storage, since: float) -> list:
    """Objects written at or after `since`, uploads included: any is a write a read-only registry would not make."""
    objects = list(storage.blobs.values())
    for repo in storage.repositories.values():
        objects += [*repo.revisions.values(), *repo.layers.values(), *repo.tags.values()]
        objects += [stored for entries in repo.tag_index.values() for stored in entries.values()]
        objects += [stored for entries in repo.uploads.values() for stored in entries]
    # LastModified is given in whole seconds: an object of the second the sweep began may be older than it.
    return sorted((stored for stored in objects if stored.modified >= int(since) + 1), key=lambda item: item.path)


def load_state(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as source:
            return json.load(source)
    except FileNotFoundError:
        raise CollectionError(f"state_file {path} does not exist: run the mark phase first.") from None
    except ValueError as error:
        raise CollectionError(f"state_file {path} is not a collection's state: {error}") from None


def save_state(path: str, state: dict) -> None:
    """Written whole or not at all, readable by its owner only."""
    temporary = f"{path}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as target:
        json.dump(state, target, separators=(",", ":"))
    os.replace(temporary, path)


def report(outcome: dict, now: float) -> dict:
    """The result's figures of a phase that planned a sweep: what is (or would be) deleted, by repository, leftover
    uploads and the lines of a readable report."""
    storage, plan, marked = outcome["storage"], outcome["plan"], outcome["mark"]
    deleted = {
        "blobs": len(plan.blobs),
        "bytes": sum(stored.size for stored in plan.blobs),
        "manifests": len(plan.manifests),
        "layer_links": len(plan.layer_links),
        "objects": len(plan.paths()),
    }
    return {
        "blobs": len(storage.blobs),
        "repositories": len(storage.repositories),
        "marked": len(marked.marked),
        "deleted": deleted,
        "deleted_blobs": sorted(digest_of(stored.path) for stored in plan.blobs),
        "deleted_manifests": [f"{name}@{digest}" for name, digest, _links in plan.manifests],
        "deleted_layer_links": [f"{name}@{digest}" for name, digest, _stored in plan.layer_links],
        "kept_recent": len(plan.kept_recent),
        "by_repository": bytes_by_repository(storage, plan.blobs),
        "repositories_without_tags": marked.without_tags,
        "uploads": leftover_uploads(storage, now),
    }


def report_lines(figures: dict, check_mode: bool, versions: dict | None) -> list:
    verb = "would delete" if check_mode else "deleted"
    deleted = figures["deleted"]
    lines = [
        f"{verb} {deleted['blobs']} blobs ({deleted['bytes']} bytes), {deleted['manifests']} untagged manifests and"
        f" {deleted['layer_links']} layer links; {figures['marked']} digests marked in {figures['repositories']}"
        f" repositories, {figures['kept_recent']} objects kept as written since the collection began",
    ]
    by_repository = sorted(figures["by_repository"].items(), key=lambda item: -item[1]["bytes"])
    for name, entry in by_repository[:SHOWN]:
        lines.append(f"  {name or '(linked by no repository)'}: {entry['blobs']} blobs, {entry['bytes']} bytes")
    if len(by_repository) > SHOWN:
        lines.append(f"  ... and {len(by_repository) - SHOWN} more repositories")
    uploads = figures["uploads"]
    if uploads:
        oldest = uploads[0]
        lines.append(
            f"{len(uploads)} unfinished uploads ({sum(item['bytes'] for item in uploads)} bytes), never deleted here;"
            f" the oldest {oldest['age_seconds'] // 3600} h old in {oldest['repository']} (the registry's upload"
            " purging or a lifecycle rule removes them)"
        )
    for name in figures["repositories_without_tags"]:
        lines.append(f"{name} has no tags: its untagged manifests stay, their blobs go (as distribution does)")
    if versions is not None:
        lines.append(
            f"the bucket keeps versions: {versions['objects']} noncurrent versions ({versions['bytes']} bytes) and"
            f" {versions['delete_markers']} delete markers under the registry's tree keep costing until a lifecycle"
            " rule expires them"
        )
    return lines
