"""The import directions docs/architecture.md draws, checked on the source: arrows only point down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE_UTILS = ROOT / "plugins" / "module_utils"
PACKAGE = "ansible_collections.cosops.registry.plugins.module_utils."
# module_utils' layers, lowest first; a layer imports only from lower ones (and from itself).
LAYERS = {"_rules": 0, "_tencentcloud": 1, "_cos": 2, "_cam": 2, "_driver": 3, "_registry": 4}
SDKS = ("qcloud_cos", "tencentcloud", "requests", "boto3", "botocore", "urllib3")
# The one piece of Ansible a pure rule uses: its boolean parsing.
PURE_ANSIBLE = "ansible.module_utils.parsing"


def imported(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def python_files(*parts: str) -> list[Path]:
    return sorted(ROOT.joinpath(*parts).rglob("*.py"))


def layer_of(module: str) -> str | None:
    return module[len(PACKAGE) :].split(".")[0] if module.startswith(PACKAGE) else None


def from_package(names: set[str], *packages: str) -> list[str]:
    return sorted(name for name in names if name.split(".")[0] in packages)


def test_every_module_utils_file_is_in_a_layer():
    flat = [path.name for path in MODULE_UTILS.glob("*.py") if path.name != "__init__.py"]
    assert flat == []
    assert sorted(
        path.name for path in MODULE_UTILS.iterdir() if path.is_dir() and path.name != "__pycache__"
    ) == sorted(LAYERS)


@pytest.mark.parametrize("path", python_files("plugins", "module_utils"), ids=lambda path: path.stem)
def test_module_utils_import_only_their_own_or_lower_layers(path):
    own = path.parent.name
    upward = [
        name
        for name in imported(path)
        if layer_of(name) in LAYERS and layer_of(name) != own and LAYERS[layer_of(name)] >= LAYERS[own]
    ]
    assert upward == []


@pytest.mark.parametrize("path", python_files("plugins"), ids=lambda path: str(path.relative_to(ROOT)))
def test_only_the_client_layer_imports_an_sdk(path):
    if path.parent.name == "_tencentcloud":
        return
    assert from_package(imported(path), *SDKS) == []


@pytest.mark.parametrize("path", python_files("plugins", "module_utils", "_rules"), ids=lambda path: path.stem)
def test_rules_are_pure(path):
    ansible = [name for name in from_package(imported(path), "ansible") if not name.startswith(PURE_ANSIBLE)]
    assert ansible == []


@pytest.mark.parametrize(
    "directory, forbidden",
    [
        ("demo", ("tests",)),
        ("tools", ("tests", "demo", "bench")),
        ("emulator", ("tests", "demo", "bench", "tools", "ansible_collections")),
    ],
)
def test_components_import_nothing_above_them(directory, forbidden):
    """The emulator models Tencent Cloud, not the collection; the demo and tools stand without the tests."""
    found = {
        str(path.relative_to(ROOT)): from_package(imported(path), *forbidden)
        for path in python_files(directory)
        if "tests" not in path.relative_to(ROOT / directory).parts
    }
    assert {path: names for path, names in found.items() if names} == {}
