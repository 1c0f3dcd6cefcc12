"""COS requests by CAM sub-users: allowed only by attached policies, explicit deny winning, keys usable at once."""

from __future__ import annotations

import json

import pytest
from qcloud_cos.cos_exception import CosServiceError
from tencentcloud.cam.v20190116 import models as cam_models

from tests.support import clients

OBJECTS = "qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/"


@pytest.fixture
def cam(emulator, root):
    return clients.cam(emulator.url, *root)


def new_user(cam, name: str, *policies: dict) -> tuple[str, tuple[str, str]]:
    request = cam_models.AddUserRequest()
    request.Name, request.ConsoleLogin, request.UseApi = name, 0, 0
    uin = cam.AddUser(request).Uin
    for number, document in enumerate(policies):
        create = cam_models.CreatePolicyRequest()
        create.PolicyName, create.PolicyDocument = f"{name}-{number}", json.dumps(document)
        attach = cam_models.AttachUserPolicyRequest()
        attach.PolicyId, attach.AttachUin = cam.CreatePolicy(create).PolicyId, uin
        cam.AttachUserPolicy(attach)
    key_request = cam_models.CreateAccessKeyRequest()
    key_request.TargetUin = uin
    key = cam.CreateAccessKey(key_request).AccessKey
    return uin, (key.AccessKeyId, key.SecretAccessKey)


def statement(effect: str, actions: list[str], resource: str) -> dict:
    return {"version": "2.0", "statement": [{"effect": effect, "action": actions, "resource": [resource]}]}


def refused(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(CosServiceError) as error:
        call(*args, **kwargs)
    return error.value.get_status_code(), error.value.get_error_code()


def test_user_without_policies_may_do_nothing(emulator, cam, bucket):
    user, key = new_user(cam, "nobody")
    user = clients.cos_client(emulator.url, *key)
    assert refused(user.list_objects, Bucket=bucket) == (403, "AccessDenied")
    assert refused(user.put_object, Bucket=bucket, Key="k", Body=b"x") == (403, "AccessDenied")


def test_wildcard_actions_and_resources_allow(emulator, cam, cos, bucket):
    cos.put_object(Bucket=bucket, Key="public/readme", Body=b"hello")
    user, key = new_user(cam, "reader", statement("allow", ["name/cos:Get*", "name/cos:Head*"], OBJECTS + "public/*"))
    user = clients.cos_client(emulator.url, *key)
    assert user.get_object(Bucket=bucket, Key="public/readme")["Body"].get_raw_stream().read() == b"hello"
    assert user.head_object(Bucket=bucket, Key="public/readme")["Content-Length"] == "5"
    assert refused(user.put_object, Bucket=bucket, Key="public/readme", Body=b"x") == (403, "AccessDenied")
    assert refused(user.get_object, Bucket=bucket, Key="private/readme") == (403, "AccessDenied")


def test_explicit_deny_wins_over_allow(emulator, cam, bucket):
    user, key = new_user(
        cam,
        "almost-admin",
        statement("allow", ["name/cos:*"], "*"),
        statement("deny", ["name/cos:DeleteObject"], OBJECTS + "*"),
    )
    user = clients.cos_client(emulator.url, *key)
    user.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert refused(user.delete_object, Bucket=bucket, Key="k") == (403, "AccessDenied")


def test_copy_needs_read_on_the_source_too(emulator, cam, cos, bucket):
    cos.put_object(Bucket=bucket, Key="secret/file", Body=b"x")
    user, key = new_user(cam, "copier", statement("allow", ["name/cos:*"], OBJECTS + "mine/*"))
    user = clients.cos_client(emulator.url, *key)
    source = {"Bucket": bucket, "Key": "secret/file", "Region": "ap-guangzhou"}
    assert refused(user.copy_object, Bucket=bucket, Key="mine/copy", CopySource=source) == (403, "AccessDenied")


def test_batch_delete_is_authorized_for_every_key(emulator, cam, cos, bucket):
    for name in ("mine/a", "theirs/b"):
        cos.put_object(Bucket=bucket, Key=name, Body=b"x")
    user, key = new_user(cam, "cleaner", statement("allow", ["name/cos:DeleteMultipleObjects"], OBJECTS + "mine/*"))
    user = clients.cos_client(emulator.url, *key)
    user.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": "mine/a"}]})
    both = {"Object": [{"Key": "mine/a"}, {"Key": "theirs/b"}]}
    assert refused(user.delete_objects, Bucket=bucket, Delete=both) == (403, "AccessDenied")
    assert [entry["Key"] for entry in cos.list_objects(Bucket=bucket)["Contents"]] == ["theirs/b"]


def test_deactivated_key_is_refused(emulator, cam, bucket):
    uin, key = new_user(cam, "rotated", statement("allow", ["name/cos:*"], "*"))
    user = clients.cos_client(emulator.url, *key)
    user.head_bucket(Bucket=bucket)
    update = cam_models.UpdateAccessKeyRequest()
    update.AccessKeyId, update.Status, update.TargetUin = key[0], "Inactive", uin
    cam.UpdateAccessKey(update)
    assert refused(user.list_objects, Bucket=bucket) == (403, "InvalidAccessKeyId")
