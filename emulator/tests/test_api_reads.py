"""The CAM and STS reads the info modules make: answers in the shape of the SDK's response models, CAM authorization."""

from __future__ import annotations

import json

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import clients
from emulator.api import SERVICES
from emulator.iam import DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY, CamError

ROOT = (DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
DOCUMENT = json.dumps({"version": "2.0", "statement": [{"effect": "allow", "action": "name/cos:GetObject", "resource": "*"}]})


def client(emulator, service: str, key: tuple[str, str] = ROOT):
    build = clients.cam if service == "cam" else clients.sts
    return build(emulator.url, *key)


def populate(emulator) -> dict:
    """A sub-user with a key and an attached custom policy; what the reads below ask about."""
    cam = client(emulator, "cam")
    user = cam.call_json("AddUser", {"Name": "registry", "UseApi": 1})["Response"]
    policy_id = cam.call_json("CreatePolicy", {"PolicyName": "registry-storage", "PolicyDocument": DOCUMENT})["Response"]
    policy_id = policy_id["PolicyId"]
    cam.call_json("AttachUserPolicy", {"PolicyId": policy_id, "AttachUin": user["Uin"]})
    return {"uin": user["Uin"], "key": (user["SecretId"], user["SecretKey"]), "policy_id": policy_id}


def reads(account: dict) -> list:
    """(service, action, params) of every read the info modules and the modules they share code with make."""
    return [
        ("sts", "GetCallerIdentity", {}),
        ("cam", "GetUserAppId", {}),
        ("cam", "GetUser", {"Name": "registry"}),
        ("cam", "ListUsers", {}),
        ("cam", "ListAttachedUserPolicies", {"TargetUin": account["uin"], "Page": 1, "Rp": 200}),
        ("cam", "ListPolicies", {"Scope": "All", "Page": 1, "Rp": 200}),
        ("cam", "GetPolicy", {"PolicyId": account["policy_id"]}),
        ("cam", "ListAccessKeys", {"TargetUin": account["uin"]}),
        ("cam", "GetSecurityLastUsed", {"SecretIdList": [account["key"][0]]}),
    ]


CAM_READS = [
    "GetUserAppId",
    "GetUser",
    "ListUsers",
    "ListAttachedUserPolicies",
    "ListPolicies",
    "GetPolicy",
    "ListAccessKeys",
    "GetSecurityLastUsed",
]


def test_read_answers_hold_only_fields_of_the_sdk_response_models(emulator):
    account = populate(emulator)
    for service, action, params in reads(account):
        response = client(emulator, service).call_json(action, params)["Response"]
        assert "Error" not in response, (action, response)
        SERVICES[service].models.check_response(action, response)


@pytest.mark.parametrize(
    "action, response",
    [
        ("GetUser", {"Uin": 100000000002, "Name": "registry", "LastLogin": "yesterday"}),
        ("GetUser", {"Uin": "100000000002", "Name": "registry"}),
        ("ListAccessKeys", {"AccessKeys": [{"AccessKeyId": "AKID1", "SecretAccessKey": "secret"}]}),
    ],
)
def test_response_check_refuses_fields_and_types_outside_the_model(action, response):
    with pytest.raises(CamError):
        SERVICES["cam"].models.check_response(action, response)


@pytest.mark.parametrize("action", CAM_READS)
def test_sub_user_without_a_cam_policy_may_not_read(emulator, action):
    account = populate(emulator)
    params = next(params for service, name, params in reads(account) if service == "cam" and name == action)
    with pytest.raises(TencentCloudSDKException) as refused:
        client(emulator, "cam", account["key"]).call_json(action, params)
    assert refused.value.get_code() == "AuthFailure.UnauthorizedOperation"
    assert f"cam:{action}" in refused.value.get_message()


def test_sub_user_with_cam_read_only_access_reads_everything(emulator):
    account = populate(emulator)
    root = client(emulator, "cam")
    read_only = root.call_json("ListPolicies", {"Scope": "QCS", "Keyword": "QcloudCamReadOnlyAccess"})["Response"]
    root.call_json("AttachUserPolicy", {"PolicyId": read_only["List"][0]["PolicyId"], "AttachUin": account["uin"]})
    for service, action, params in reads(account):
        response = client(emulator, service, account["key"]).call_json(action, params)["Response"]
        assert "Error" not in response, (action, response)


def test_sub_user_asks_sts_who_it_is_without_any_policy(emulator):
    account = populate(emulator)
    root = client(emulator, "cam")
    root.call_json("DetachUserPolicy", {"PolicyId": account["policy_id"], "DetachUin": account["uin"]})
    identity = client(emulator, "sts", account["key"]).call_json("GetCallerIdentity", {})["Response"]
    assert identity["PrincipalId"] == str(account["uin"])
