"""COS requests by CAM sub-users: allowed only by attached policies, explicit deny winning, keys usable at once."""

from __future__ import annotations

import json

import pytest
from qcloud_cos.cos_exception import CosServiceError
from tencentcloud.cam.v20190116 import models as cam_models

from emulator import clients

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


def test_batch_delete_is_authorized_as_delete_object_for_every_key(emulator, cam, cos, bucket):
    """api 436/8289: a signed batch delete checks cos:DeleteObject on each key it deletes."""
    for name in ("mine/a", "theirs/b"):
        cos.put_object(Bucket=bucket, Key=name, Body=b"x")
    user, key = new_user(cam, "cleaner", statement("allow", ["name/cos:DeleteObject"], OBJECTS + "mine/*"))
    user = clients.cos_client(emulator.url, *key)
    user.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": "mine/a"}]})
    both = {"Object": [{"Key": "mine/a"}, {"Key": "theirs/b"}]}
    assert refused(user.delete_objects, Bucket=bucket, Delete=both) == (403, "AccessDenied")
    assert [entry["Key"] for entry in cos.list_objects(Bucket=bucket)["Contents"]] == ["theirs/b"]


def test_batch_delete_without_delete_object_is_refused(emulator, cam, cos, bucket):
    cos.put_object(Bucket=bucket, Key="mine/a", Body=b"x")
    user, key = new_user(cam, "batcher", statement("allow", ["name/cos:DeleteMultipleObjects"], OBJECTS + "mine/*"))
    user = clients.cos_client(emulator.url, *key)
    one = {"Object": [{"Key": "mine/a"}]}
    assert refused(user.delete_objects, Bucket=bucket, Delete=one) == (403, "AccessDenied")


def copier(cam, emulator, name: str, *actions: str):
    """A user allowed `actions` under mine/ and GetObject on the whole bucket."""
    user, key = new_user(
        cam,
        name,
        statement("allow", [f"name/cos:{action}" for action in actions], OBJECTS + "mine/*"),
        statement("allow", ["name/cos:GetObject"], OBJECTS + "*"),
    )
    return clients.cos_client(emulator.url, *key)


def test_put_object_copy_needs_put_object_copy(emulator, cam, cos, bucket):
    """api 436/10881 names cos:PutObjectCopy; PutObject alone, as registry policies used to grant, is refused."""
    cos.put_object(Bucket=bucket, Key="mine/source", Body=b"x")
    source = {"Bucket": bucket, "Key": "mine/source", "Region": "ap-guangzhou"}
    writer = copier(cam, emulator, "writer", "PutObject")
    assert refused(writer.copy_object, Bucket=bucket, Key="mine/copy", CopySource=source) == (403, "AccessDenied")
    full = copier(cam, emulator, "full-copier", "PutObject", "PutObjectCopy")
    full.copy_object(Bucket=bucket, Key="mine/copy", CopySource=source)
    assert cos.get_object(Bucket=bucket, Key="mine/copy")["Body"].get_raw_stream().read() == b"x"


UPLOAD_PART_COPY_ACTIONS = (
    "InitiateMultipartUpload",
    "ListMultipartUploads",
    "ListParts",
    "PutObject",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
)


@pytest.mark.parametrize("missing", [None, *UPLOAD_PART_COPY_ACTIONS])
def test_upload_part_copy_needs_the_documented_set(emulator, cam, cos, bucket, missing):
    """product 436/8287: the multipart set and PutObject on the destination, GetObject on the source."""
    cos.put_object(Bucket=bucket, Key="mine/source", Body=b"x" * 1024)
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key="mine/copy")["UploadId"]
    actions = [action for action in UPLOAD_PART_COPY_ACTIONS if action != missing]
    user = copier(cam, emulator, f"part-copier-{missing or 'all'}".lower(), *actions)
    source = {"Bucket": bucket, "Key": "mine/source", "Region": "ap-guangzhou"}
    call = {"Bucket": bucket, "Key": "mine/copy", "UploadId": upload_id, "PartNumber": 1, "CopySource": source}
    if missing:
        assert refused(user.upload_part_copy, **call) == (403, "AccessDenied")
    else:
        assert user.upload_part_copy(**call)["ETag"]


@pytest.mark.parametrize(
    "upload",
    [
        lambda user, bucket, headers: user.put_object(Bucket=bucket, Key="mine/k", Body=b"x", **headers),
        lambda user, bucket, headers: user.create_multipart_upload(Bucket=bucket, Key="mine/k", **headers),
    ],
    ids=["put-object", "initiate-multipart-upload"],
)
@pytest.mark.parametrize("headers", [{"ACL": "private"}, {"GrantRead": 'id="100000000001"'}], ids=["acl", "grant"])
def test_an_acl_sent_with_an_upload_needs_put_object_acl(emulator, cam, bucket, upload, headers):
    """COSCLI documentation: an ACL in the upload's headers amounts to a PutObjectACL."""
    plain = copier(cam, emulator, "uploader", "PutObject", "InitiateMultipartUpload")
    upload(plain, bucket, {})
    assert refused(upload, plain, bucket, headers) == (403, "AccessDenied")
    with_acl = copier(cam, emulator, "acl-uploader", "PutObject", "InitiateMultipartUpload", "PutObjectACL")
    upload(with_acl, bucket, headers)


def listing_user(cam, emulator, operator: str, prefix: str):
    condition = {operator: {"cos:prefix": [prefix]}}
    document = statement("allow", ["name/cos:GetBucket"], OBJECTS + "*")
    document["statement"][0]["condition"] = condition
    return clients.cos_client(emulator.url, *new_user(cam, f"lister-{operator}", document)[1])


@pytest.mark.parametrize(
    "operator, prefix", [("string_equal", "mine%2F"), ("string_like", "mine%2F*")], ids=["equal", "like"]
)
def test_prefix_conditions_compare_the_url_encoded_prefix(emulator, cam, cos, bucket, operator, prefix):
    """product 436/46206: a cos:prefix value with '/' is written URL-encoded in the policy."""
    user = listing_user(cam, emulator, operator, prefix)
    user.list_objects(Bucket=bucket, Prefix="mine/")
    assert refused(user.list_objects, Bucket=bucket, Prefix="other/") == (403, "AccessDenied")


@pytest.mark.parametrize("operator, prefix", [("string_equal", "mine/"), ("string_like", "mine/*")])
def test_an_unencoded_prefix_condition_matches_no_listing(emulator, cam, bucket, operator, prefix):
    user = listing_user(cam, emulator, operator, prefix)
    assert refused(user.list_objects, Bucket=bucket, Prefix="mine/") == (403, "AccessDenied")


def test_deactivated_key_is_refused(emulator, cam, bucket):
    uin, key = new_user(cam, "rotated", statement("allow", ["name/cos:*"], "*"))
    user = clients.cos_client(emulator.url, *key)
    user.head_bucket(Bucket=bucket)
    update = cam_models.UpdateAccessKeyRequest()
    update.AccessKeyId, update.Status, update.TargetUin = key[0], "Inactive", uin
    cam.UpdateAccessKey(update)
    assert refused(user.list_objects, Bucket=bucket) == (403, "InvalidAccessKeyId")
