"""The registry policy, judged by the emulator's CAM evaluator: what the storage driver calls is allowed, nothing else."""

from __future__ import annotations

import json

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.policy_documents import validate_policy_document
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import (
    LISTING_ACTIONS,
    OBJECT_ACTIONS,
    registry_cam_policy,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

from emulator import cam_policy
from emulator.cos import listing_context

REGION = "ap-guangzhou"
APPID = "1250000000"
BUCKET = "registry-1250000000"
BUCKET_RESOURCE = f"qcs::cos:{REGION}:uid/{APPID}:{BUCKET}/*"


def obj(key: str, bucket: str = BUCKET) -> str:
    return f"qcs::cos:{REGION}:uid/{APPID}:{bucket}/{key}"


def allows(document: dict, action: str, resource: str, context: dict | None = None) -> bool:
    statements = cam_policy.parse_policy_document(json.dumps(document))
    return cam_policy.evaluate(list(statements), f"name/cos:{action}", resource, context)


@pytest.fixture(name="policy")
def policy_fixture():
    return registry_cam_policy(BUCKET, REGION, APPID, "/registry/")


@pytest.mark.parametrize("action", [name for name, _purpose, _source in OBJECT_ACTIONS])
def test_object_actions_are_allowed_under_the_root(policy, action):
    assert allows(policy, action, obj("registry/docker/registry/v2/blobs/sha256/ab/data"))


@pytest.mark.parametrize("key", ["other/file", "registry", "registry2/file", "file"])
@pytest.mark.parametrize(
    "action", ["PutObject", "GetObject", "DeleteObject", "DeleteMultipleObjects", "InitiateMultipartUpload"]
)
def test_object_actions_are_denied_outside_the_root(policy, action, key):
    assert not allows(policy, action, obj(key))


def test_other_buckets_are_untouched(policy):
    assert not allows(policy, "GetObject", obj("registry/x", "other-1250000000"))


def encoded(prefix: str) -> dict:
    return listing_context(prefix)


def plain(prefix: str) -> dict:
    return {"cos:prefix": prefix}


@pytest.mark.parametrize("action", [name for name, _purpose, _source in LISTING_ACTIONS])
@pytest.mark.parametrize("context", [encoded, plain], ids=["url-encoded", "plain"])
def test_listing_is_allowed_only_under_the_root(policy, action, context):
    """COS compares cos:prefix URL-encoded; the policy holds under a plain comparison as well."""
    assert allows(policy, action, BUCKET_RESOURCE, context("registry/docker/registry/v2/repositories/"))
    assert allows(policy, action, BUCKET_RESOURCE, context("registry/"))
    assert not allows(policy, action, BUCKET_RESOURCE, context("other/"))
    assert not allows(policy, action, BUCKET_RESOURCE, context("registry2/"))
    assert not allows(policy, action, BUCKET_RESOURCE, context(""))
    assert not allows(policy, action, BUCKET_RESOURCE, {})


def test_a_plain_prefix_pattern_alone_fails_the_encoded_comparison():
    """What the policy used to say: under COS's URL-encoded comparison no registry listing passes it."""
    old = {
        "version": "2.0",
        "statement": [
            {
                "effect": "allow",
                "action": ["name/cos:GetBucket"],
                "resource": [BUCKET_RESOURCE],
                "condition": {"string_like": {"cos:prefix": ["registry/*"]}},
            }
        ],
    }
    assert not allows(old, "GetBucket", BUCKET_RESOURCE, encoded("registry/docker/registry/v2/repositories/"))


@pytest.mark.parametrize(
    "action",
    ["PutBucketLifecycle", "DeleteBucketLifecycle", "DeleteBucket", "PutBucketACL", "PutBucketPolicy", "PutBucketCORS"],
)
def test_bucket_configuration_is_denied(policy, action):
    assert not allows(policy, action, BUCKET_RESOURCE)
    assert not allows(policy, action, BUCKET_RESOURCE, encoded("registry/"))


def test_the_document_passes_cam_validation(policy):
    assert validate_policy_document(policy) == policy


def test_an_empty_root_covers_the_whole_bucket_without_a_condition():
    policy = registry_cam_policy(BUCKET, REGION, APPID, "/")
    assert allows(policy, "PutObject", obj("docker/registry/v2/x"))
    assert allows(policy, "GetBucket", BUCKET_RESOURCE, {})
    assert not allows(policy, "PutBucketLifecycle", BUCKET_RESOURCE)


def test_a_bucket_without_its_appid_gets_it():
    assert registry_cam_policy("registry", REGION, APPID, "r") == registry_cam_policy(BUCKET, REGION, APPID, "r")


@pytest.mark.parametrize(
    "args, rule",
    [
        (("registry-1250000001", REGION, APPID, "r"), "not in the account's AppId"),
        ((BUCKET, "Guangzhou", APPID, "r"), "Region"),
        ((BUCKET, REGION, "42", "r"), "AppId"),
        ((BUCKET, REGION, APPID, "reg/*"), "rootdirectory"),
        ((BUCKET, REGION, APPID, "a/../b"), "rootdirectory"),
        (("Registry", REGION, APPID, "r"), "lowercase"),
    ],
)
def test_bad_input_is_refused_with_the_rule(args, rule):
    with pytest.raises(ValidationError, match=rule):
        registry_cam_policy(*args)
