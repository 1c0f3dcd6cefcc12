"""registry_garbage_collect against distribution v3's own collector: registries generated from seeds are written into
the emulator's bucket, then `registry garbage-collect --dry-run [--delete-untagged]` and the module in check mode say
what they would delete. The sets must be equal, except differences each named by an upstream bug and proven to be
that bug. Then the module collects for real, and no tag loses anything it had.

GC_SEEDS (a count, default the fixed set below) runs that many seeds instead: `make gc-seeds` runs 100."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.gc import generated
from tests.gc.support import new_storage

pytestmark = pytest.mark.skipif(not shutil.which("go"), reason="needs Go to build distribution v3")

# Seeds of `make test`; seed 0 also writes a blob larger than a multipart part.
FIXED_SEEDS = tuple(range(5))
SEEDS = tuple(range(int(os.environ["GC_SEEDS"]))) if os.environ.get("GC_SEEDS") else FIXED_SEEDS
# What the module does differently from distribution, each a bug of distribution with its proof: a function of
# (generated registry, digest stock deletes and the module keeps) that is true when the difference is that bug.
KNOWN_DIFFERENCES = {
    "distribution 4939 (--delete-untagged deletes a blob a tagged manifest still uses)": lambda registry, digest: (
        digest in registry.reached_by_tags()
    ),
}


def differences(stock: dict, module: dict, registry: generated.Registry, delete_untagged: bool) -> dict:
    """What stock would delete and the module would not, by kind, each checked against KNOWN_DIFFERENCES; the module
    must never delete what stock keeps."""
    pairs = {
        "blobs": (stock["eligible_blobs"], module["deleted_blobs"]),
        "manifests": (stock["eligible_manifests"], module["deleted_manifests"]),
        "layer links": (stock["eligible_layer_links"], module["deleted_layer_links"]),
    }
    found = {}
    for kind, (stock_set, module_set) in pairs.items():
        assert set(module_set) <= set(
            stock_set
        ), f"the module deletes {kind} stock keeps: {set(module_set) - set(stock_set)}"
        for item in sorted(set(stock_set) - set(module_set)):
            digest = item.rsplit("@", 1)[-1]
            names = [name for name, proof in KNOWN_DIFFERENCES.items() if delete_untagged and proof(registry, digest)]
            assert names, f"{kind} {item}: stock deletes it, the module keeps it, and no known bug explains why"
            found[item] = names[0]
    return found


def collect_and_compare(storage, registry: generated.Registry, delete_untagged: bool) -> dict:
    stock = storage.stock(delete_untagged)
    module = storage.module(check_mode=True, delete_untagged=delete_untagged)
    assert not module.get("failed"), module
    assert module["changed"] is (module["deleted"]["objects"] > 0)
    return differences(stock, module, registry, delete_untagged)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_module_deletes_what_distribution_deletes(emulator, tmp_path, seed):
    registry = generated.generate(seed, large=seed == 0)
    storage = new_storage(emulator, tmp_path)
    storage.write(registry.objects, registry.large)
    for delete_untagged in (False, True):
        named = collect_and_compare(storage, registry, delete_untagged)
        assert not named or delete_untagged, named
    # Then for real: what every tag reached before is still there, and only what the dry run named is gone.
    before = storage.keys_now()
    planned = storage.module(check_mode=True, delete_untagged=True)
    collected = storage.module(delete_untagged=True)
    assert collected["changed"] is (collected["deleted"]["objects"] > 0)
    assert collected["deleted_blobs"] == planned["deleted_blobs"]
    after = storage.keys_now()
    needed = {generated.blob_path(digest) for digest in registry.reached_by_tags()}
    assert needed & before <= after
    gone = before - after
    assert {path for path in gone if path.endswith("/data")} == {
        generated.blob_path(digest) for digest in planned["deleted_blobs"]
    }
    again = storage.module(delete_untagged=True)
    assert again["changed"] is False and again["deleted"]["objects"] == 0


def test_distribution_4939_loss_is_the_one_difference(emulator, tmp_path):
    """An index whose child was deleted through the API in the repository distribution visits first ('alpha'), and
    the same index tagged in 'team/app', the child untagged there: distribution marks the child's digest from 'alpha'
    without walking into it, so with --delete-untagged it deletes the child's layers 'team/app:v1' needs."""
    generator = generated.Generator(seed=4939)
    registry = generator.registry
    index = generator.index("team/app")
    registry.tag("team/app", "v1", index)
    generator.copy(index, "alpha")
    registry.tag("alpha", "v1", index)
    child = registry.references[index][0]
    registry.delete_manifest("alpha", child)
    storage = new_storage(emulator, tmp_path)
    storage.write(registry.objects)
    assert collect_and_compare(storage, registry, delete_untagged=False) == {}
    named = collect_and_compare(storage, registry, delete_untagged=True)
    lost = set(registry.references[child])
    assert {item.rsplit("@", 1)[-1] for item in named} >= lost
    assert set(named.values()) == {next(iter(KNOWN_DIFFERENCES))}
