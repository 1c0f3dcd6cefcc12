"""Temporary keys with the real SDKs: CAM roles, STS AssumeRole, the CVM metadata service, tokens and expiry."""

from __future__ import annotations

import urllib.request

import pytest
from qcloud_cos.cos_exception import CosServiceError
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential, CVMRoleCredential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import clients
from emulator.tests.conftest import BUCKET

ACCOUNT_ROOT = {"qcs": ["qcs::cam::uin/100000000001:root"]}
CVM_CARRIER = {"service": ["cvm.qcloud.com"]}


def cam_call(url: str, keys: tuple, action: str, params: dict | None = None) -> dict:
    client = CommonClient("cam", "2019-01-16", Credential(*keys), "", clients.api_profile(url))
    return client.call_json(action, params or {})["Response"]


def temporary_keys(response) -> tuple[str, str, str]:
    return response.Credentials.TmpSecretId, response.Credentials.TmpSecretKey, response.Credentials.Token


@pytest.fixture
def reader_arn(emulator, root, bucket) -> str:
    return clients.cam_role(
        emulator.url, root, "reader", ACCOUNT_ROOT, ["QcloudCOSReadOnlyAccess", "QcloudCamReadOnlyAccess"]
    )


@pytest.fixture
def metadata_proxy(emulator):
    """urllib (which the SDK's CVMRoleCredential uses) reaching metadata.tencentyun.com through the emulator."""
    urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({"http": emulator.url})))
    yield
    urllib.request.install_opener(None)


def test_assumed_role_keys_work_with_their_token_on_both_faces(emulator, root, reader_arn):
    response = clients.assume_role(emulator.url, root, reader_arn, duration=900)
    secret_id, secret_key, token = temporary_keys(response)
    assert response.ExpiredTime > 0 and response.Expiration.endswith("Z")
    cos = clients.cos_client(emulator.url, secret_id, secret_key, Token=token)
    assert [entry["Name"] for entry in cos.list_buckets()["Buckets"]["Bucket"]] == [BUCKET]
    assert int(cam_call(emulator.url, (secret_id, secret_key, token), "GetUserAppId")["AppId"]) == 1250000000


def test_temporary_keys_without_their_token_are_refused(emulator, root, reader_arn):
    secret_id, secret_key, token = temporary_keys(clients.assume_role(emulator.url, root, reader_arn))
    with pytest.raises(CosServiceError) as refused:
        clients.cos_client(emulator.url, secret_id, secret_key).list_buckets()
    assert refused.value.get_error_code() == "AccessDenied"
    with pytest.raises(TencentCloudSDKException) as refused_api:
        cam_call(emulator.url, (secret_id, secret_key, "not-the-token"), "GetUserAppId")
    assert refused_api.value.get_code() == "AuthFailure.TokenFailure"


def test_expired_temporary_keys_are_refused_with_their_codes(emulator, root, reader_arn, control):
    keys = temporary_keys(clients.assume_role(emulator.url, root, reader_arn))
    assert control.expire_temporary_keys() == 1
    with pytest.raises(CosServiceError) as expired:
        clients.cos_client(emulator.url, keys[0], keys[1], Token=keys[2]).list_buckets()
    assert (expired.value.get_status_code(), expired.value.get_error_code()) == (400, "ExpiredToken")
    with pytest.raises(TencentCloudSDKException) as expired_api:
        cam_call(emulator.url, keys, "GetUserAppId")
    assert expired_api.value.get_code() == "AuthFailure.TokenFailure"
    assert "expired" in expired_api.value.get_message()


def test_the_role_policy_limits_what_its_keys_may_do(emulator, root, reader_arn):
    secret_id, secret_key, token = temporary_keys(clients.assume_role(emulator.url, root, reader_arn))
    cos = clients.cos_client(emulator.url, secret_id, secret_key, Token=token)
    with pytest.raises(CosServiceError) as refused:
        cos.put_object(Bucket=BUCKET, Key="written", Body=b"x")
    assert refused.value.get_error_code() == "AccessDenied"


def test_a_session_policy_narrows_the_role_to_the_intersection(emulator, root, reader_arn):
    # Allows only HEAD Bucket, and PutObject, which the read-only role itself does not allow.
    session = {
        "version": "2.0",
        "statement": [{"effect": "allow", "action": ["name/cos:HeadBucket", "name/cos:PutObject"], "resource": ["*"]}],
    }
    keys = temporary_keys(clients.assume_role(emulator.url, root, reader_arn, policy=session))
    cos = clients.cos_client(emulator.url, keys[0], keys[1], Token=keys[2])
    cos.head_bucket(Bucket=BUCKET)
    for denied in (lambda: cos.list_objects(Bucket=BUCKET), lambda: cos.put_object(Bucket=BUCKET, Key="k", Body=b"")):
        with pytest.raises(CosServiceError) as refused:
            denied()
        assert refused.value.get_error_code() == "AccessDenied"


def test_a_role_is_assumed_only_by_principals_its_carrier_names(emulator, root):
    arn = clients.cam_role(emulator.url, root, "instance-only", CVM_CARRIER, ["QcloudCOSReadOnlyAccess"])
    with pytest.raises(TencentCloudSDKException) as refused:
        clients.assume_role(emulator.url, root, arn)
    assert refused.value.get_code() == "UnauthorizedOperation"


def test_a_sub_user_needs_sts_assume_role_on_the_role(emulator, root, reader_arn):
    cos_only = {"version": "2.0", "statement": [{"effect": "allow", "action": ["name/cos:*"], "resource": ["*"]}]}
    key = clients.sub_user_key(emulator.url, root, cos_only)
    with pytest.raises(TencentCloudSDKException) as refused:
        clients.assume_role(emulator.url, key, reader_arn)
    assert refused.value.get_code() == "UnauthorizedOperation"


def test_unknown_roles_and_overlong_sessions_are_refused(emulator, root, reader_arn):
    with pytest.raises(TencentCloudSDKException) as unknown:
        clients.assume_role(emulator.url, root, "qcs::cam::uin/100000000001:roleName/missing")
    assert unknown.value.get_code() == "ResourceNotFound.RoleNotFound"
    with pytest.raises(TencentCloudSDKException) as too_long:
        clients.assume_role(emulator.url, root, reader_arn, duration=43201)
    assert too_long.value.get_code() == "InvalidParameter.OverTimeError"


def test_role_requests_are_checked_against_the_sdk_models(emulator, root):
    with pytest.raises(TencentCloudSDKException) as missing:
        cam_call(emulator.url, root, "CreateRole", {"RoleName": "no-document"})
    assert missing.value.get_code() == "MissingParameter"
    with pytest.raises(TencentCloudSDKException) as bad_principal:
        cam_call(
            emulator.url,
            root,
            "CreateRole",
            {
                "RoleName": "r",
                "PolicyDocument": '{"version":"2.0","statement":[{"effect":"allow","action":"name/sts:AssumeRole"}]}',
            },
        )
    assert bad_principal.value.get_code() == "InvalidParameter.PrincipalError"


def test_the_sdk_cvm_role_provider_reads_the_instance_role(emulator, root, bucket, control, metadata_proxy):
    clients.cam_role(emulator.url, root, "registry-host", CVM_CARRIER, ["QcloudCOSReadOnlyAccess"])
    control.bind_instance_role("registry-host")
    credential = CVMRoleCredential()
    secret_id, secret_key, token = credential.get_credential_info()
    assert credential.role == "registry-host" and token
    cos = clients.cos_client(emulator.url, secret_id, secret_key, Token=token)
    assert cos.list_buckets()["Buckets"]["Bucket"][0]["Name"] == BUCKET
    assert control.counters()["operations"]["cvm:MetadataSecurityCredentials"] == 2  # the role's name, then its keys


def test_only_a_role_carried_by_cvm_can_be_bound_to_the_instance(emulator, root, reader_arn, control):
    with pytest.raises(urllib.error.HTTPError) as refused:
        control.bind_instance_role("reader")
    assert refused.value.code == 400


def test_without_an_instance_role_the_sdk_provider_finds_no_keys(emulator, metadata_proxy):
    assert CVMRoleCredential().get_credential_info() == (None, None, None)
