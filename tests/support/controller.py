"""The controller's key as bootstrap_controller.yml makes it (a sub-user holding only registry_controller_cam_policy),
and what it must be refused: shared by the emulator tests and the reliability figures."""

from __future__ import annotations

import json

from ansible_collections.cosops.registry.plugins.module_utils._rules.controller_policy import controller_cam_policy
from qcloud_cos.cos_exception import CosServiceError
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import clients
from emulator.iam import DEFAULT_OWNER_UIN, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY

ROOT = (DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
BUCKET = "registry-1250000000"
OTHER_BUCKET = "other-1250000000"
STORAGE = json.dumps(
    {"version": "2.0", "statement": [{"effect": "allow", "action": "name/cos:GetObject", "resource": "*"}]}
)


def controller_key(emulator) -> tuple[str, str]:
    policy = controller_cam_policy(BUCKET, "ap-guangzhou", emulator.appid, DEFAULT_OWNER_UIN, "/registry")
    return clients.sub_user_key(emulator.url, ROOT, policy, name="registry-controller")


def call(emulator, key, action: str, params: dict) -> dict:
    return clients.cam(emulator.url, *key).call_json(action, params)["Response"]


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


# (name, CAM action, its parameters from (other user, own resources)): each must be refused.
DENIED_CAM = [
    ("delete a user it did not create", "DeleteUser", lambda other, own: {"Name": "someone-else", "Force": 1}),
    (
        "delete another user's key",
        "DeleteAccessKey",
        lambda other, own: {"TargetUin": other["uin"], "AccessKeyId": other["key_id"]},
    ),
    (
        "deactivate another user's key",
        "UpdateAccessKey",
        lambda other, own: {"TargetUin": other["uin"], "AccessKeyId": other["key_id"], "Status": "Inactive"},
    ),
    ("create a key for another user", "CreateAccessKey", lambda other, own: {"TargetUin": other["uin"]}),
    (
        "attach its policy to another user",
        "AttachUserPolicy",
        lambda other, own: {"PolicyId": own["policy_id"], "AttachUin": other["uin"]},
    ),
    # a preset policy was created by no uin of the account: the controller cannot hand out administrator rights
    ("attach AdministratorAccess", "AttachUserPolicy", lambda other, own: {"PolicyId": 1, "AttachUin": own["uin"]}),
    (
        "widen its own policy",
        "UpdatePolicy",
        lambda other, own: {"PolicyId": own["controller_policy_id"], "PolicyDocument": STORAGE},
    ),
    ("delete the user it created", "DeleteUser", lambda other, own: {"Name": "registry"}),
    ("delete a policy", "DeletePolicy", lambda other, own: {"PolicyId": [own["policy_id"]]}),
    ("create a role", "CreateRole", lambda other, own: {"RoleName": "x", "PolicyDocument": STORAGE}),
]
# (name, COS call on a client with the controller's key): each must be refused.
DENIED_COS = [
    ("delete the bucket", lambda client: client.delete_bucket(Bucket=BUCKET)),
    ("write an object", lambda client: client.put_object(Bucket=BUCKET, Key="registry/x", Body=b"x")),
    ("read an object", lambda client: client.get_object(Bucket=BUCKET, Key="registry/x")),
    ("list the whole bucket", lambda client: client.list_objects(Bucket=BUCKET, Prefix="")),
    ("set the bucket policy", lambda client: client.put_bucket_policy(Bucket=BUCKET, Policy={"Statement": []})),
    ("create another bucket", lambda client: client.create_bucket(Bucket=f"third-{BUCKET.rsplit('-', 1)[1]}")),
    ("reach another bucket", lambda client: client.head_bucket(Bucket=OTHER_BUCKET)),
    ("list another bucket", lambda client: client.list_objects(Bucket=OTHER_BUCKET, Prefix="registry/")),
    ("list the account's buckets", lambda client: client.list_buckets()),
]


def prepare_account(emulator, key) -> tuple[dict, dict]:
    """Both buckets with an object, the registry's user made by the controller, another user made by the account."""
    root_cos = clients.cos_client(emulator.url, *ROOT)
    root_cos.create_bucket(Bucket=BUCKET)
    root_cos.create_bucket(Bucket=OTHER_BUCKET)
    root_cos.put_object(Bucket=BUCKET, Key="registry/x", Body=b"x")
    own = registry_user(emulator, key)
    own["controller_policy_id"] = call(emulator, ROOT, "ListPolicies", {"Keyword": "registry-controller"})["List"][0][
        "PolicyId"
    ]
    return own, other_user(emulator)


def cam_refusal(emulator, key, action: str, params: dict) -> str | None:
    """The error code CAM answered, or None when it allowed the call."""
    try:
        call(emulator, key, action, params)
    except TencentCloudSDKException as error:
        return error.get_code()
    return None


def cos_refusal(emulator, key, operation) -> int | None:
    """The HTTP status COS refused with, or None when it allowed the call."""
    try:
        operation(clients.cos_client(emulator.url, *key))
    except CosServiceError as error:
        return error.get_status_code()
    return None
