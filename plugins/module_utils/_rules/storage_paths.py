# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The storage driver's path rules and errors, as distribution defines them. Pure: no SDK, no network."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import datetime

from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import validate_registry_root

DRIVER_NAME = "cos"
# A path is absolute, with one or more components of these characters; "/" alone is only for list, stat and walk.
PATH_PATTERN = re.compile(r"^(/[A-Za-z0-9._-]+)+$")


class StorageDriverError(Exception):
    """A storage operation failed; the message starts with the driver's name, as distribution's errors do."""

    def __init__(self, detail: str, path: str | None = None):
        self.path = path
        self.detail = detail
        super().__init__(f"{DRIVER_NAME}: {detail}")


class PathNotFoundError(StorageDriverError):
    def __init__(self, path: str):
        super().__init__(f"Path not found: {path}", path)


class InvalidPathError(StorageDriverError):
    def __init__(self, path: str):
        super().__init__(f"invalid path: {path}", path)


class InvalidOffsetError(StorageDriverError):
    def __init__(self, path: str, offset: int):
        self.offset = offset
        super().__init__(f"invalid offset: {offset} for path: {path}", path)


class SkipDir(Exception):
    """Raised by a walk callback given a directory, to skip everything under it."""


class StopWalk(Exception):
    """Raised by a walk callback to end the walk early without an error."""


@dataclass(frozen=True)
class FileInfo:
    path: str
    size: int = 0
    mod_time: datetime | None = None
    is_dir: bool = False


def validate_path(path: str, allow_root: bool = False) -> str:
    if allow_root and path == "/":
        return path
    if not isinstance(path, str) or not PATH_PATTERN.match(path):
        raise InvalidPathError(path)
    return path


class KeyMapper:
    """Maps driver paths to object keys under the root directory, and back."""

    def __init__(self, root_directory: str):
        self.root = validate_registry_root(root_directory)
        self.root_prefix = f"{self.root}/" if self.root else ""

    def key(self, path: str) -> str:
        return self.root_prefix + path.lstrip("/")

    def directory_prefix(self, path: str) -> str:
        """The key prefix of everything under a directory path, ending in '/' (or empty for the bucket root)."""
        return self.root_prefix if path == "/" else self.key(path) + "/"

    def path(self, key: str) -> str:
        return "/" + key[len(self.root_prefix) :]


def is_subpath(path: str, parent: str) -> bool:
    """True for the parent itself and paths below it; '/a' is not a parent of '/ab'."""
    if not parent:
        return False
    if path == parent:
        return True
    if parent == "/":
        return path.startswith("/")
    return path.startswith(parent + "/")


def directory_diff(previous: str, current: str) -> list[str]:
    """Directories of `current` not yet seen when the walk was at `previous`, outermost first.

    A flat listing is sorted, so comparing each key with the one before tells which directories it opens.
    """
    if not previous or not current:
        return []
    opened = []
    parent = current
    while True:
        parent = posixpath.dirname(parent)
        if parent in ("", "/") or parent == previous or (previous + "/").startswith(parent + "/"):
            break
        opened.append(parent)
    opened.reverse()
    return opened
