"""The controller's key, holding only registry_controller_cam_policy, against the emulator with the real SDKs: what
the playbooks need is allowed; other buckets, users and policies it did not create, and deletions are denied."""

from __future__ import annotations

import json

import pytest
from qcloud_cos.cos_exception import CosServiceError
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from ansible_collections.cosops.registry.plugins.module_utils.controller_policy import controller_cam_policy
from tests.emulator.iam import DEFAULT_OWNER_UIN, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY
from tests.support import clients

ROOT = (DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
BUCKET = "registry-1250000000"
OTHER_BUCKET = "other-1250000000"
STORAGE = json.dumps(
    {"version": "2.0", "statement": [{"effect": "allow", "action": "name/cos:GetObject", "resource": "*"}]}
)


@pytest.fixture(name="controller")
def controller_fixture(emulator):
    """The controller's key, made once with the account's key as playbooks/bootstrap_controller.yml does."""
    policy = controller_cam_policy(BUCKET, "ap-guangzhou", emulator.appid, DEFAULT_OWNER_UIN, "/registry")
    return clients.sub_user_key(emulator.url, ROOT, policy, name="registry-controller")


def call(emulator, key, action: str, params: dict) -> dict:
    return clients.cam(emulator.url, *key).call_json(action, params)["Response"]


def refused(emulator, key, action: str, params: dict) -> str:
    with pytest.raises(TencentCloudSDKException) as raised:
        call(emulator, key, action, params)
    return raised.value.get_code()


def cos(emulator, key):
    return clients.cos_client(emulator.url, *key)


def registry_user(emulator, key) -> dict:
    """What deploy.yml does with the controller's key: policy, user, attachment, first key."""
    policy_id = call(emulator, key, "CreatePolicy", {"PolicyName": "registry-storage", "PolicyDocument": STORAGE})
    user = call(emulator, key, "AddUser", {"Name": "registry"})
    call(emulator, key, "AttachUserPolicy", {"PolicyId": policy_id["PolicyId"], "AttachUin": user["Uin"]})
    access_key = call(emulator, key, "CreateAccessKey", {"TargetUin": user["Uin"]})["AccessKey"]
    return {"uin": user["Uin"], "policy_id": policy_id["PolicyId"], "key_id": access_key["AccessKeyId"]}


def other_user(emulator) -> dict:
    """A user the account created, with a key: none of the controller's business."""
    user = call(emulator, ROOT, "AddUser", {"Name": "someone-else", "UseApi": 1})
    return {"uin": user["Uin"], "key_id": user["SecretId"]}


def test_controller_creates_and_rotates_what_the_playbooks_need(emulator, controller):
    created = registry_user(emulator, controller)
    renewed = call(emulator, controller, "CreateAccessKey", {"TargetUin": created["uin"]})["AccessKey"]
    call(
        emulator,
        controller,
        "UpdateAccessKey",
        {"TargetUin": created["uin"], "AccessKeyId": created["key_id"], "Status": "Inactive"},
    )
    call(emulator, controller, "DeleteAccessKey", {"TargetUin": created["uin"], "AccessKeyId": created["key_id"]})
    call(emulator, controller, "UpdatePolicy", {"PolicyId": created["policy_id"], "PolicyDocument": STORAGE})
    keys = call(emulator, controller, "ListAccessKeys", {"TargetUin": created["uin"]})["AccessKeys"]
    assert [key["AccessKeyId"] for key in keys] == [renewed["AccessKeyId"]]


def test_controller_creates_and_configures_its_bucket_only(emulator, controller):
    client = cos(emulator, controller)
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET, Status="Enabled")
    assert client.list_objects(Bucket=BUCKET, Prefix="registry/docker/")["Name"] == BUCKET
    with pytest.raises(CosServiceError) as raised:
        client.create_bucket(Bucket=OTHER_BUCKET)
    assert raised.value.get_error_code() == "AccessDenied"


@pytest.mark.parametrize(
    "operation",
    [
        lambda client: client.delete_bucket(Bucket=BUCKET),
        lambda client: client.put_object(Bucket=BUCKET, Key="registry/x", Body=b"x"),
        lambda client: client.get_object(Bucket=BUCKET, Key="registry/x"),
        lambda client: client.list_objects(Bucket=BUCKET, Prefix=""),
        lambda client: client.put_bucket_policy(Bucket=BUCKET, Policy={"Statement": []}),
        lambda client: client.head_bucket(Bucket=OTHER_BUCKET),
        lambda client: client.list_objects(Bucket=OTHER_BUCKET, Prefix="registry/"),
        lambda client: client.list_buckets(),
    ],
    ids=[
        "delete bucket",
        "write object",
        "read object",
        "list whole bucket",
        "bucket policy",
        "other bucket",
        "list other bucket",
        "list buckets",
    ],
)
def test_controller_is_denied_on_cos_beyond_its_bucket_configuration(emulator, controller, operation):
    cos(emulator, ROOT).create_bucket(Bucket=BUCKET)
    cos(emulator, ROOT).create_bucket(Bucket=OTHER_BUCKET)
    cos(emulator, ROOT).put_object(Bucket=BUCKET, Key="registry/x", Body=b"x")
    with pytest.raises(CosServiceError) as raised:
        operation(cos(emulator, controller))
    assert raised.value.get_status_code() == 403


def test_controller_may_not_delete_a_user_it_did_not_create(emulator, controller):
    other = other_user(emulator)
    assert (
        refused(emulator, controller, "DeleteUser", {"Name": "someone-else", "Force": 1})
        == "AuthFailure.UnauthorizedOperation"
    )
    assert call(emulator, ROOT, "GetUser", {"Name": "someone-else"})["Uin"] == other["uin"]


@pytest.mark.parametrize(
    "action, params",
    [
        ("DeleteAccessKey", lambda other, own: {"TargetUin": other["uin"], "AccessKeyId": other["key_id"]}),
        (
            "UpdateAccessKey",
            lambda other, own: {"TargetUin": other["uin"], "AccessKeyId": other["key_id"], "Status": "Inactive"},
        ),
        ("CreateAccessKey", lambda other, own: {"TargetUin": other["uin"]}),
        ("AttachUserPolicy", lambda other, own: {"PolicyId": own["policy_id"], "AttachUin": other["uin"]}),
        # a preset policy was created by no uin of the account: the controller cannot hand out administrator rights
        ("AttachUserPolicy", lambda other, own: {"PolicyId": 1, "AttachUin": own["uin"]}),
        ("UpdatePolicy", lambda other, own: {"PolicyId": own["controller_policy_id"], "PolicyDocument": STORAGE}),
        ("DeleteUser", lambda other, own: {"Name": "registry"}),
        ("DeletePolicy", lambda other, own: {"PolicyId": [own["policy_id"]]}),
        ("CreateRole", lambda other, own: {"RoleName": "x", "PolicyDocument": STORAGE}),
    ],
    ids=[
        "delete other's key",
        "deactivate other's key",
        "key for other",
        "attach to other",
        "attach preset",
        "widen own policy",
        "delete own user",
        "delete policy",
        "create role",
    ],
)
def test_controller_is_denied_on_cam_resources_it_did_not_create(emulator, controller, action, params):
    own = registry_user(emulator, controller)
    own["controller_policy_id"] = call(emulator, ROOT, "ListPolicies", {"Keyword": "registry-controller"})["List"][0][
        "PolicyId"
    ]
    other = other_user(emulator)
    assert refused(emulator, controller, action, params(other, own)) == "AuthFailure.UnauthorizedOperation"
