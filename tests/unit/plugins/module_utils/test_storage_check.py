"""The storage check's hints: the CAM action and resource a refusal names, and what to do about other failures."""

from __future__ import annotations

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_check import (
    StorageCheck,
    cam_actions_of_call,
    fails,
    summarize,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

BUCKET = "registry-1250000000"
OBJECTS = f"qcs::cos:ap-guangzhou:uid/1250000000:{BUCKET}/registry/*"
BUCKET_RESOURCE = f"qcs::cos:ap-guangzhou:uid/1250000000:{BUCKET}/"


def storage_check(**settings) -> StorageCheck:
    """A check over a driver that is never called: the hints below need no request."""
    config = DriverConfig.from_parameters(
        dict(
            {"secretid": "AKIDexample", "secretkey": "secret", "region": "ap-guangzhou", "bucket": BUCKET},
            rootdirectory="/registry",
            **settings,
        )
    )
    return StorageCheck(CosDriver(config), smoke_size=1)


def refused(action: str, code: str = "AccessDenied", status: int = 403) -> TencentCloudError:
    return TencentCloudError(action, code, "Access Denied.", "request-id", status)


@pytest.mark.parametrize(
    "sdk_action, action",
    [
        ("PutObject", "name/cos:PutObject"),
        ("ListObjects", "name/cos:GetBucket"),
        ("CopyObject", "name/cos:PutObjectCopy"),
        ("DeleteObjects", "name/cos:DeleteObject"),
    ],
)
def test_a_refused_call_names_its_cam_action(sdk_action, action):
    assert cam_actions_of_call(sdk_action) == action


def test_a_refused_part_copy_names_the_whole_documented_set():
    """product 436/8287: any one of these missing on the destination refuses Upload Part - Copy."""
    assert cam_actions_of_call("UploadPartCopy").split(", ") == [
        "name/cos:PutObject",
        "name/cos:InitiateMultipartUpload",
        "name/cos:ListMultipartUploads",
        "name/cos:ListParts",
        "name/cos:CompleteMultipartUpload",
        "name/cos:AbortMultipartUpload",
    ]


def test_a_refused_write_names_the_action_on_the_objects_under_the_root():
    assert storage_check().hint(refused("PutObject")) == (
        f"The key may not call name/cos:PutObject: allow name/cos:PutObject on {OBJECTS} in the key's CAM policy."
    )


@pytest.mark.parametrize(
    "sdk_action, action", [("ListObjects", "GetBucket"), ("GetBucketLifecycle", "GetBucketLifecycle")]
)
def test_a_refused_bucket_read_names_the_bucket_resource(sdk_action, action):
    assert (
        storage_check()
        .hint(refused(sdk_action))
        .endswith(f"allow name/cos:{action} on {BUCKET_RESOURCE} in the key's CAM policy.")
    )


def test_a_refused_head_without_an_error_body_is_read_as_a_refusal():
    hint = storage_check().hint(refused("HeadObject", code="Forbidden"))
    assert hint.startswith("The key may not call name/cos:HeadObject:")


def test_a_refused_bucket_listing_names_every_bucket_as_the_resource():
    assert (
        storage_check().hint(refused("ListBuckets")).endswith("allow name/cos:GetService on * in the key's CAM policy.")
    )


def test_a_missing_bucket_is_pointed_to_the_region_it_is_in():
    check = storage_check()
    check.bucket_regions = {BUCKET: "ap-shanghai"}
    hint = check.hint(refused("ListObjects", code="NoSuchBucket", status=404))
    assert hint == f"bucket {BUCKET} is in ap-shanghai, not ap-guangzhou: set region: ap-shanghai"


def test_a_missing_bucket_seen_nowhere_is_to_be_created():
    hint = storage_check().hint(refused("ListObjects", code="NoSuchBucket", status=404))
    assert hint.startswith("Create the bucket (cosops.registry.cos_bucket)")


@pytest.mark.parametrize("code", ["SignatureDoesNotMatch", "InvalidAccessKeyId", "ClientNetworkError"])
def test_credential_and_network_failures_have_their_own_hints(code):
    hint = storage_check().hint(refused("ListObjects", code=code, status=None))
    assert hint and "name/cos:" not in hint


def test_an_unknown_failure_has_no_hint():
    assert storage_check().hint(refused("PutObject", code="InternalError", status=500)) == ""


def outcome(name: str, severity: str) -> dict:
    return {"name": name, "ok": severity == "ok", "severity": severity}


def test_warnings_fail_the_task_only_when_asked():
    result = {"checks": [outcome("bucket", "ok"), outcome("lifecycle", "warning")]}
    assert not fails(result, "error")
    assert fails(result, "warning")


def test_the_summary_counts_failures_and_warnings_and_names_what_was_not_run():
    config = storage_check().config
    outcomes = [outcome("bucket", "ok"), outcome("listing", "error"), outcome("lifecycle", "warning")]
    assert summarize(config, outcomes, ["multipart"], None) == (
        f"{BUCKET}/registry: of 3 checks, 1 failed (listing) and 1 warned (lifecycle); not run: multipart"
    )
