"""The storage driver's path rules: which paths are valid, where their keys live, how a flat listing becomes a tree."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import (
    InvalidOffsetError,
    InvalidPathError,
    PathNotFoundError,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_paths import (
    KeyMapper,
    directory_diff,
    is_subpath,
    validate_path,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

from tests.support.driver_paths import INVALID_PATHS, VALID_PATHS

# Beyond the conformance suite's: characters outside the path rule.
INVALID = INVALID_PATHS + ["/path/is/invalid*", "/a b", "/ünï"]


@pytest.mark.parametrize("path", VALID_PATHS)
def test_valid_paths_are_accepted(path):
    assert validate_path(path) == path


@pytest.mark.parametrize("path", INVALID)
def test_invalid_paths_are_refused_naming_the_driver(path):
    with pytest.raises(InvalidPathError) as raised:
        validate_path(path)
    assert raised.value.path == path
    assert str(raised.value).startswith("cos: invalid path")


def test_root_is_valid_only_where_allowed():
    assert validate_path("/", allow_root=True) == "/"
    with pytest.raises(InvalidPathError):
        validate_path("//", allow_root=True)


def test_errors_carry_path_and_driver_name():
    assert str(PathNotFoundError("/x")) == "cos: Path not found: /x"
    error = InvalidOffsetError("/x", -1)
    assert (error.path, error.offset, str(error)) == ("/x", -1, "cos: invalid offset: -1 for path: /x")


@pytest.mark.parametrize(
    "root, path, key, prefix",
    [
        ("", "/a/b", "a/b", "a/b/"),
        ("registry", "/a/b", "registry/a/b", "registry/a/b/"),
        ("/deep/root/", "/docker", "deep/root/docker", "deep/root/docker/"),
    ],
)
def test_keys_live_under_the_root_directory(root, path, key, prefix):
    keys = KeyMapper(root)
    assert keys.key(path) == key
    assert keys.directory_prefix(path) == prefix
    assert keys.path(key) == path


@pytest.mark.parametrize("root, prefix", [("", ""), ("registry", "registry/")])
def test_the_root_path_lists_the_whole_root_directory(root, prefix):
    assert KeyMapper(root).directory_prefix("/") == prefix


@pytest.mark.parametrize(
    "path, parent, expected",
    [
        ("/tags/1.2", "", False),
        ("/tags/1.2", "/tags/1.2", True),
        ("/tags/1.2/current/link", "/tags/1.2", True),
        ("/tags/1.20/current/link", "/tags/1.2", False),
        ("/tags/1.2", "/", True),
    ],
)
def test_is_subpath_never_matches_a_sibling_with_a_common_prefix(path, parent, expected):
    assert is_subpath(path, parent) is expected


@pytest.mark.parametrize(
    "previous, current, expected",
    [
        ("/path/to/folder", "/path/to/folder/folder/file", ["/path/to/folder/folder"]),
        ("/path/to/folder/folder1", "/path/to/folder/folder2/file", ["/path/to/folder/folder2"]),
        ("/path/to/folder/folder1/file", "/path/to/folder/folder2/file", ["/path/to/folder/folder2"]),
        (
            "/path/to/folder/folder1/file",
            "/path/to/folder/folder2/folder1/file",
            ["/path/to/folder/folder2", "/path/to/folder/folder2/folder1"],
        ),
        ("/", "/path/to/folder/folder/file", ["/path", "/path/to", "/path/to/folder", "/path/to/folder/folder"]),
        ("/folder1", "/folder1-suffix/file1", ["/folder1-suffix"]),
        ("/a/_uploads", "/a/_uploads/", []),
        ("", "/a/b", []),
    ],
)
def test_directory_diff_names_the_directories_a_key_opens(previous, current, expected):
    assert directory_diff(previous, current) == expected


@pytest.mark.parametrize("root", ["/registry/../other", "./registry", "/a/./b", ".."])
def test_root_directory_may_not_step_out_of_itself(root):
    with pytest.raises(ValidationError, match=r"without empty, '\.' or '\.\.' parts"):
        KeyMapper(root)
