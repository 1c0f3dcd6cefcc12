"""distribution's s3-aws delete table: what each Delete removes, and that it never removes a sibling."""

from __future__ import annotations

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import InvalidPathError, PathNotFoundError

OBJECTS = [
    "/file1",
    "/file1-2",
    "/folder1/file1",
    "/folder2/file1",
    "/folder3/file1",
    "/folder3/subfolder1/subfolder1/file1",
    "/folder3/subfolder2/subfolder1/file1",
    "/folder4/file1",
    "/folder1-v2/file1",
    "/folder1-v2/subfolder1/file1",
]
CASES = {
    "delete folder1": ("/folder1", ["/folder1/file1"], None),
    "delete folder2": ("/folder2", ["/folder2/file1"], None),
    "delete folder3": ("/folder3", [p for p in OBJECTS if p.startswith("/folder3/")], None),
    "path that does not exist": ("/path/does/not/exist", [], PathNotFoundError),
    "invalid: trailing slash": ("/path/is/invalid/", [], InvalidPathError),
    "invalid: trailing special character": ("/path/is/invalid*", [], InvalidPathError),
    **{f"delete path {path}": (path, [path], None) for path in OBJECTS},
}


@pytest.mark.parametrize("name", CASES)
def test_delete(driver, name):
    target, expected_gone, error = CASES[name]
    for path in OBJECTS:
        driver.put_content(path, f"content {path}".encode())

    if error is None:
        driver.delete(target)
    else:
        with pytest.raises(error):
            driver.delete(target)

    gone = []
    for path in OBJECTS:
        try:
            driver.stat(path)
        except PathNotFoundError:
            gone.append(path)
    assert gone == expected_gone
    for path in OBJECTS:
        if path not in gone:
            driver.delete(path)


def test_delete_over_a_thousand_objects(driver):
    for index in range(1005):
        driver.put_content(f"/thousandfiletest/file{index}", b"contents")
    driver.delete("/thousandfiletest")
    with pytest.raises(PathNotFoundError):
        driver.list("/thousandfiletest")
