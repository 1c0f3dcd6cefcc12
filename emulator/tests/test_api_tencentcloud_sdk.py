"""The emulator's CAM and STS face, driven by tencentcloud-sdk-python exactly as the collection drives Tencent Cloud."""

from __future__ import annotations

import json
import time
import types
from dataclasses import dataclass

import pytest
from qcloud_cos import CosServiceError
from tencentcloud.cam.v20190116 import cam_client
from tencentcloud.cam.v20190116 import models as cam_models
from tencentcloud.common import abstract_client, credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.sts.v20180813 import models as sts_models
from tencentcloud.sts.v20180813 import sts_client

from emulator import clients
from emulator.iam import DEFAULT_APPID, DEFAULT_OWNER_UIN, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY

ROOT = (DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
ALLOW_ALL_COS = json.dumps(
    {"version": "2.0", "statement": [{"effect": "allow", "action": "name/cos:*", "resource": "*"}]}
)


@dataclass
class Api:
    """tencentcloud-sdk-python clients for the running emulator."""

    url: str

    def profile(self, method: str) -> ClientProfile:
        profile = clients.api_profile(self.url)
        profile.httpProfile.reqMethod = method
        return profile

    def cam(self, key: tuple[str, str] = ROOT, method: str = "POST") -> cam_client.CamClient:
        return cam_client.CamClient(credential.Credential(*key), "", self.profile(method))

    def sts(self, key: tuple[str, str] = ROOT, method: str = "POST") -> sts_client.StsClient:
        return sts_client.StsClient(credential.Credential(*key), clients.REGION, self.profile(method))

    def identity(self, key: tuple[str, str] = ROOT) -> sts_models.GetCallerIdentityResponse:
        return self.sts(key).GetCallerIdentity(sts_models.GetCallerIdentityRequest())


@pytest.fixture(name="emulator_api")
def emulator_api_fixture(emulator) -> Api:
    return Api(emulator.url)


def request(model_class, **fields):
    model = model_class()
    model.from_json_string(json.dumps(fields))
    return model


def error_code(call, *args, **kwargs) -> str:
    with pytest.raises(TencentCloudSDKException) as refused:
        call(*args, **kwargs)
    return refused.value.get_code()


def add_user(api: Api, name: str, **fields) -> cam_models.AddUserResponse:
    return api.cam().AddUser(request(cam_models.AddUserRequest, Name=name, **fields))


def attach(api: Api, uin: int, policy_name: str) -> int:
    found = api.cam().ListPolicies(request(cam_models.ListPoliciesRequest, Keyword=policy_name)).List
    policy_id = next(policy.PolicyId for policy in found if policy.PolicyName == policy_name)
    api.cam().AttachUserPolicy(request(cam_models.AttachUserPolicyRequest, PolicyId=policy_id, AttachUin=uin))
    return policy_id


# --- users ------------------------------------------------------------------------------------------------------


def test_user_lifecycle(emulator_api):
    cam = emulator_api.cam()
    added = add_user(emulator_api, "registry", Remark="registry storage", ConsoleLogin=0, UseApi=0)
    assert added.Name == "registry" and added.SecretId is None and added.SecretKey is None
    user = cam.GetUser(request(cam_models.GetUserRequest, Name="registry"))
    assert (user.Uin, user.Uid, user.Remark, user.ConsoleLogin) == (added.Uin, added.Uid, "registry storage", 0)
    assert [listed.Name for listed in cam.ListUsers(cam_models.ListUsersRequest()).Data] == ["registry"]

    cam.UpdateUser(request(cam_models.UpdateUserRequest, Name="registry", Remark="changed", Email="ops@example.com"))
    updated = cam.GetUser(request(cam_models.GetUserRequest, Name="registry"))
    assert (updated.Remark, updated.Email) == ("changed", "ops@example.com")

    cam.DeleteUser(request(cam_models.DeleteUserRequest, Name="registry"))
    assert (
        error_code(cam.GetUser, request(cam_models.GetUserRequest, Name="registry")) == "ResourceNotFound.UserNotExist"
    )
    assert cam.ListUsers(cam_models.ListUsersRequest()).Data == []


def test_sub_users_get_distinct_twelve_digit_uins(emulator_api):
    uins = {add_user(emulator_api, f"user{index}").Uin for index in range(3)}
    assert len(uins) == 3
    assert all(len(str(uin)) == 12 and str(uin) != DEFAULT_OWNER_UIN for uin in uins)


def test_duplicate_user_name_is_refused(emulator_api):
    add_user(emulator_api, "registry")
    assert error_code(add_user, emulator_api, "registry") == "InvalidParameter.SubUserNameInUse"


@pytest.mark.parametrize("name", ["has space", "x" * 65, "slash/name"])
def test_illegal_user_name_is_refused(emulator_api, name):
    assert error_code(add_user, emulator_api, name) == "InvalidParameter.UserNameIllegal"


def test_console_login_without_password_returns_a_generated_one(emulator_api):
    added = add_user(emulator_api, "console", ConsoleLogin=1)
    assert added.Password and len(added.Password) == 32


def test_weak_password_is_refused(emulator_api):
    code = error_code(add_user, emulator_api, "console", ConsoleLogin=1, Password="short")
    assert code == "InvalidParameter.PasswordViolatedRules"


def test_unknown_user_cannot_be_deleted(emulator_api):
    code = error_code(emulator_api.cam().DeleteUser, request(cam_models.DeleteUserRequest, Name="ghost"))
    assert code == "ResourceNotFound.UserNotExist"


def test_deleting_a_user_with_keys_needs_force(emulator_api):
    added = add_user(emulator_api, "registry", UseApi=1)
    cam = emulator_api.cam()
    code = error_code(cam.DeleteUser, request(cam_models.DeleteUserRequest, Name="registry"))
    assert code == "OperationDenied.HaveKeys"
    cam.DeleteUser(request(cam_models.DeleteUserRequest, Name="registry", Force=1))
    assert error_code(emulator_api.identity, (added.SecretId, added.SecretKey)) == "AuthFailure.SecretIdNotFound"


# --- access keys ------------------------------------------------------------------------------------------------


def test_add_user_with_use_api_returns_a_working_key(emulator_api):
    added = add_user(emulator_api, "registry", UseApi=1)
    assert added.SecretId.startswith("AKID") and len(added.SecretId) == 36
    assert len(added.SecretKey) == 32
    assert emulator_api.identity((added.SecretId, added.SecretKey)).UserId == str(added.Uin)


def test_access_key_lifecycle(emulator_api):
    uin = add_user(emulator_api, "registry").Uin
    cam = emulator_api.cam()
    created = cam.CreateAccessKey(request(cam_models.CreateAccessKeyRequest, TargetUin=uin)).AccessKey
    key = (created.AccessKeyId, created.SecretAccessKey)
    assert created.Status == "Active" and len(created.SecretAccessKey) == 32 and created.CreateTime
    assert emulator_api.identity(key).UserId == str(uin)

    listed = cam.call_json("ListAccessKeys", {"TargetUin": uin})["Response"]["AccessKeys"]
    assert [(item["AccessKeyId"], item["Status"]) for item in listed] == [(created.AccessKeyId, "Active")]
    assert created.SecretAccessKey not in json.dumps(listed)

    update = request(
        cam_models.UpdateAccessKeyRequest, TargetUin=uin, AccessKeyId=created.AccessKeyId, Status="Inactive"
    )
    cam.UpdateAccessKey(update)
    assert error_code(emulator_api.identity, key) == "AuthFailure.SecretIdNotFound"
    assert (
        cam.ListAccessKeys(request(cam_models.ListAccessKeysRequest, TargetUin=uin)).AccessKeys[0].Status == "Inactive"
    )
    update.Status = "Active"
    cam.UpdateAccessKey(update)
    assert emulator_api.identity(key).UserId == str(uin)

    delete = request(cam_models.DeleteAccessKeyRequest, TargetUin=uin, AccessKeyId=created.AccessKeyId)
    cam.DeleteAccessKey(delete)
    assert error_code(emulator_api.identity, key) == "AuthFailure.SecretIdNotFound"
    assert error_code(cam.DeleteAccessKey, delete) == "FailedOperation.Accesskey"


def test_at_most_two_access_keys_per_user(emulator_api):
    uin = add_user(emulator_api, "registry", UseApi=1).Uin
    cam = emulator_api.cam()
    cam.CreateAccessKey(request(cam_models.CreateAccessKeyRequest, TargetUin=uin))
    code = error_code(cam.CreateAccessKey, request(cam_models.CreateAccessKeyRequest, TargetUin=uin))
    assert code == "OperationDenied.AccessKeyOverLimit"
    assert len(cam.ListAccessKeys(request(cam_models.ListAccessKeysRequest, TargetUin=uin)).AccessKeys) == 2


def test_invalid_key_status_is_refused(emulator_api):
    added = add_user(emulator_api, "registry", UseApi=1)
    update = request(cam_models.UpdateAccessKeyRequest, TargetUin=added.Uin, AccessKeyId=added.SecretId, Status="Off")
    assert error_code(emulator_api.cam().UpdateAccessKey, update) == "InvalidParameter.ParamError"


def test_key_of_unknown_user_is_refused(emulator_api):
    code = error_code(emulator_api.cam().ListAccessKeys, request(cam_models.ListAccessKeysRequest, TargetUin=1))
    assert code == "InvalidParameter.UserNotExist"


def test_security_last_used_reports_only_used_keys(emulator_api):
    added = add_user(emulator_api, "registry", UseApi=1)
    cam = emulator_api.cam(method="GET")
    last_used = request(cam_models.GetSecurityLastUsedRequest, SecretIdList=[added.SecretId])
    assert cam.GetSecurityLastUsed(last_used).SecretIdLastUsedRows[0].LastUsedDate is None
    emulator_api.identity((added.SecretId, added.SecretKey))
    row = cam.GetSecurityLastUsed(last_used).SecretIdLastUsedRows[0]
    assert (row.SecretId, row.LastUsedDate) == (added.SecretId, time.strftime("%Y-%m-%d", time.gmtime()))


# --- policies ---------------------------------------------------------------------------------------------------


def test_policy_lifecycle(emulator_api):
    cam = emulator_api.cam()
    created = cam.CreatePolicy(
        request(cam_models.CreatePolicyRequest, PolicyName="registry-rw", PolicyDocument=ALLOW_ALL_COS, Description="d")
    )
    policy = cam.GetPolicy(request(cam_models.GetPolicyRequest, PolicyId=created.PolicyId))
    assert (policy.PolicyName, policy.Type, policy.Description) == ("registry-rw", 1, "d")
    assert json.loads(policy.PolicyDocument) == json.loads(ALLOW_ALL_COS)

    local = cam.ListPolicies(request(cam_models.ListPoliciesRequest, Scope="Local", Keyword="registry"))
    assert (local.TotalNum, [item.PolicyName for item in local.List]) == (1, ["registry-rw"])

    narrowed = ALLOW_ALL_COS.replace('"resource": "*"', '"resource": "qcs::cos::uid/1250000000:b-1250000000/r/*"')
    cam.UpdatePolicy(
        request(cam_models.UpdatePolicyRequest, PolicyName="registry-rw", PolicyDocument=narrowed, Description="n")
    )
    policy = cam.GetPolicy(request(cam_models.GetPolicyRequest, PolicyId=created.PolicyId))
    assert (policy.PolicyDocument, policy.Description) == (narrowed, "n")

    cam.DeletePolicy(request(cam_models.DeletePolicyRequest, PolicyId=[created.PolicyId]))
    code = error_code(cam.GetPolicy, request(cam_models.GetPolicyRequest, PolicyId=created.PolicyId))
    assert code == "ResourceNotFound.PolicyIdNotFound"


def test_policy_can_be_renamed_by_id(emulator_api):
    cam = emulator_api.cam()
    policy_id = cam.CreatePolicy(
        request(cam_models.CreatePolicyRequest, PolicyName="old", PolicyDocument=ALLOW_ALL_COS)
    ).PolicyId
    cam.UpdatePolicy(request(cam_models.UpdatePolicyRequest, PolicyId=policy_id, PolicyName="new"))
    assert cam.GetPolicy(request(cam_models.GetPolicyRequest, PolicyId=policy_id)).PolicyName == "new"


def test_duplicate_policy_name_is_refused(emulator_api):
    create = request(cam_models.CreatePolicyRequest, PolicyName="registry-rw", PolicyDocument=ALLOW_ALL_COS)
    emulator_api.cam().CreatePolicy(create)
    assert error_code(emulator_api.cam().CreatePolicy, create) == "FailedOperation.PolicyNameInUse"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{not json", "InvalidParameter.PolicyDocumentError"),
        ('{"version": "1.0", "statement": []}', "InvalidParameter.VersionError"),
        ('{"version": "2.0"}', "InvalidParameter.StatementError"),
    ],
)
def test_invalid_policy_document_is_refused(emulator_api, document, code):
    create = request(cam_models.CreatePolicyRequest, PolicyName="bad", PolicyDocument=document)
    assert error_code(emulator_api.cam().CreatePolicy, create) == code


def test_illegal_policy_name_is_refused(emulator_api):
    create = request(cam_models.CreatePolicyRequest, PolicyName="bad name", PolicyDocument=ALLOW_ALL_COS)
    assert error_code(emulator_api.cam().CreatePolicy, create) == "InvalidParameter.PolicyNameError"


def test_attach_list_and_detach_custom_and_preset_policies(emulator_api):
    cam = emulator_api.cam()
    uin = add_user(emulator_api, "registry").Uin
    custom_id = cam.CreatePolicy(
        request(cam_models.CreatePolicyRequest, PolicyName="registry-rw", PolicyDocument=ALLOW_ALL_COS)
    ).PolicyId
    cam.AttachUserPolicy(request(cam_models.AttachUserPolicyRequest, PolicyId=custom_id, AttachUin=uin))
    preset_id = attach(emulator_api, uin, "QcloudCOSReadOnlyAccess")

    attached = cam.ListAttachedUserPolicies(request(cam_models.ListAttachedUserPoliciesRequest, TargetUin=uin))
    assert attached.TotalNum == 2
    assert {(item.PolicyId, item.PolicyName, item.PolicyType) for item in attached.List} == {
        (custom_id, "registry-rw", "User"),
        (preset_id, "QcloudCOSReadOnlyAccess", "QCS"),
    }

    cam.DetachUserPolicy(request(cam_models.DetachUserPolicyRequest, PolicyId=custom_id, DetachUin=uin))
    attached = cam.ListAttachedUserPolicies(request(cam_models.ListAttachedUserPoliciesRequest, TargetUin=uin))
    assert [item.PolicyId for item in attached.List] == [preset_id]


def test_attaching_an_unknown_policy_is_refused(emulator_api):
    uin = add_user(emulator_api, "registry").Uin
    attach_request = request(cam_models.AttachUserPolicyRequest, PolicyId=987654321, AttachUin=uin)
    assert error_code(emulator_api.cam().AttachUserPolicy, attach_request) == "ResourceNotFound.PolicyIdNotFound"


def test_preset_policies_are_listed_and_paged(emulator_api):
    cam = emulator_api.cam(method="GET")
    preset = cam.ListPolicies(request(cam_models.ListPoliciesRequest, Scope="QCS", Rp=200))
    names = [item.PolicyName for item in preset.List]
    assert {"AdministratorAccess", "QcloudCOSFullAccess", "QcloudCOSReadOnlyAccess"} <= set(names)
    assert all(item.Type == 2 for item in preset.List)
    second = cam.ListPolicies(request(cam_models.ListPoliciesRequest, Scope="QCS", Rp=2, Page=2))
    assert (second.TotalNum, [item.PolicyName for item in second.List]) == (preset.TotalNum, names[2:4])


def test_invalid_scope_is_refused(emulator_api):
    code = error_code(emulator_api.cam().ListPolicies, request(cam_models.ListPoliciesRequest, Scope="Mine"))
    assert code == "InvalidParameter.ScopeError"


def test_preset_policy_cannot_be_deleted(emulator_api):
    preset_id = next(
        item.PolicyId
        for item in emulator_api.cam().ListPolicies(request(cam_models.ListPoliciesRequest, Scope="QCS")).List
    )
    delete = request(cam_models.DeletePolicyRequest, PolicyId=[preset_id])
    assert error_code(emulator_api.cam().DeletePolicy, delete) == "InvalidParameter.PolicyIdError"


# --- who may call CAM -------------------------------------------------------------------------------------------


def test_sub_user_without_cam_policy_is_refused(emulator_api):
    added = add_user(emulator_api, "registry", UseApi=1)
    code = error_code(emulator_api.cam((added.SecretId, added.SecretKey)).ListUsers, cam_models.ListUsersRequest())
    assert code == "AuthFailure.UnauthorizedOperation"


def test_sub_user_may_call_what_its_policy_allows(emulator_api):
    added = add_user(emulator_api, "auditor", UseApi=1)
    attach(emulator_api, added.Uin, "QcloudCamReadOnlyAccess")
    cam = emulator_api.cam((added.SecretId, added.SecretKey))
    assert [user.Name for user in cam.ListUsers(cam_models.ListUsersRequest()).Data] == ["auditor"]
    assert (
        error_code(cam.AddUser, request(cam_models.AddUserRequest, Name="other")) == "AuthFailure.UnauthorizedOperation"
    )


@pytest.mark.parametrize(("resource", "allowed"), [(f"qcs::cam::uin/{DEFAULT_OWNER_UIN}:uin/*", False), ("*", True)])
def test_operation_level_action_needs_a_statement_on_every_resource(emulator_api, resource, allowed):
    """ListUsers acts on no named resource (product 598/10606): only a statement on `*` covers it."""
    document = json.dumps(
        {"version": "2.0", "statement": [{"effect": "allow", "action": ["name/cam:ListUsers"], "resource": [resource]}]}
    )
    cam = emulator_api.cam()
    cam.CreatePolicy(request(cam_models.CreatePolicyRequest, PolicyName="list-users", PolicyDocument=document))
    added = add_user(emulator_api, "lister", UseApi=1)
    attach(emulator_api, added.Uin, "list-users")
    listing = emulator_api.cam((added.SecretId, added.SecretKey)).ListUsers
    if allowed:
        assert "lister" in [user.Name for user in listing(cam_models.ListUsersRequest()).Data]
    else:
        assert error_code(listing, cam_models.ListUsersRequest()) == "AuthFailure.UnauthorizedOperation"


def test_get_user_app_id_for_root_and_sub_user(emulator_api):
    root = emulator_api.cam().GetUserAppId(cam_models.GetUserAppIdRequest())
    assert (root.Uin, root.OwnerUin, root.AppId) == (DEFAULT_OWNER_UIN, DEFAULT_OWNER_UIN, int(DEFAULT_APPID))
    added = add_user(emulator_api, "auditor", UseApi=1)
    attach(emulator_api, added.Uin, "QcloudCamReadOnlyAccess")
    sub = emulator_api.cam((added.SecretId, added.SecretKey)).GetUserAppId(cam_models.GetUserAppIdRequest())
    assert (sub.Uin, sub.OwnerUin, sub.AppId) == (str(added.Uin), DEFAULT_OWNER_UIN, int(DEFAULT_APPID))


# --- STS --------------------------------------------------------------------------------------------------------


def test_root_caller_identity(emulator_api):
    identity = emulator_api.identity()
    assert (identity.AccountId, identity.UserId, identity.PrincipalId, identity.Type) == (
        DEFAULT_OWNER_UIN,
        DEFAULT_OWNER_UIN,
        DEFAULT_OWNER_UIN,
        "CAMUser",
    )
    assert identity.Arn == f"qcs::cam::uin/{DEFAULT_OWNER_UIN}:uin/{DEFAULT_OWNER_UIN}"


def test_sub_user_caller_identity_needs_no_policy(emulator_api):
    added = add_user(emulator_api, "registry", UseApi=1)
    identity = emulator_api.identity((added.SecretId, added.SecretKey))
    assert (identity.AccountId, identity.UserId) == (DEFAULT_OWNER_UIN, str(added.Uin))
    assert identity.Arn == f"qcs::cam::uin/{DEFAULT_OWNER_UIN}:uin/{added.Uin}"


def test_caller_identity_over_get(emulator_api):
    identity = emulator_api.sts(method="GET").GetCallerIdentity(sts_models.GetCallerIdentityRequest())
    assert identity.UserId == DEFAULT_OWNER_UIN


# --- authentication ---------------------------------------------------------------------------------------------


def test_wrong_secret_fails_the_signature(emulator_api):
    code = error_code(emulator_api.identity, (DEFAULT_ROOT_SECRET_ID, "not-the-secret"))
    assert code == "AuthFailure.SignatureFailure"


def test_wrong_secret_fails_the_signature_over_get(emulator_api):
    code = error_code(
        emulator_api.cam((DEFAULT_ROOT_SECRET_ID, "not-the-secret"), method="GET").ListUsers,
        cam_models.ListUsersRequest(),
    )
    assert code == "AuthFailure.SignatureFailure"


def test_unknown_key_is_refused(emulator_api):
    code = error_code(emulator_api.identity, ("AKID" + "0" * 32, DEFAULT_ROOT_SECRET_KEY))
    assert code == "AuthFailure.SecretIdNotFound"


def test_expired_timestamp_is_refused(emulator_api, monkeypatch):
    ten_minutes_ago = types.SimpleNamespace(time=lambda: time.time() - 600)
    monkeypatch.setattr(abstract_client, "time", ten_minutes_ago)
    assert error_code(emulator_api.identity) == "AuthFailure.SignatureExpire"


def test_unknown_action_is_refused(emulator_api):
    with pytest.raises(TencentCloudSDKException) as refused:
        emulator_api.cam().call_json("NoSuchAction", {})
    assert refused.value.get_code() == "InvalidAction"


# --- the same keys on the COS face ------------------------------------------------------------------------------


def cos_key_with_policy(api: Api, statement: dict) -> tuple[str, str]:
    """A new sub-user's key with `statement` attached as its only policy."""
    added = add_user(api, "registry", UseApi=1)
    document = json.dumps({"version": "2.0", "statement": [statement]})
    created = api.cam().CreatePolicy(
        request(cam_models.CreatePolicyRequest, PolicyName="registry-storage", PolicyDocument=document)
    )
    api.cam().AttachUserPolicy(
        request(cam_models.AttachUserPolicyRequest, PolicyId=created.PolicyId, AttachUin=added.Uin)
    )
    return added.SecretId, added.SecretKey


def cos_error(call, **kwargs) -> CosServiceError:
    with pytest.raises(CosServiceError) as refused:
        call(**kwargs)
    return refused.value


def test_cam_key_works_on_cos_within_its_policy(emulator, emulator_api, bucket):
    key = cos_key_with_policy(
        emulator_api,
        {
            "effect": "allow",
            "action": ["name/cos:PutObject", "name/cos:GetObject"],
            "resource": f"qcs::cos:{clients.REGION}:uid/{DEFAULT_APPID}:{bucket}/docker/*",
        },
    )
    cos = clients.cos_client(emulator.url, *key)
    cos.put_object(Bucket=bucket, Key="docker/blob", Body=b"layer")
    assert cos.get_object(Bucket=bucket, Key="docker/blob")["Body"].get_raw_stream().read() == b"layer"
    denied = cos_error(cos.put_object, Bucket=bucket, Key="elsewhere/blob", Body=b"layer")
    assert (denied.get_status_code(), denied.get_error_code()) == (403, "AccessDenied")


def test_deactivated_cam_key_is_refused_on_cos(emulator, emulator_api, bucket):
    key = cos_key_with_policy(emulator_api, {"effect": "allow", "action": "name/cos:*", "resource": "*"})
    cos = clients.cos_client(emulator.url, *key)
    cos.put_object(Bucket=bucket, Key="docker/blob", Body=b"layer")
    uin = int(emulator_api.identity(key).UserId)
    emulator_api.cam().UpdateAccessKey(
        request(cam_models.UpdateAccessKeyRequest, TargetUin=uin, AccessKeyId=key[0], Status="Inactive")
    )
    assert cos_error(cos.get_object, Bucket=bucket, Key="docker/blob").get_status_code() == 403
