"""Random paths and contents in the shapes distribution's storage driver suite uses."""

from __future__ import annotations

import os
import random
import shutil

FILENAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def random_filename(length: int) -> str:
    """Lowercase letters and digits, with an occasional '-' never first, last or doubled."""
    chars = []
    after_separator = True
    for index in range(length):
        if not after_separator and index < length - 1 and random.randrange(4) == 0:
            chars.append("-")
            after_separator = True
        else:
            chars.append(random.choice(FILENAME_CHARS))
            after_separator = False
    return "".join(chars)


def random_path(length: int) -> str:
    """An absolute path of exactly `length` characters, split into random components."""
    path = "/"
    while len(path) < length:
        chunk = random_filename(random.randrange(length - len(path)) + 1)
        path += chunk
        remaining = length - len(path)
        if remaining == 1:
            path += random_filename(1)
        elif remaining > 1:
            path += "/"
    return path


def random_contents(size: int) -> bytes:
    return os.urandom(size)


def first_part(path: str) -> str:
    """'/a/b/c' -> '/a': the top directory to delete after a test."""
    parts = [part for part in path.split("/") if part]
    return "/" + parts[0] if parts else "/"


class RandomReader:
    """A readable stream of `size` random bytes, generated as read, that remembers what it gave."""

    def __init__(self, size: int, keep: bool = True):
        self.remaining = size
        self.given = bytearray() if keep else None

    def read(self, size: int = -1) -> bytes:
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = os.urandom(size)
        self.remaining -= size
        if self.given is not None:
            self.given += data
        return data


def copy_exactly(source, writer, size: int, block: int = 1024 * 1024) -> int:
    """Copy `size` bytes from source into writer in blocks, as io.CopyN does; returns the count written."""
    written = 0
    while written < size:
        data = source.read(min(block, size - written))
        if not data:
            break
        written += writer.write(data)
    return written


def copy_all(source, writer) -> int:
    written = 0
    for data in iter(lambda: source.read(shutil.COPY_BUFSIZE), b""):
        written += writer.write(data)
    return written
