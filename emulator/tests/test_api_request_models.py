"""Requests Tencent Cloud API v3 refuses, sent with tencentcloud-sdk-python: one per rule of the SDK's request models."""

from __future__ import annotations

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import clients
from emulator.iam import DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY

# (client, method, action, params, code, the parameter the message names)
REFUSED = [
    ("cam", "POST", "AddUser", {"Name": "alice", "Bogus": 1}, "UnknownParameter", "Bogus"),
    ("cam", "GET", "AddUser", {"Name": "alice", "Bogus": "1"}, "UnknownParameter", "Bogus"),
    ("cam", "POST", "AddUser", {"Remark": "no name"}, "MissingParameter", "Name"),
    ("cam", "POST", "AddUser", {"Name": 5}, "InvalidParameter", "Name"),
    ("cam", "POST", "AddUser", {"Name": "alice", "UseApi": "1"}, "InvalidParameter", "UseApi"),
    ("cam", "GET", "AddUser", {"Name": "alice", "UseApi": "yes"}, "InvalidParameter", "UseApi"),
    ("cam", "POST", "DeletePolicy", {"PolicyId": 200000001}, "InvalidParameter", "PolicyId"),
    ("cam", "POST", "DeletePolicy", {"PolicyId": [-1]}, "InvalidParameter", "PolicyId.0"),
    ("cam", "POST", "DeletePolicy", {}, "MissingParameter", "PolicyId"),
    ("cam", "POST", "ListAttachedUserPolicies", {"Page": 1}, "MissingParameter", "TargetUin"),
    ("cam", "POST", "GetSecurityLastUsed", {"SecretIdList": "AKID"}, "InvalidParameter", "SecretIdList"),
    ("cam", "POST", "UpdatePolicy", {"PolicyId": 1, "Document": "{}"}, "UnknownParameter", "Document"),
    ("sts", "POST", "GetCallerIdentity", {"Bogus": True}, "UnknownParameter", "Bogus"),
    ("sts", "POST", "AssumeRole", {"RoleArn": "qcs::cam::uin/1:roleName/r"}, "MissingParameter", "RoleSessionName"),
    (
        "sts",
        "POST",
        "AssumeRole",
        {"RoleArn": "r", "RoleSessionName": "s", "Tags": [{"Key": "k"}]},
        "MissingParameter",
        "Tags.0.Value",
    ),
    (
        "sts",
        "POST",
        "AssumeRole",
        {"RoleArn": "r", "RoleSessionName": "s", "Tags": [{"Key": "k", "Value": "v", "Colour": "red"}]},
        "UnknownParameter",
        "Tags.0.Colour",
    ),
    (
        "sts",
        "POST",
        "AssumeRole",
        {"RoleArn": "r", "RoleSessionName": "s", "Tags": {"Key": "k"}},
        "InvalidParameter",
        "Tags",
    ),
]


def api_client(emulator, service: str, method: str):
    profile = clients.api_profile(emulator.url)
    profile.httpProfile.reqMethod = method
    build = clients.cam if service == "cam" else clients.sts
    client = build(emulator.url, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
    client.profile = profile
    return client


def refusal(client, action: str, params: dict) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as refused:
        client.call_json(action, params)
    return refused.value


@pytest.mark.parametrize("service, method, action, params, code, parameter", REFUSED)
def test_request_outside_the_sdk_model_is_refused(emulator, service, method, action, params, code, parameter):
    error = refusal(api_client(emulator, service, method), action, params)
    assert error.get_code() == code
    assert f"`{parameter}`" in error.get_message()


def test_unknown_parameter_message_has_the_gateway_shape(emulator):
    error = refusal(api_client(emulator, "cam", "POST"), "AddUser", {"Name": "alice", "Bogus": 1})
    assert error.get_message() == "The parameter `Bogus` is not recognized."


def test_missing_parameter_message_has_the_gateway_shape(emulator):
    error = refusal(api_client(emulator, "cam", "POST"), "GetUser", {})
    assert error.get_message() == "The request is missing a required parameter `Name`."


def test_action_the_sdk_does_not_define_is_invalid(emulator):
    error = refusal(api_client(emulator, "cam", "POST"), "AddUsers", {"Name": "alice"})
    assert error.get_code() == "InvalidAction"
    assert "`AddUsers`" in error.get_message() and "`cam`" in error.get_message()


def test_refused_request_changes_nothing(emulator):
    client = api_client(emulator, "cam", "POST")
    refusal(client, "AddUser", {"Name": "alice", "Bogus": 1})
    assert client.call_json("ListUsers", {})["Response"]["Data"] == []


def test_action_the_sdk_defines_but_the_emulator_lacks_is_unsupported(emulator):
    error = refusal(api_client(emulator, "cam", "POST"), "ListGroups", {})
    assert error.get_code() == "UnsupportedOperation"


def test_every_emulated_action_is_one_the_sdk_defines():
    from emulator.api import SERVICES

    for service in SERVICES.values():
        assert all(service.models.defines(action) for action in service.actions)


def test_query_values_take_their_model_types(emulator):
    client = api_client(emulator, "cam", "GET")
    created = client.call_json("AddUser", {"Name": "alice", "UseApi": 1, "ConsoleLogin": 0})
    assert created["Response"]["Name"] == "alice"
