"""registry_gc_output reads what distribution's garbage-collect printed: the report's and the role's one reader."""

import yaml
from ansible_collections.cosops.registry.plugins.filter.registry_gc_output import RETURN, FilterModule

OUTPUT = FilterModule().filters()["registry_gc_output"]
BLOB = "sha256:" + "5d" * 32
MANIFEST = "sha256:" + "9e" * 32
DRY_RUN_STDOUT = f"""gc/app
gc/app: marking manifest sha256:{"aa" * 32} \ngc/app: marking blob sha256:{"bb" * 32}
manifest eligible for deletion: {{gc/app {MANIFEST} [kept old]}}

2 blobs marked, 1 blobs and 1 manifests eligible for deletion
blob eligible for deletion: {BLOB}
gc/app: layer link eligible for deletion: {BLOB}
"""
DELETING_STDERR = f"""time="2026-12-01T10:00:00Z" level=info msg="deleting manifest tag reference: /x"
time="2026-12-01T10:00:00Z" level=info msg="deleting manifest: /docker/registry/v2/repositories/gc/app/_manifests/revisions/sha256/{"9e" * 32}"
time="2026-12-01T10:00:01Z" level=info msg="Deleting blob: /docker/registry/v2/blobs/sha256/5d/{"5d" * 32}"
"""


def test_a_dry_run_gives_the_summary_and_what_is_eligible_and_deletes_nothing():
    figures = OUTPUT({"stdout": DRY_RUN_STDOUT, "stderr": ""})
    assert figures["summary"] == "2 blobs marked, 1 blobs and 1 manifests eligible for deletion"
    assert figures["marked"] == 2
    assert figures["eligible_blobs"] == [BLOB]
    assert figures["eligible_manifests"] == [f"gc/app@{MANIFEST}"]
    assert figures["eligible_layer_links"] == [f"gc/app@{BLOB}"]
    assert (figures["deleted_blobs"], figures["deleted_manifests"]) == (0, 0)


def test_a_collection_counts_deleted_blobs_and_manifests_not_tag_references():
    figures = OUTPUT({"stdout": DRY_RUN_STDOUT, "stderr": DELETING_STDERR})
    assert (figures["deleted_blobs"], figures["deleted_manifests"]) == (1, 1)


def test_a_failed_run_has_no_summary_and_its_last_line_says_why():
    failed = "failed to mark: s3aws: Path not found: /docker/registry/v2/repositories/gc/app/_manifests"
    figures = OUTPUT({"stdout": "gc/app\n", "stderr": f"{failed}\n"})
    assert figures["summary"] == "" and figures["marked"] is None
    assert figures["last_line"] == "gc/app"
    assert OUTPUT({"stdout": "", "stderr": f"{failed}\n"})["last_line"] == failed


def test_a_missing_result_reads_as_nothing_printed():
    assert OUTPUT({})["summary"] == "" and OUTPUT(None)["eligible_blobs"] == []


def test_documented_sample_is_what_the_filter_returns():
    sample = yaml.safe_load(RETURN)["_value"]["sample"]
    stdout = f"{sample['summary']}\n{sample['last_line']}\n"
    assert OUTPUT({"stdout": stdout, "stderr": ""}) == sample
