"""What the COS driver promises beyond distribution's suite: part sizes, bounded concurrency, no leftover uploads,
retries through throttling, tolerance of stale listings, and walks that cost one listing per thousand keys."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import (
    PathNotFoundError,
    StorageDriverError,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

from .conftest import open_uploads
from .helpers import random_contents

MIB = 1024 * 1024
CHUNK = 5 * MIB


@pytest.fixture
def small_chunks(backend, driver):
    """A driver like `driver` (same root, same clean-up check) with the smallest parts COS allows."""
    return backend.driver(rootdirectory=driver.config.rootdirectory, chunksize=CHUNK, maxconcurrency=3)


def operations(control) -> dict:
    return control.counters()["operations"]


def assert_nothing_left(storage, path: str) -> None:
    """No multipart upload remains, and no object at path."""
    assert open_uploads(storage) == []
    with pytest.raises(PathNotFoundError):
        storage.stat(path)


def test_parts_are_exactly_chunksize_but_the_last(small_chunks):
    writer = small_chunks.writer("/parts")
    writer.write(random_contents(2 * CHUNK + 3))
    writer.close()
    upload_id = small_chunks.uploads.latest_upload(small_chunks.keys.key("/parts"))
    sizes = [part.size for part in small_chunks.uploads.list_parts(small_chunks.keys.key("/parts"), upload_id)]
    assert sizes == [CHUNK, CHUNK, 3]
    small_chunks.writer("/parts", append=True).cancel()


def test_at_most_maxconcurrency_parts_are_in_flight(backend, small_chunks):
    control = backend.require_emulator()
    # Each part takes a while, so parts would pile up if nothing held them back.
    control.add_fault("delay", count=50, delay=0.3, operation="cos:UploadPart")
    in_flight, peak, lock = [0], [0], threading.Lock()
    send = small_chunks.uploads.upload_part

    def counted(*args):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        try:
            return send(*args)
        finally:
            with lock:
                in_flight[0] -= 1

    small_chunks.uploads.upload_part = counted
    contents = random_contents(8 * CHUNK)
    with small_chunks.writer("/bounded") as writer:
        writer.write(contents)
        writer.commit()
    assert 2 <= peak[0] <= 3
    assert small_chunks.get_content("/bounded") == contents
    small_chunks.delete("/bounded")


def test_part_uploads_ride_out_throttling(backend, small_chunks):
    control = backend.require_emulator()
    control.add_fault("slowdown", count=3, operation="cos:UploadPart")
    contents = random_contents(2 * CHUNK + 1)
    writer = small_chunks.writer("/throttled")
    writer.write(contents)
    writer.commit()
    assert small_chunks.get_content("/throttled") == contents
    assert operations(control)["cos:UploadPart"] == 3 + 3
    small_chunks.delete("/throttled")


def test_failed_commit_aborts_the_upload(backend, small_chunks):
    control = backend.require_emulator()
    control.add_fault("internal", count=1, operation="cos:CompleteMultipartUpload")
    writer = small_chunks.writer("/doomed")
    writer.write(random_contents(CHUNK + 1))
    with pytest.raises(TencentCloudError, match="InternalError"):
        writer.commit()
    assert_nothing_left(small_chunks, "/doomed")


def test_cancel_aborts_and_leaves_nothing(small_chunks):
    writer = small_chunks.writer("/cancelled")
    writer.write(random_contents(CHUNK + 7))
    writer.cancel()
    assert_nothing_left(small_chunks, "/cancelled")


def test_cancel_after_resuming_removes_the_restitched_object(small_chunks):
    writer = small_chunks.writer("/resumed")
    writer.write(random_contents(CHUNK + 7))
    writer.close()
    writer = small_chunks.writer("/resumed", append=True)
    writer.write(b"more")
    writer.cancel()
    assert_nothing_left(small_chunks, "/resumed")


def test_resumed_upload_keeps_whole_parts_after_short_ones(small_chunks):
    contents = random_contents(3 * CHUNK + 11)
    cuts = [0, CHUNK + 5, CHUNK + 9, 2 * CHUNK + 1, len(contents)]
    for start, end in zip(cuts, cuts[1:]):
        writer = small_chunks.writer("/pieces", append=start > 0)
        assert writer.size() == start
        writer.write(contents[start:end])
        if end < len(contents):
            writer.close()
    writer.commit()
    assert small_chunks.get_content("/pieces") == contents
    small_chunks.delete("/pieces")


def test_append_to_a_committed_object_fails(driver):
    driver.put_content("/committed", b"data")
    with pytest.raises(StorageDriverError, match="cannot append to /committed"):
        driver.writer("/committed", append=True)
    driver.delete("/committed")


def test_append_to_a_missing_path_is_not_found(driver):
    with pytest.raises(PathNotFoundError):
        driver.writer("/never-written", append=True)


def test_a_finished_writer_refuses_more(driver):
    writer = driver.writer("/finished")
    writer.write(b"x")
    writer.commit()
    writer.close()
    with pytest.raises(StorageDriverError, match="already"):
        writer.write(b"y")
    with pytest.raises(StorageDriverError, match="already closed"):
        writer.close()
    driver.delete("/finished")


def test_move_of_a_large_object_copies_in_parts(backend, driver):
    control = backend.require_emulator()
    contents = random_contents(64 * MIB)
    driver.put_content("/source", contents)
    driver.move("/source", "/dest")
    assert driver.get_content("/dest") == contents
    with pytest.raises(PathNotFoundError):
        driver.get_content("/source")
    assert operations(control)["cos:UploadPartCopy"] == 2
    driver.delete("/dest")


def test_walk_costs_one_listing_per_thousand_keys(backend, driver):
    control = backend.require_emulator()
    paths = [f"/repo/dir{index // 5:03d}/file{index % 5}" for index in range(1500)]
    for path in paths:
        driver.put_content(path, b"")
    before = operations(control).get("cos:GetBucket", 0)
    files = []
    driver.walk("/", lambda info: files.append(info.path) if not info.is_dir else None)
    assert files == sorted(paths)
    assert operations(control)["cos:GetBucket"] - before == 2
    driver.delete("/repo")


def test_stale_listings_do_not_break_writes_deletes_or_resumes(backend, small_chunks):
    control = backend.require_emulator()
    control.set_list_delay(2)
    small_chunks.put_content("/fresh", b"new")
    assert small_chunks.stat("/fresh").size == 3
    small_chunks.move("/fresh", "/moved")
    small_chunks.delete("/moved")
    with pytest.raises(PathNotFoundError):
        small_chunks.stat("/moved")

    writer = small_chunks.writer("/resumable")
    writer.write(random_contents(CHUNK + 1))
    writer.close()
    writer = small_chunks.writer("/resumable", append=True)
    writer.write(b"more")  # completes the first upload and starts another: its key was just written
    writer.close()
    writer = small_chunks.writer("/resumable", append=True)
    assert writer.size() == CHUNK + 1 + 4
    writer.commit()
    control.set_list_delay(0)
    small_chunks.delete("/resumable")


def test_presigned_urls_last_twenty_minutes_by_default(driver):
    for expiry, seconds in ((None, 1200), (60, 60), (timedelta(hours=1), 3600)):
        query = parse_qs(urlsplit(driver.url_for("/any", expiry=expiry)).query)
        start, end = (int(value) for value in query["q-sign-time"][0].split(";"))
        # The signature's validity starts a minute early, against clock skew.
        assert end - start == seconds + 60


def test_presigned_urls_are_only_for_reading(driver):
    with pytest.raises(StorageDriverError, match="GET and HEAD"):
        driver.url_for("/any", method="PUT")
