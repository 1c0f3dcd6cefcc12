"""The controller's key, holding only registry_controller_cam_policy, against the emulator with the real SDKs: what
the playbooks need is allowed; other buckets, users and policies it did not create, and deletions are denied."""

from __future__ import annotations

import pytest

from emulator import clients
from tests.support.controller import (
    BUCKET,
    DENIED_CAM,
    DENIED_COS,
    STORAGE,
    call,
    cam_refusal,
    controller_key,
    cos_refusal,
    prepare_account,
    registry_user,
)


@pytest.fixture(name="controller")
def controller_fixture(emulator):
    return controller_key(emulator)


def test_controller_creates_and_rotates_what_the_playbooks_need(emulator, controller):
    created = registry_user(emulator, controller)
    renewed = call(emulator, controller, "CreateAccessKey", {"TargetUin": created["uin"]})["AccessKey"]
    deactivate = {"TargetUin": created["uin"], "AccessKeyId": created["key_id"], "Status": "Inactive"}
    call(emulator, controller, "UpdateAccessKey", deactivate)
    call(emulator, controller, "DeleteAccessKey", {"TargetUin": created["uin"], "AccessKeyId": created["key_id"]})
    call(emulator, controller, "UpdatePolicy", {"PolicyId": created["policy_id"], "PolicyDocument": STORAGE})
    keys = call(emulator, controller, "ListAccessKeys", {"TargetUin": created["uin"]})["AccessKeys"]
    assert [key["AccessKeyId"] for key in keys] == [renewed["AccessKeyId"]]


def test_controller_creates_and_configures_its_bucket(emulator, controller):
    client = clients.cos_client(emulator.url, *controller)
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET, Status="Enabled")
    assert client.list_objects(Bucket=BUCKET, Prefix="registry/docker/")["Name"] == BUCKET


@pytest.mark.parametrize("name, operation", DENIED_COS, ids=[name for name, _operation in DENIED_COS])
def test_controller_is_denied_on_cos_beyond_its_bucket_configuration(emulator, controller, name, operation):
    prepare_account(emulator, controller)
    assert cos_refusal(emulator, controller, operation) == 403


@pytest.mark.parametrize("name, action, params", DENIED_CAM, ids=[name for name, _action, _params in DENIED_CAM])
def test_controller_is_denied_on_cam_resources_it_did_not_create(emulator, controller, name, action, params):
    own, other = prepare_account(emulator, controller)
    assert cam_refusal(emulator, controller, action, params(other, own)) == "AuthFailure.UnauthorizedOperation"
