"""Pytest plugin: makes this checkout importable as `ansible_collections.cosops.registry`.

Modules and module_utils import each other by their collection name, so tests need the checkout to sit at
`<dir>/ansible_collections/cosops/registry`. A symlink under .build/ gives it that place without copying.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_DIR = os.path.join(ROOT, ".build", "pytest-collections")


def _link_collection() -> None:
    namespace = os.path.join(COLLECTIONS_DIR, "ansible_collections", "cosops")
    link = os.path.join(namespace, "registry")
    os.makedirs(namespace, exist_ok=True)
    if not os.path.islink(link):
        try:
            os.symlink(ROOT, link)
        except FileExistsError:
            pass  # another xdist worker made it first
    if COLLECTIONS_DIR not in sys.path:
        sys.path.insert(0, COLLECTIONS_DIR)


_link_collection()
