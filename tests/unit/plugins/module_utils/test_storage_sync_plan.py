"""The sync's plan: what each path of distribution's layout is, what is skipped, and the order of the writes."""

from __future__ import annotations

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.sync_plan import (
    BLOB,
    CONFLICT,
    COPY,
    DELETE_ORDER,
    LAYER_LINK,
    MANIFEST_LINK,
    ORDER,
    OTHER,
    SKIP,
    TAG_INDEX,
    TAG_LINK,
    UPLOAD,
    Entry,
    by_kind,
    classify,
    decide,
    plan_sync,
    tag_is_ready,
)

HEX = "ab" + "0" * 62
OTHER_HEX = "cd" + "1" * 62
V2 = "/docker/registry/v2"
BLOB_PATH = f"{V2}/blobs/sha256/ab/{HEX}/data"
REPO = f"{V2}/repositories/team/app"
LAYER_PATH = f"{REPO}/_layers/sha256/{HEX}/link"
REVISION_PATH = f"{REPO}/_manifests/revisions/sha256/{HEX}/link"
TAG_PATH = f"{REPO}/_manifests/tags/v1/current/link"
INDEX_PATH = f"{REPO}/_manifests/tags/v1/index/sha256/{HEX}/link"
UPLOAD_PATH = f"{REPO}/_uploads/0c9e/data"


@pytest.mark.parametrize(
    "path, kind",
    [
        (BLOB_PATH, BLOB),
        (LAYER_PATH, LAYER_LINK),
        (REVISION_PATH, MANIFEST_LINK),
        (TAG_PATH, TAG_LINK),
        (INDEX_PATH, TAG_INDEX),
        (UPLOAD_PATH, UPLOAD),
        (f"{REPO}/_uploads/0c9e/hashstates/sha256/0", UPLOAD),
        # A blob directory whose name does not start with its two-character directory is not the layout's.
        (f"{V2}/blobs/sha256/cd/{HEX}/data", OTHER),
        (f"{V2}/repositories/team/app/README", OTHER),
        ("/elsewhere/file", OTHER),
    ],
)
def test_classify_names_each_file_of_the_layout(path, kind):
    assert classify(path).name == kind


def test_classify_reads_digest_repository_and_tag():
    assert classify(BLOB_PATH).digest == f"sha256:{HEX}"
    tag = classify(f"{V2}/repositories/a/b/c/_manifests/tags/latest/current/link")
    assert (tag.repository, tag.tag) == ("a/b/c", "latest")


def test_order_writes_blobs_first_and_tags_last_and_deletes_the_other_way():
    assert ORDER[0] == BLOB and ORDER[-2:] == (TAG_LINK, TAG_INDEX)
    assert ORDER.index(LAYER_LINK) < ORDER.index(MANIFEST_LINK) < ORDER.index(TAG_LINK)
    assert DELETE_ORDER == tuple(reversed(ORDER))


@pytest.mark.parametrize(
    "kind, source, target, overwrite, decision",
    [
        (BLOB, Entry(BLOB_PATH, 10), None, False, COPY),
        (BLOB, Entry(BLOB_PATH, 10), Entry(BLOB_PATH, 10, "multipart-etag-2"), False, SKIP),
        (BLOB, Entry(BLOB_PATH, 10), Entry(BLOB_PATH, 9), False, COPY),
        (LAYER_LINK, Entry(LAYER_PATH, 71, "aa"), Entry(LAYER_PATH, 71, "aa"), False, SKIP),
        (LAYER_LINK, Entry(LAYER_PATH, 71, "aa"), Entry(LAYER_PATH, 71, "bb"), False, COPY),
        (TAG_LINK, Entry(TAG_PATH, 71, "aa"), Entry(TAG_PATH, 71, "aa"), False, SKIP),
        (TAG_LINK, Entry(TAG_PATH, 71, "aa"), Entry(TAG_PATH, 71, "bb"), False, CONFLICT),
        (TAG_LINK, Entry(TAG_PATH, 71, "aa"), Entry(TAG_PATH, 71, "bb"), True, COPY),
        # Content unknown: a link is copied again rather than trusted.
        (MANIFEST_LINK, Entry(REVISION_PATH, 71), Entry(REVISION_PATH, 71, "aa"), False, COPY),
    ],
)
def test_decide_skips_only_what_is_surely_there(kind, source, target, overwrite, decision):
    assert decide(kind, source, target, overwrite) == decision


def test_plan_groups_copies_by_kind_and_leaves_uploads_alone():
    source = [
        Entry(TAG_PATH, 71, "aa"),
        Entry(UPLOAD_PATH, 5),
        Entry(BLOB_PATH, 10),
        Entry(LAYER_PATH, 71, "bb"),
    ]
    target = {
        LAYER_PATH: Entry(LAYER_PATH, 71, "bb"),
        f"{REPO}/_uploads/ffff/data": Entry(f"{REPO}/_uploads/ffff/data", 3),
        f"{V2}/blobs/sha256/cd/{OTHER_HEX}/data": Entry(f"{V2}/blobs/sha256/cd/{OTHER_HEX}/data", 4),
    }
    plan = plan_sync(source, target, overwrite_tags=False)
    assert [entry.path for kind in ORDER for entry in plan.copies[kind]] == [BLOB_PATH, TAG_PATH]
    assert [entry.path for entry in plan.skipped[LAYER_LINK]] == [LAYER_PATH]
    # The target's upload is neither copied over nor extraneous; the blob the source lacks is.
    assert [entry.path for entry in plan.extraneous[BLOB]] == [f"{V2}/blobs/sha256/cd/{OTHER_HEX}/data"]
    assert by_kind(plan.extraneous)["objects"] == 1


def test_plan_reports_differing_tags_kept_or_overwritten():
    source = [Entry(TAG_PATH, 71, "aa")]
    target = {TAG_PATH: Entry(TAG_PATH, 71, "bb")}
    kept = plan_sync(source, target, overwrite_tags=False)
    assert kept.conflicts == source and not kept.copies[TAG_LINK] and not kept.overwritten
    overwritten = plan_sync(source, target, overwrite_tags=True)
    assert overwritten.copies[TAG_LINK] == source and overwritten.overwritten == source


def test_by_kind_counts_objects_and_bytes():
    figures = by_kind({BLOB: [Entry(BLOB_PATH, 10), Entry(BLOB_PATH + "x", 5)], TAG_LINK: [Entry(TAG_PATH, 71)]})
    assert (figures["objects"], figures["bytes"]) == (3, 86)
    assert figures["by_kind"][BLOB] == {"objects": 2, "bytes": 15}
    assert figures["by_kind"][LAYER_LINK] == {"objects": 0, "bytes": 0}


MANIFEST = f"sha256:{HEX}".encode()
MANIFEST_THERE = {BLOB_PATH, REVISION_PATH}


def test_tag_is_written_once_its_manifest_revision_and_blob_are_at_the_target():
    assert tag_is_ready(TAG_PATH, MANIFEST, MANIFEST_THERE)
    assert tag_is_ready(TAG_PATH, MANIFEST + b"\n", MANIFEST_THERE)


def test_tag_index_entry_waits_for_its_current_link_too():
    assert not tag_is_ready(INDEX_PATH, MANIFEST, MANIFEST_THERE)
    assert tag_is_ready(INDEX_PATH, MANIFEST, MANIFEST_THERE | {TAG_PATH})


@pytest.mark.parametrize(
    "link, known",
    [
        # The tag moved at the source to a manifest this run never copied.
        (f"sha256:{OTHER_HEX}".encode(), MANIFEST_THERE),
        # The manifest's blob is there, but not as a revision of this repository.
        (MANIFEST, {BLOB_PATH, f"{V2}/repositories/team/other/_manifests/revisions/sha256/{HEX}/link"}),
        # The revision link is there, its blob is not.
        (MANIFEST, {REVISION_PATH}),
        (b"", MANIFEST_THERE),
        (b"not a digest", MANIFEST_THERE),
    ],
    ids=["moved", "other-repository", "no-blob", "empty", "garbage"],
)
def test_tag_naming_a_manifest_missing_at_the_target_is_deferred(link, known):
    assert not tag_is_ready(TAG_PATH, link, known)
