"""How a migrated registry differs from the old one, from the answers the comparison read on both."""

from ansible_collections.cosops.registry.plugins.filter.registry_differences import registry_differences
from ansible_collections.cosops.registry.plugins.filter.registry_tags import registry_tags

OLD = {"name": "old", "url": "http://old"}
NEW = {"name": "new", "url": "http://new"}
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def tag_list(registry: dict, repository: str, tags: list | None) -> dict:
    """A tags/list answer as the uri loop registers it; None for a repository the registry lacks (404)."""
    result = {"item": [registry, repository], "status": 200 if tags is not None else 404}
    if tags is not None:
        result["json"] = {"name": repository, "tags": tags}
    return result


def manifest(registry: dict, tag: str, digest: str | None) -> dict:
    result = {"item": [registry, tag], "status": 200 if digest else 404}
    if digest:
        result["docker_content_digest"] = digest
    return result


def test_tags_are_named_repository_colon_tag_per_registry_in_the_order_read():
    results = [
        tag_list(OLD, "library/alpine", ["3.20", "latest"]),
        tag_list(OLD, "team/app", ["1.0"]),
        tag_list(NEW, "library/alpine", ["3.20"]),
        tag_list(NEW, "team/app", None),
    ]
    assert registry_tags(results) == {
        "old": ["library/alpine:3.20", "library/alpine:latest", "team/app:1.0"],
        "new": ["library/alpine:3.20"],
    }


def test_a_repository_without_tags_lists_none():
    assert registry_tags([tag_list(OLD, "empty", []), {"item": [NEW, "empty"], "json": {"tags": None}}]) == {
        "old": [],
        "new": [],
    }


def test_registries_that_match_have_no_differences():
    catalogs = {"old": ["library/alpine"], "new": ["library/alpine"]}
    tags = {"old": ["library/alpine:3.20"], "new": ["library/alpine:3.20"]}
    digests = [manifest(OLD, "library/alpine:3.20", DIGEST_A), manifest(NEW, "library/alpine:3.20", DIGEST_A)]
    assert registry_differences(catalogs, tags, digests) == []


def test_every_missing_repository_and_tag_and_every_other_digest_is_named_in_the_old_registry_s_order():
    catalogs = {"old": ["team/app", "library/alpine", "library/busybox"], "new": ["library/alpine"]}
    tags = {
        "old": ["team/app:1.0", "library/alpine:3.20", "library/alpine:latest"],
        "new": ["library/alpine:3.20", "library/alpine:edge"],
    }
    digests = [
        manifest(OLD, "team/app:1.0", DIGEST_A),
        manifest(OLD, "library/alpine:3.20", DIGEST_A),
        manifest(NEW, "team/app:1.0", None),
        manifest(NEW, "library/alpine:3.20", DIGEST_B),
    ]
    assert registry_differences(catalogs, tags, digests) == [
        "repository team/app missing",
        "repository library/busybox missing",
        "tag team/app:1.0 missing",
        "tag library/alpine:latest missing",
        f"tag team/app:1.0 is none, was {DIGEST_A}",
        f"tag library/alpine:3.20 is {DIGEST_B}, was {DIGEST_A}",
    ]


def test_only_sampled_tags_are_compared_by_digest():
    tags = {"old": ["a:1", "a:2"], "new": ["a:1", "a:2"]}
    digests = [manifest(OLD, "a:1", DIGEST_A), manifest(NEW, "a:1", DIGEST_A)]
    assert registry_differences({"old": ["a"], "new": ["a"]}, tags, digests) == []


def test_nothing_sampled_compares_catalogs_and_tags_only():
    assert registry_differences({"old": ["a"], "new": []}, {"old": [], "new": []}, []) == ["repository a missing"]
