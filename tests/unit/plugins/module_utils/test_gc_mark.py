"""The collector's decisions on storages written out by hand: distribution's mark, the sweep and what it never
deletes."""

import hashlib
import json

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.gc_mark import (
    OCI_INDEX,
    OCI_MANIFEST,
    SCHEMA2_MANIFEST,
    ManifestError,
    Stored,
    bytes_by_repository,
    cache_commands,
    leftover_uploads,
    link_digest,
    mark,
    missing_for_tags,
    parse_manifest,
    repository_order,
    storage_of,
    sweep,
)

V2 = "/docker/registry/v2"
OLD, START, NEW = 1000.0, 2000.0, 3000.0


def digest(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def hexpart(value: str) -> str:
    return value.split(":", 1)[1]


class Registry:
    """A storage built by hand: objects, the tags' targets and the manifests' contents."""

    def __init__(self):
        self.objects = {}
        self.tag_targets = {}
        self.manifests = {}

    def put(self, path: str, size: int = 10, modified: float = OLD) -> None:
        self.objects[path] = Stored(path, size, modified)

    def blob(self, value: str, size: int = 10, modified: float = OLD) -> str:
        self.put(f"{V2}/blobs/sha256/{hexpart(value)[:2]}/{hexpart(value)}/data", size, modified)
        return value

    def layer(self, repository: str, name: str, size: int = 10, modified: float = OLD) -> str:
        value = self.blob(digest(name), size, modified)
        self.put(f"{V2}/repositories/{repository}/_layers/sha256/{hexpart(value)}/link", modified=modified)
        return value

    def manifest(self, repository: str, name: str, references=(), media_type=OCI_MANIFEST, modified=OLD) -> str:
        value = self.blob(digest(name), modified=modified)
        self.put(f"{V2}/repositories/{repository}/_manifests/revisions/sha256/{hexpart(value)}/link", modified=modified)
        self.manifests[value] = parse_manifest(value, document(media_type, references))
        return value

    def image(self, repository: str, name: str, layers=(), modified=OLD) -> str:
        config = self.layer(repository, f"{name}-config", modified=modified)
        layer_digests = [self.layer(repository, layer, modified=modified) for layer in layers]
        return self.manifest(repository, name, [config, *layer_digests], modified=modified)

    def tag(self, repository: str, tag: str, value: str, modified: float = OLD) -> None:
        base = f"{V2}/repositories/{repository}/_manifests/tags/{tag}"
        self.put(f"{base}/current/link", modified=modified)
        self.put(f"{base}/index/sha256/{hexpart(value)}/link", modified=modified)
        self.tag_targets[(repository, tag)] = value

    def collect(self, delete_untagged: bool = False, protect_since: float = START):
        storage = storage_of(self.objects.values())
        marked = mark(storage, self.tag_targets, self.manifests, delete_untagged)
        return storage, marked, sweep(storage, marked, protect_since)


def document(media_type: str, references) -> bytes:
    if media_type in (OCI_INDEX,):
        body = {"manifests": [{"mediaType": OCI_MANIFEST, "digest": value, "size": 1} for value in references]}
    else:
        config, *layers = references
        body = {"config": {"digest": config, "size": 1}, "layers": [{"digest": value, "size": 1} for value in layers]}
    return json.dumps({"schemaVersion": 2, "mediaType": media_type, **body}).encode()


def deleted_blobs(plan) -> set:
    return {"sha256:" + stored.path.split("/")[-2] for stored in plan.blobs}


@pytest.fixture
def registry() -> Registry:
    return Registry()


def test_blobs_no_manifest_references_are_deleted_and_referenced_ones_kept(registry):
    kept = registry.image("team/app", "v1", ["base", "app1"])
    registry.tag("team/app", "v1", kept)
    orphan = registry.layer("team/app", "orphan")
    _storage, _marked, plan = registry.collect()
    assert deleted_blobs(plan) == {orphan}
    assert [(name, value) for name, value, _link in plan.layer_links] == [("team/app", orphan)]


def test_without_delete_untagged_every_revision_keeps_its_blobs(registry):
    untagged = registry.image("team/app", "old", ["old-layer"])
    _storage, marked, plan = registry.collect(delete_untagged=False)
    assert untagged in marked.marked and not plan.blobs and not plan.manifests


def test_delete_untagged_deletes_the_manifest_its_index_entries_and_its_own_blobs(registry):
    old = registry.image("team/app", "old", ["base", "old-layer"])
    new = registry.image("team/app", "new", ["base", "new-layer"])
    registry.tag("team/app", "latest", old)
    registry.tag("team/app", "latest", new)  # the tag moved; its index keeps an entry for old
    _storage, _marked, plan = registry.collect(delete_untagged=True)
    assert deleted_blobs(plan) == {old, digest("old-config"), digest("old-layer")}
    [(name, value, links)] = plan.manifests
    assert (name, value) == ("team/app", old)
    assert {link.path.split("/_manifests/")[1].split("/")[0] for link in links} == {"revisions", "tags"}


def test_a_layer_shared_with_a_tagged_image_of_another_repository_is_never_deleted(registry):
    shared = registry.layer("other/app", "base")
    registry.tag("other/app", "v1", registry.image("other/app", "kept", ["base"]))
    registry.image("team/app", "untagged", ["base"])
    registry.tag("team/app", "v2", registry.image("team/app", "tagged", ["x"]))
    _storage, _marked, plan = registry.collect(delete_untagged=True)
    assert shared not in deleted_blobs(plan)


def test_an_untagged_child_of_a_tagged_index_is_kept_with_its_layers(registry):
    child = registry.image("team/app", "amd64", ["amd64-layer"])
    index = registry.manifest("team/app", "index", [child], OCI_INDEX)
    registry.tag("team/app", "v1", index)
    _storage, _marked, plan = registry.collect(delete_untagged=True)
    assert not plan.blobs and not plan.manifests


def test_an_index_child_marked_first_from_another_repository_keeps_its_layers(registry):
    """distribution 4939's loss: 'a' (visited first) has an index whose child is no revision of 'a', so distribution
    marks only the child's digest there and later does not walk into it from 'b', whose tagged index needs it."""
    child = registry.image("b", "amd64", ["amd64-layer"])
    registry.tag("a", "v1", registry.manifest("a", "index-a", [child], OCI_INDEX))
    registry.tag("b", "v1", registry.manifest("b", "index-b", [child], OCI_INDEX))
    assert repository_order(["b", "a"]) == ["a", "b"]
    _storage, _marked, plan = registry.collect(delete_untagged=True)
    assert digest("amd64-layer") not in deleted_blobs(plan)
    assert not plan.manifests


def test_a_repository_without_tags_keeps_its_revisions_and_loses_their_blobs(registry):
    orphaned = registry.image("gone/app", "old", ["old-layer"])
    _storage, marked, plan = registry.collect(delete_untagged=True)
    assert marked.without_tags == ["gone/app"] and not plan.manifests
    assert orphaned in deleted_blobs(plan)


def test_a_referrer_lives_by_its_own_tag_not_by_its_subject(registry):
    subject = registry.image("team/app", "image", ["layer"])
    registry.tag("team/app", "v1", subject)
    signature = registry.blob(digest("signature"))
    registry.put(f"{V2}/repositories/team/app/_manifests/revisions/sha256/{hexpart(signature)}/link")
    content = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"digest": digest("empty"), "size": 2},
            "layers": [],
            "subject": {"digest": subject, "size": 1},
        }
    ).encode()
    registry.manifests[signature] = parse_manifest(signature, content)
    assert registry.manifests[signature].subject == subject
    _storage, marked, _plan = registry.collect(delete_untagged=True)
    assert marked.untagged == [("team/app", signature)]


def test_a_revision_whose_blob_is_missing_is_neither_marked_nor_deleted(registry):
    value = digest("lost")
    registry.put(f"{V2}/repositories/team/app/_manifests/revisions/sha256/{hexpart(value)}/link")
    registry.tag("team/app", "v1", registry.image("team/app", "kept"))
    _storage, marked, plan = registry.collect(delete_untagged=True)
    assert value not in marked.marked and not plan.manifests


def test_nothing_written_since_the_collection_began_is_deleted(registry):
    registry.tag("team/app", "v1", registry.image("team/app", "kept"))
    new_blob = registry.blob(digest("just-uploaded"), modified=NEW)
    new_link = registry.layer("team/app", "linked-after", modified=START)
    untagged = registry.image("team/app", "pushed-during-mark", modified=NEW)
    _storage, _marked, plan = registry.collect(delete_untagged=True)
    assert not deleted_blobs(plan) & {new_blob, new_link, untagged}
    assert not plan.manifests and not plan.layer_links
    assert len(plan.kept_recent) >= 3


def test_links_go_before_blobs(registry):
    registry.image("team/app", "old")
    registry.tag("team/app", "v1", registry.image("team/app", "kept"))
    _storage, _marked, plan = registry.collect(delete_untagged=True)
    paths = plan.paths()
    first_blob = next(index for index, path in enumerate(paths) if "/blobs/" in path)
    assert all("/blobs/" in path for path in paths[first_blob:]) and first_blob > 0


def test_layer_links_follow_distributions_order_of_repositories(registry):
    """distribution deletes a repository's layer link unless a repository visited so far marked it."""
    for name in "abc":
        registry.tag(name, "v1", registry.image(name, f"image-{name}", ["shared"] if name == "b" else []))
    registry.layer("a", "shared")
    registry.layer("c", "shared")
    _storage, _marked, plan = registry.collect()
    assert [name for name, _value, _link in plan.layer_links] == ["a"]


def test_uploads_are_never_deleted_and_reported_by_age(registry):
    registry.put(f"{V2}/repositories/team/app/_uploads/u1/data", size=100, modified=OLD)
    registry.put(f"{V2}/repositories/team/app/_uploads/u1/startedat", size=20, modified=OLD)
    registry.put(f"{V2}/repositories/team/app/_uploads/u2/data", size=5, modified=NEW)
    storage, _marked, plan = registry.collect()
    assert not any("_uploads" in path for path in plan.paths())
    uploads = leftover_uploads(storage, now=NEW + 10)
    assert [(item["id"], item["bytes"], item["age_seconds"]) for item in uploads] == [("u1", 120, 2010), ("u2", 5, 10)]


def test_bytes_by_repository_counts_a_blob_under_every_repository_linking_it(registry):
    registry.layer("a", "shared", size=7)
    registry.layer("b", "shared", size=7)
    registry.blob(digest("unlinked"), size=3)
    storage, _marked, plan = registry.collect()
    assert bytes_by_repository(storage, plan.blobs) == {
        "a": {"blobs": 1, "bytes": 7},
        "b": {"blobs": 1, "bytes": 7},
        "": {"blobs": 1, "bytes": 3},
    }


def test_missing_for_tags_names_the_tag_and_what_it_lacks(registry):
    value = registry.image("team/app", "v1", ["layer"])
    registry.tag("team/app", "v1", value)
    del registry.objects[f"{V2}/blobs/sha256/{hexpart(digest('layer'))[:2]}/{hexpart(digest('layer'))}/data"]
    storage = storage_of(registry.objects.values())
    assert missing_for_tags(storage, registry.tag_targets, registry.manifests) == [
        f"team/app:v1: blob {digest('layer')} is missing"
    ]


@pytest.mark.parametrize(
    "body, references",
    [
        (
            {"mediaType": SCHEMA2_MANIFEST, "config": {"digest": "sha256:c"}, "layers": [{"digest": "sha256:l"}]},
            ("sha256:c", "sha256:l"),
        ),
        ({"config": {"digest": "sha256:c"}, "layers": []}, ("sha256:c",)),
        ({"manifests": [{"digest": "sha256:m"}]}, ("sha256:m",)),
        ({"mediaType": "application/vnd.docker.distribution.manifest.list.v2+json", "manifests": []}, ()),
    ],
)
def test_manifests_are_read_as_distribution_reads_them(body, references):
    assert parse_manifest("sha256:x", json.dumps({"schemaVersion": 2, **body}).encode()).references == references


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        json.dumps({"schemaVersion": 1, "fsLayers": []}).encode(),
        json.dumps({"schemaVersion": 2, "mediaType": "application/x-unknown"}).encode(),
        json.dumps({"schemaVersion": 2, "config": {}, "padding": "x" * (4 * 1024 * 1024)}).encode(),
    ],
)
def test_manifests_distribution_cannot_read_stop_the_collection(content):
    with pytest.raises(ManifestError, match="sha256:x"):
        parse_manifest("sha256:x", content)


def test_link_digest_takes_only_a_digest():
    assert link_digest(b"sha256:" + b"a" * 64) == "sha256:" + "a" * 64
    assert link_digest(b"garbage") == ""


def test_cache_commands_forget_the_blob_globally_and_in_every_repository():
    assert cache_commands({"sha256:d": {"b", "a"}}) == [
        ("DEL", "blobs::sha256:d"),
        ("SREM", "repository::a::blobs", "sha256:d"),
        ("DEL", "repository::a::blobs::sha256:d"),
        ("SREM", "repository::b::blobs", "sha256:d"),
        ("DEL", "repository::b::blobs::sha256:d"),
    ]


def test_a_repository_without_manifests_keeps_its_layer_links_and_loses_their_blobs(registry):
    """distribution's walk takes a directory for a repository at its _manifests: links of a failed first push stay."""
    orphan = registry.layer("failed/push", "only-layer")
    _storage, _marked, plan = registry.collect(delete_untagged=True)
    assert orphan in deleted_blobs(plan) and not plan.layer_links
