# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What registry_storage_sync runs: a registry's storage (a filesystem driver's directory or another COS location)
copied into the registry's COS storage through the COS driver, in storage_sync_plan's order, every blob's digest
checked while it is read.

Memory stays near chunksize x (maxconcurrency + 1): files smaller than a chunk are copied maxconcurrency at a time,
each read whole; larger blobs one at a time, streamed through the driver's writer with maxconcurrency parts in flight.
Nothing at the target is ever incomplete: small files are one PUT, large ones a multipart upload completed only once
the digest matched, and aborted on any failure or signal. An upload left by a killed run is aborted by the next run.

A source that keeps taking pushes is listed links first, blobs last: a registry writes blobs before the links naming
them, so every link listed names blobs the later blob listing sees. Tag links are read when written; one that names a
manifest not at the target by then is deferred to the next run rather than written.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from ansible_collections.cosops.registry.plugins.module_utils._cos.bucket import read_setting, require_region
from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import (
    delete_objects,
    multipart_uploads,
    object_pages,
    objects,
)
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import READ_CHUNK, CosDriver
from ansible_collections.cosops.registry.plugins.module_utils._rules.shapes import as_list
from ansible_collections.cosops.registry.plugins.module_utils._rules.sync_plan import (
    BLOB,
    DELETE_ORDER,
    ORDER,
    PHASES,
    TAG_KINDS,
    V2_ROOT,
    Entry,
    Plan,
    by_kind,
    classify,
    plan_sync,
    tag_is_ready,
    tag_of,
    totals,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

MB = 1000 * 1000
SHOWN_BLOBS = 5


class CorruptBlob(Exception):
    """A source blob whose bytes do not hash to the digest it is stored under."""

    def __init__(self, path: str, digest: str, found: str):
        self.path = path
        super().__init__(f"{digest} ({path}) {found}")


class SyncError(Exception):
    """The sync stopped for a reason that is the source's, said in one sentence."""


def links_first(name: str) -> tuple:
    """Sort key of the top directories of the registry's tree: repositories/ (the links) first, blobs/ last."""
    return (name == "blobs", name != "repositories", name)


class FilesystemSource:
    """A filesystem driver's root directory: `<root>/docker/registry/v2/...`."""

    def __init__(self, root: str):
        self.root = Path(root)
        self.description = str(self.root)
        if not (self.root / V2_ROOT.lstrip("/")).is_dir():
            raise ValidationError(
                f"src_path {root!r} must be a registry's filesystem root directory, holding {V2_ROOT.lstrip('/')}."
            )

    def entries(self) -> list:
        found = []
        top = self.root / V2_ROOT.lstrip("/")
        for directory, subdirectories, files in os.walk(top):
            # Unfinished uploads are not copied: no need to walk them.
            subdirectories[:] = [name for name in subdirectories if name != "_uploads"]
            # Links before blobs (see above). Inside a repository, names in reverse order read tags before manifest
            # revisions before layer links: the reverse of the order a registry writes them in.
            if Path(directory) == top:
                subdirectories.sort(key=links_first)
            else:
                subdirectories.sort(reverse=True)
            for name in files:
                path = Path(directory) / name
                driver_path = "/" + path.relative_to(self.root).as_posix()
                size = path.stat().st_size
                # Links are a few bytes: their MD5 is what compares them with the target's listing.
                md5 = None if classify(driver_path).name == BLOB else hashlib.md5(path.read_bytes()).hexdigest()
                found.append(Entry(driver_path, size, md5))
        return found

    def open(self, path: str):
        return (self.root / path.lstrip("/")).open("rb")


class CosSource:
    """Another COS location holding a registry's storage, read through the COS driver."""

    def __init__(self, driver: CosDriver):
        self.driver = driver
        self.description = f"{driver.bucket}/{driver.config.rootdirectory}".rstrip("/")

    def entries(self) -> list:
        try:
            return links_first_listing(self.driver)
        except TencentCloudError as error:
            if error.code == "NoSuchBucket":
                require_region(self.driver.api, self.driver.bucket, self.driver.api.region, "src_cos.region")
            raise

    def open(self, path: str):
        return self.driver.reader(path)


def listing(driver: CosDriver) -> list:
    """Every object of the registry's tree, from one flat listing (about one request per 1000 objects)."""
    return entries_of(driver, objects(driver.api, driver.bucket, driver.keys.directory_prefix(V2_ROOT)))


def links_first_listing(driver: CosDriver) -> list:
    """Every object of the registry's tree, the repositories/ prefix listed before blobs/ (a flat listing would give
    blobs/ first). One request more than listing(): the top level, with a delimiter, so that files and directories
    other than these two are listed too."""
    files, directories = [], []
    for page in object_pages(driver.api, driver.bucket, driver.keys.directory_prefix(V2_ROOT), delimiter="/"):
        files += as_list(page.get("Contents"))
        directories += [item["Prefix"] for item in as_list(page.get("CommonPrefixes"))]
    directories.sort(key=lambda prefix: links_first(prefix.rstrip("/").rsplit("/", 1)[-1]))
    below = (item for prefix in directories for item in objects(driver.api, driver.bucket, prefix))
    return entries_of(driver, [*files, *below])


def entries_of(driver: CosDriver, items) -> list:
    return [
        Entry(driver.keys.path(item["Key"]), int(item["Size"]), item.get("ETag", "").strip('"') or None)
        for item in items
        if not item["Key"].endswith("/")
    ]


def copy_parallel(copy, entries: list, workers: int) -> list:
    """copy(entry) for every entry, `workers` at a time; the exceptions they raised, in entry order. On a signal
    (or any error of this thread) what has not started is cancelled and what has is let finish."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cos-sync")
    futures = []
    try:
        futures = [pool.submit(copy, entry) for entry in entries]
        wait(futures)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [future.exception() for future in futures if future.exception() is not None]


class StorageSync:
    def __init__(self, source, target: CosDriver, warn, overwrite_tags: bool = False, delete_extraneous: bool = False):
        self.source = source
        self.target = target
        self.overwrite_tags = overwrite_tags
        self.delete_extraneous = delete_extraneous
        self.chunk = target.config.chunksize
        self.workers = target.config.maxconcurrency
        self.seconds = {"listing": 0.0, "blobs": 0.0, "links": 0.0, "tags": 0.0, "delete": 0.0}
        self.verified: list = []
        self.warn = warn
        # Paths at the target: its listing, then what this run wrote; a tag is written only once its manifest is here.
        self.known: set = set()
        self.known_lock = threading.Lock()
        self.deferred: list = []

    def run(self, check_mode: bool) -> dict:
        started = time.monotonic()
        plan = self.timed("listing", lambda: self.plan(check_mode))
        aborted = 0
        if not check_mode:
            aborted = self.timed("listing", lambda: self.abort_stale_uploads(plan))
            for kind in ORDER:
                self.timed(PHASES[kind], lambda: self.copy_kind(kind, plan.copies[kind]))
            if self.delete_extraneous:
                self.timed("delete", lambda: self.delete(plan))
        return self.result(plan, check_mode, aborted, time.monotonic() - started)

    def timed(self, phase: str, step):
        started = time.monotonic()
        try:
            return step()
        finally:
            self.seconds[phase] += time.monotonic() - started

    def plan(self, check_mode: bool) -> Plan:
        listed = read_setting(
            self.target.api, self.target.bucket, lambda _api, _bucket: listing(self.target), [], check_mode, self.warn
        )
        target = {entry.path: entry for entry in listed}
        self.known = set(target)
        return plan_sync(self.source.entries(), target, self.overwrite_tags)

    def abort_stale_uploads(self, plan: Plan) -> int:
        """Abort the multipart uploads a killed run left on blobs this run is about to write."""
        keys = {self.target.keys.key(entry.path) for entry in plan.copies[BLOB] if entry.size >= self.chunk}
        if not keys:
            return 0
        prefix = self.target.keys.directory_prefix(V2_ROOT + "/blobs")
        stale = [
            upload for upload in multipart_uploads(self.target.api, self.target.bucket, prefix) if upload["Key"] in keys
        ]
        for upload in stale:
            self.target.uploads.abort(upload["Key"], upload["UploadId"])
        return len(stale)

    def copy_kind(self, kind: str, entries: list) -> None:
        small = [entry for entry in entries if entry.size < self.chunk]
        failures = copy_parallel(self.copy_tag if kind in TAG_KINDS else self.copy_small, small, self.workers)
        for entry in entries:
            if entry.size >= self.chunk:
                try:
                    self.copy_large(entry)
                except CorruptBlob as corrupt:
                    failures.append(corrupt)
        corrupt = [failure for failure in failures if isinstance(failure, CorruptBlob)]
        others = [failure for failure in failures if not isinstance(failure, CorruptBlob)]
        if others:
            raise others[0]
        if corrupt:
            # Nothing that could refer to a corrupt blob (links, tags) is copied after it.
            shown = "; ".join(str(failure) for failure in corrupt[:SHOWN_BLOBS])
            raise SyncError(
                f"{len(corrupt)} blobs of {self.source.description} do not match their digest and were not copied:"
                f" {shown}. Nothing after the blobs was copied; repair or remove them at the source and run again."
            )

    def copy_small(self, entry: Entry) -> None:
        with self.source.open(entry.path) as reader:
            data = reader.read()
        self.check_digest(entry, hashlib.sha256(data))
        self.write(entry, data)

    def copy_tag(self, entry: Entry) -> None:
        """A tag link as the source has it now, written only if the manifest it names is at the target."""
        with self.source.open(entry.path) as reader:
            data = reader.read()
        with self.known_lock:
            ready = tag_is_ready(entry.path, data, self.known)
            if not ready:
                self.deferred.append(entry)
        if ready:
            self.write(entry, data)

    def write(self, entry: Entry, data: bytes) -> None:
        self.target.put_key(self.target.keys.key(entry.path), data)
        self.mark_written(entry)

    def mark_written(self, entry: Entry) -> None:
        with self.known_lock:
            self.known.add(entry.path)

    def copy_large(self, entry: Entry) -> None:
        """Streamed in parts; the multipart upload is completed only when the bytes match the digest."""
        digest = hashlib.sha256()
        with self.source.open(entry.path) as reader, self.target.writer(entry.path) as writer:
            for chunk in iter(lambda: reader.read(READ_CHUNK), b""):
                digest.update(chunk)
                writer.write(chunk)
            try:
                self.check_digest(entry, digest)
            except CorruptBlob:
                writer.cancel()
                raise
            writer.commit()
        self.mark_written(entry)

    def check_digest(self, entry: Entry, digest) -> None:
        """A blob's bytes must hash to the digest in its path; other files are not named by their content."""
        kind = classify(entry.path)
        if kind.name != BLOB:
            return
        algorithm, expected = kind.digest.split(":", 1)
        if algorithm != "sha256":
            raise CorruptBlob(
                entry.path, kind.digest, "is not named by a sha256 digest, which is all a registry writes"
            )
        if digest.hexdigest() != expected:
            raise CorruptBlob(entry.path, kind.digest, f"hashes to sha256:{digest.hexdigest()}")
        self.verified.append(entry)

    def delete(self, plan: Plan) -> None:
        for kind in DELETE_ORDER:
            delete_objects(
                self.target.api,
                self.target.bucket,
                ({"Key": self.target.keys.key(entry.path)} for entry in plan.extraneous[kind]),
            )

    def result(self, plan: Plan, check_mode: bool, aborted: int, seconds: float) -> dict:
        deferred = set(self.deferred)
        copied = by_kind(
            {kind: [entry for entry in entries if entry not in deferred] for kind, entries in plan.copies.items()}
        )
        transfer = self.seconds["blobs"] + self.seconds["links"] + self.seconds["tags"]
        deleted = by_kind(plan.extraneous) if self.delete_extraneous else by_kind({})
        result = {
            "changed": bool(copied["objects"] or deleted["objects"] or aborted),
            "copied": copied,
            "unchanged": by_kind(plan.skipped),
            "verified": totals(self.verified),
            "deleted": deleted,
            "extraneous": by_kind(plan.extraneous),
            "tag_conflicts": sorted(tag_of(entry) for entry in plan.conflicts),
            "tags_overwritten": sorted(tag_of(entry) for entry in plan.overwritten if entry not in deferred),
            "tags_deferred": sorted({tag_of(entry) for entry in deferred}),
            "aborted_uploads": aborted,
            "seconds": {phase: round(value, 3) for phase, value in dict(self.seconds, total=seconds).items()},
            "mb_per_s": round(copied["bytes"] / MB / transfer, 2) if transfer and not check_mode else 0.0,
        }
        result["summary"] = summarize(result, check_mode)
        return result


def summarize(result: dict, check_mode: bool) -> str:
    copied, unchanged = result["copied"], result["unchanged"]
    verb = "would copy" if check_mode else "copied"
    line = (
        f"{verb} {copied['objects']} objects ({copied['bytes']} bytes), {unchanged['objects']} already there,"
        f" verified {result['verified']['objects']} blobs"
    )
    if not check_mode:
        line += f" at {result['mb_per_s']} MB/s in {result['seconds']['total']} s"
    if result["tag_conflicts"]:
        line += f"; {len(result['tag_conflicts'])} tags differ at the target and were kept"
    if result["tags_deferred"]:
        line += (
            f"; {len(result['tags_deferred'])} tags moved at the source to manifests not copied yet and were left"
            " for the next run"
        )
    return line
