"""distribution's storage driver conformance suite (registry/storage/driver/testsuites), run against the COS driver.

Every case that applies to a driver without true append is here, with distribution's data sizes, except where a case
would take more than a minute on a small machine: those are scaled and say so.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import (
    InvalidOffsetError,
    InvalidPathError,
    PathNotFoundError,
)

from tests.support.driver_paths import INVALID_PATHS, VALID_PATHS

from .helpers import RandomReader, copy_all, copy_exactly, first_part, random_contents, random_filename, random_path

MIB = 1024 * 1024
# distribution writes 5 GiB, which would take minutes here; 512 MiB still spans 32 parts of the default chunk size.
LARGE_STREAM_SIZE = 512 * MIB
SMALL_CONTENTS = {
    "one_byte": b"a",
    "unicode": "\u00df".encode(),
    "small": None,  # 32 random bytes
    "one_mib": None,  # 1 MiB of random bytes
    "non_utf8": b"\x80\x80\x80\x80",
}
SIZES = {"small": 32, "one_mib": MIB}


def contents_for(kind: str) -> bytes:
    return SMALL_CONTENTS[kind] if SMALL_CONTENTS[kind] is not None else random_contents(SIZES[kind])


def write_read_compare(driver, path: str, contents: bytes) -> None:
    driver.put_content(path, contents)
    assert driver.get_content(path) == contents
    driver.delete(first_part(path))


def write_stream(driver, path: str, contents: bytes) -> None:
    writer = driver.writer(path)
    assert copy_all(io.BytesIO(contents), writer) == len(contents)
    writer.commit()
    writer.close()


def assert_not_found(call, *args) -> None:
    with pytest.raises(PathNotFoundError) as raised:
        call(*args)
    assert driver_name_in(raised.value)


def driver_name_in(error: Exception) -> bool:
    return str(error).startswith("cos:")


def test_root_exists(driver):
    assert driver.list("/") == []


def test_valid_paths(driver):
    contents = random_contents(64)
    for path in VALID_PATHS:
        driver.put_content(path, contents)
        assert driver.get_content(path) == contents
    for top in {first_part(path) for path in VALID_PATHS}:
        driver.delete(top)


@pytest.mark.parametrize("path", INVALID_PATHS)
def test_invalid_paths(driver, path):
    with pytest.raises(InvalidPathError) as raised:
        driver.put_content(path, random_contents(64))
    assert driver_name_in(raised.value)
    with pytest.raises(InvalidPathError) as raised:
        driver.get_content(path)
    assert driver_name_in(raised.value)


@pytest.mark.parametrize("kind", SMALL_CONTENTS)
def test_write_read(driver, kind):
    write_read_compare(driver, random_path(32), contents_for(kind))


def test_truncate(driver):
    path = random_path(32)
    write_read_compare(driver, path, random_contents(MIB))
    write_read_compare(driver, path, random_contents(1024))


def test_read_nonexistent(driver):
    assert_not_found(driver.get_content, random_path(32))


@pytest.mark.parametrize("kind", SMALL_CONTENTS)
def test_write_read_streams(driver, kind):
    path = random_path(32)
    contents = contents_for(kind)
    write_stream(driver, path, contents)
    with driver.reader(path) as reader:
        assert reader.read() == contents
    driver.delete(first_part(path))


def test_write_read_large_streams(driver):
    path = random_path(32)
    source = RandomReader(LARGE_STREAM_SIZE, keep=False)
    checksum = hashlib.sha256()
    writer = driver.writer(path)
    written = 0
    for data in iter(lambda: source.read(MIB), b""):
        checksum.update(data)
        written += writer.write(data)
    assert written == LARGE_STREAM_SIZE
    writer.commit()
    writer.close()
    read_back = hashlib.sha256()
    with driver.reader(path) as reader:
        for data in iter(lambda: reader.read(MIB), b""):
            read_back.update(data)
    assert read_back.digest() == checksum.digest()
    driver.delete(first_part(path))


def test_reader_with_offset(driver):
    path = random_path(32)
    chunk = 32
    one, two, three = random_contents(chunk), random_contents(chunk), random_contents(chunk)
    driver.put_content(path, one + two + three)

    for offset, expected in ((0, one + two + three), (chunk, two + three), (2 * chunk, three)):
        with driver.reader(path, offset) as reader:
            assert reader.read() == expected

    with pytest.raises(InvalidOffsetError) as raised:
        driver.reader(path, -1)
    assert (raised.value.offset, raised.value.path) == (-1, path)
    assert driver_name_in(raised.value)

    with driver.reader(path, 3 * chunk) as reader:
        assert reader.read(chunk) == b""
    with driver.reader(path, 3 * chunk - 1) as reader:
        assert reader.read(chunk) == three[-1:]
        assert reader.read(chunk) == b""
    driver.delete(first_part(path))


@pytest.mark.parametrize("chunk", [10 * MIB, 32], ids=["large", "small"])
def test_continue_stream_append(driver, chunk):
    path = random_path(32)
    contents = RandomReader(3 * chunk)

    writer = driver.writer(path)
    assert copy_exactly(contents, writer, chunk) == chunk
    writer.close()
    assert writer.size() == chunk

    writer = driver.writer(path, append=True)
    assert writer.size() == chunk
    assert copy_exactly(contents, writer, chunk) == chunk
    writer.close()
    assert writer.size() == 2 * chunk

    writer = driver.writer(path, append=True)
    assert writer.size() == 2 * chunk
    assert copy_exactly(contents, writer, chunk) == chunk
    writer.commit()
    writer.close()

    assert driver.get_content(path) == bytes(contents.given)
    driver.delete(first_part(path))


def test_read_nonexistent_stream(driver):
    path = random_path(32)
    assert_not_found(driver.reader, path, 0)
    assert_not_found(driver.reader, path, 64)


def append_and_commit(driver, path: str, contents: bytes) -> None:
    """Append to the (empty) object at path and commit: the writer reports what it wrote."""
    appender = driver.writer(path, append=True)
    assert appender.write(contents) == len(contents)
    appender.commit()
    appender.close()
    assert appender.size() == len(contents)


def test_write_zero_byte_stream_then_append(driver):
    path = random_path(32)
    contents = random_contents(32)
    writer = driver.writer(path)
    writer.commit()
    writer.close()
    assert writer.size() == 0
    with driver.reader(path) as reader:
        assert reader.read(32) == b""

    append_and_commit(driver, path, contents)
    with driver.reader(path) as reader:
        assert reader.read() == contents
    driver.delete(first_part(path))


def test_write_zero_byte_content_then_append(driver):
    path = random_path(32)
    contents = random_contents(32)
    driver.put_content(path, b"")
    with driver.reader(path) as reader:
        assert reader.read(32) == b""

    append_and_commit(driver, path, contents)
    assert driver.get_content(path) == contents
    driver.delete(first_part(path))


def test_list(driver):
    root = "/" + random_filename(random.randrange(8, 16))
    missing = posixpath.join(root, "nonexistent")
    with pytest.raises(PathNotFoundError) as raised:
        driver.list(missing)
    assert raised.value.path == missing

    parent = root + "/" + random_filename(random.randrange(8, 16))
    children = sorted({parent + "/" + random_filename(random.randrange(8, 16)) for index in range(50)})
    for child in children:
        driver.put_content(child, random_contents(32))

    assert driver.list("/") == [root]
    assert driver.list(root) == [parent]
    assert sorted(driver.list(parent)) == children
    driver.delete(root)


def test_move(driver):
    contents = random_contents(32)
    source, destination = random_path(32), random_path(32)
    driver.put_content(source, contents)
    driver.move(source, destination)
    assert driver.get_content(destination) == contents
    assert_not_found(driver.get_content, source)
    driver.delete(first_part(destination))


def test_move_overwrite(driver):
    source, destination = random_path(32), random_path(32)
    source_contents, destination_contents = random_contents(32), random_contents(64)
    driver.put_content(source, source_contents)
    driver.put_content(destination, destination_contents)
    driver.move(source, destination)
    assert driver.get_content(destination) == source_contents
    assert_not_found(driver.get_content, source)
    driver.delete(first_part(destination))


def test_move_nonexistent(driver):
    contents = random_contents(32)
    source, destination = random_path(32), random_path(32)
    driver.put_content(destination, contents)
    assert_not_found(driver.move, source, destination)
    assert driver.get_content(destination) == contents
    driver.delete(first_part(destination))


def test_move_invalid(driver):
    driver.put_content("/notadir", random_contents(32))
    with pytest.raises(PathNotFoundError):
        driver.move("/notadir/foo", "/notadir/bar")
    driver.delete("/notadir")


def test_delete(driver):
    path = random_path(32)
    driver.put_content(path, random_contents(32))
    driver.delete(path)
    assert_not_found(driver.get_content, path)


def test_url_for(driver):
    path = random_path(32)
    contents = random_contents(32)
    driver.put_content(path, contents)
    # The Host header matters only when the endpoint is an address (the emulator): it names the bucket.
    headers = {"Host": driver.virtual_host()}

    response = requests.get(driver.url_for(path), headers=headers, timeout=30)
    assert (response.status_code, response.content) == (200, contents)

    response = requests.head(driver.url_for(path, method="HEAD"), headers=headers, timeout=30)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == 32
    driver.delete(first_part(path))


def test_delete_nonexistent(driver):
    assert_not_found(driver.delete, random_path(32))


def test_delete_folder(driver):
    directory = random_path(32)
    names = [random_path(32) for index in range(3)]
    files = [posixpath.join(directory, name.lstrip("/")) for name in names]
    for path in files:
        driver.put_content(path, random_contents(32))

    driver.delete(files[0])
    assert_not_found(driver.get_content, files[0])
    assert driver.get_content(files[1]) and driver.get_content(files[2])

    driver.delete(directory)
    for path in files:
        assert_not_found(driver.get_content, path)


def test_delete_only_deletes_subpaths(driver):
    directory = random_path(32)
    name = random_path(32).lstrip("/")
    inner = directory.lstrip("/")
    contents = random_contents(32)
    file_path = posixpath.join(directory, name)
    sibling = posixpath.join(directory, name + "suffix")
    nested = posixpath.join(directory, inner, name)
    nested_sibling = posixpath.join(directory, inner + "suffix", name)
    for path in (file_path, sibling, nested, nested_sibling):
        driver.put_content(path, contents)

    driver.delete(file_path)
    assert_not_found(driver.get_content, file_path)
    assert driver.get_content(sibling) == contents

    driver.delete(posixpath.join(directory, inner))
    assert_not_found(driver.get_content, nested)
    assert driver.get_content(nested_sibling) == contents
    driver.delete(first_part(directory))


def test_stat_call(driver, backend):
    content = random_contents(4096)
    directory = random_path(32)
    file_path = posixpath.join(directory, random_filename(32))

    assert_not_found(driver.stat, directory)
    assert_not_found(driver.stat, file_path)

    driver.put_content(file_path, content)
    info = driver.stat(file_path)
    assert (info.path, info.size, info.is_dir) == (file_path, len(content), False)
    assert info.mod_time.tzinfo is not None
    created = info.mod_time

    # Modification times have one-second resolution: wait past it so the rewrite is later.
    time.sleep(backend.clock_settle)
    driver.put_content(file_path, random_contents(4096))
    assert driver.stat(file_path).mod_time > created

    info = driver.stat(directory)
    assert (info.path, info.size, info.is_dir) == (directory, 0, True)

    # The registry's health check stats "/": either an answer or a PathNotFoundError is acceptable.
    try:
        driver.stat("/")
    except PathNotFoundError:
        pass
    driver.delete(first_part(directory))


def test_put_content_multiple_times(driver):
    path = random_path(32)
    driver.put_content(path, random_contents(4096))
    contents = random_contents(2048)
    driver.put_content(path, contents)
    assert driver.get_content(path) == contents
    driver.delete(first_part(path))


def test_concurrent_stream_reads(driver):
    size = 128 * MIB
    path = random_path(32)
    contents = random_contents(size)
    driver.put_content(path, contents)

    def read_from(offset):
        with driver.reader(path, offset) as reader:
            return reader.read() == contents[offset:]

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert all(pool.map(read_from, [random.randrange(size) for reader in range(10)]))
    driver.delete(first_part(path))


def test_concurrent_file_streams(driver):
    streams = 32

    def stream_through_a_file(size):
        contents = random_contents(size)
        path = random_path(32)
        with tempfile.TemporaryFile() as source:
            source.write(contents)
            source.flush()
            source.seek(0)
            writer = driver.writer(path)
            assert copy_all(source, writer) == size
            writer.commit()
            writer.close()
        with driver.reader(path) as reader:
            same = reader.read() == contents
        driver.delete(first_part(path))
        return same

    with ThreadPoolExecutor(max_workers=streams) as pool:
        assert all(pool.map(stream_through_a_file, [streams * MIB] * streams))
