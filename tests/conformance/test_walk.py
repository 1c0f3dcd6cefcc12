"""distribution's walk tests for object-store drivers (s3-aws TestWalk and friends), run against the COS driver.

The COS driver walks one flat, sorted listing and derives directories from the keys, so the order is key order:
'/folder1-suffix' comes before '/folder1' because '-' sorts before '/'.
"""

from __future__ import annotations

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import PathNotFoundError, SkipDir, StopWalk

FILESET = [
    "/file1",
    "/folder1-suffix/file1",
    "/folder1/file1",
    "/folder2/file1",
    "/folder3/subfolder1/subfolder1/file1",
    "/folder3/subfolder2/subfolder1/file1",
    "/folder4/file1",
]
EVERYTHING = [
    "/file1",
    "/folder1-suffix",
    "/folder1-suffix/file1",
    "/folder1",
    "/folder1/file1",
    "/folder2",
    "/folder2/file1",
    "/folder3",
    "/folder3/subfolder1",
    "/folder3/subfolder1/subfolder1",
    "/folder3/subfolder1/subfolder1/file1",
    "/folder3/subfolder2",
    "/folder3/subfolder2/subfolder1",
    "/folder3/subfolder2/subfolder1/file1",
    "/folder4",
    "/folder4/file1",
]
FOLDER3_CONTENTS = [path for path in EVERYTHING if path.startswith("/folder3/")]


class Boom(Exception):
    pass


def noop(info):
    return None


def skip_folder3(info):
    if info.path == "/folder3":
        raise SkipDir
    assert not info.path.startswith("/folder3/"), f"walked {info.path} inside a skipped directory"


def stop_after_folder1_file(info):
    if info.path == "/folder1/file1":
        raise StopWalk


def fail_at_once(info):
    raise Boom(info.path)


WALKS = {
    "walk all": (noop, "/", None, EVERYTHING),
    "skip directory": (skip_folder3, "/", None, [p for p in EVERYTHING if not p.startswith("/folder3/")]),
    "start late without from": (
        noop,
        "/",
        "/folder3/subfolder1/subfolder1/file1",
        ["/folder3"]
        + [p for p in FOLDER3_CONTENTS if p.startswith("/folder3/subfolder2")]
        + ["/folder4", "/folder4/file1"],
    ),
    "start late with from": (
        noop,
        "/folder3",
        "/folder3/subfolder1/subfolder1/file1",
        [p for p in FOLDER3_CONTENTS if p.startswith("/folder3/subfolder2")],
    ),
    "start after from": (noop, "/folder1", "/folder2", []),
    "start matches from": (noop, "/folder3", "/folder3", FOLDER3_CONTENTS),
    "start does not exist": (noop, "/folder3", "/folder3/notafolder/notafile", FOLDER3_CONTENTS),
    "stop early": (stop_after_folder1_file, "/", None, EVERYTHING[: EVERYTHING.index("/folder1/file1") + 1]),
    "from folder": (noop, "/folder1", None, ["/folder1/file1"]),
}


@pytest.fixture
def tree(driver):
    for path in FILESET:
        driver.put_content(path, f"content {path}".encode())
    yield driver
    for top in sorted({"/" + path.split("/")[1] for path in FILESET}):
        driver.delete(top)


@pytest.mark.parametrize("name", WALKS)
def test_walk(tree, name):
    fn, start, start_after, expected = WALKS[name]
    walked = []

    def record(info):
        walked.append(info.path)
        assert info.is_dir == (info.path not in FILESET)
        fn(info)

    tree.walk(start, record, start_after=start_after)
    assert walked == expected


def test_walk_error_stops_and_propagates(tree):
    walked = []

    def record(info):
        walked.append(info.path)
        fail_at_once(info)

    with pytest.raises(Boom):
        tree.walk("/", record)
    assert walked == ["/file1"]


def test_walk_reports_file_sizes_and_times(tree):
    files = []
    tree.walk("/", lambda info: files.append(info) if not info.is_dir else None)
    assert [(info.path, info.size) for info in files] == [(path, len(f"content {path}")) for path in sorted(FILESET)]
    assert all(info.mod_time is not None and info.mod_time.tzinfo is not None for info in files)


def test_walk_empty_uploads_dir(driver):
    fileset = [
        "/docker/registry/v2/blobs/sha256/04/046909",
        "/docker/registry/v2/blobs/sha256/07/071a45",
        "/docker/registry/v2/repositories/testns/testimg/_layers/sha256/2a43dc",
        "/docker/registry/v2/repositories/testns/testimg/_layers/sha256/3ae7e8",
        "/docker/registry/v2/repositories/testns/testimg/_manifests/revisions/sha256/3ae7e8",
        "/docker/registry/v2/repositories/testns/testimg/_uploads/",
    ]
    # The driver refuses a path ending in '/', so the empty directory marker is written as a raw key.
    for path in fileset:
        driver.put_key(driver.keys.key(path), f"content {path}".encode())
    walked = []
    driver.walk("/docker/registry/v2", walked.append)
    assert all(info.path.rsplit("/", 1)[1] for info in walked)
    assert "/docker/registry/v2/repositories/testns/testimg/_uploads" in [info.path for info in walked if info.is_dir]
    driver.delete_key(driver.keys.key(fileset[-1]))
    driver.delete("/docker")


def test_walk_missing_directory_walks_nothing(driver):
    walked = []
    driver.walk("/nothing-here", walked.append)
    assert walked == []


def test_list_and_walk_agree(driver):
    prefix = "/test-list-objects-v2"
    files = [f"{prefix}/{index}" for index in range(6)]
    for path in files:
        driver.put_content(path, path.encode())
    info = driver.stat(files[0])
    assert (info.is_dir, info.size, info.path) == (False, len(files[0]), files[0])
    nested = prefix + "/sub/0"
    driver.put_content(nested, nested.encode())

    assert sorted(driver.list(prefix)) == sorted(files + [prefix + "/sub"])

    walked = []

    def check(info):
        walked.append(info.path)
        if info.path == prefix + "/sub":
            assert info.is_dir
        else:
            assert not info.is_dir and info.size == len(info.path)

    driver.walk(prefix, check)
    assert sorted(walked) == sorted(files + [prefix + "/sub", nested])
    driver.delete(prefix)
    with pytest.raises(PathNotFoundError):
        driver.list(prefix)


@pytest.mark.parametrize("root", ["", "/"])
def test_empty_root_lists_valid_paths(backend, driver, root):
    driver.put_content("/test", b"contents")
    unrooted = backend.driver(rootdirectory=root)
    assert all(path.startswith("/") and "//" not in path for path in unrooted.list("/"))
    driver.delete("/test")
