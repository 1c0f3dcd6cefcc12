"""CAM (version 2019-01-16) actions: request parameters in, response fields out, named as the SDK's models name them.

Each handler takes the identity store, the calling principal and the decoded parameters, and returns the fields of
`Response` (without RequestId). Rules and state live in the store; this module only translates.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from emulator.iam import AccessKey, CamError, IamStore, Policy, Principal, Role, User

VERSION = "2019-01-16"
MAX_PAGE_SIZE = 200
CREATE_MODE_SYNTAX = 2  # "created from policy syntax": every policy made through the API

Handler = Callable[[IamStore, Principal, dict], dict]


# --- parameters -------------------------------------------------------------------------------------------------


def required(params: dict, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise CamError("MissingParameter", f"The request is missing the required parameter {name}")
    return value


def text_param(params: dict, name: str, default: str | None = "") -> str | None:
    value = params.get(name, default)
    if value is not None and not isinstance(value, str):
        raise CamError("InvalidParameter.ParamError", f"Parameter {name} must be a string")
    return value


def int_param(params: dict, name: str, default: int | None = None) -> int | None:
    """Integers arrive as JSON numbers (POST) or strings (GET); both are accepted."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CamError("InvalidParameter.ParamError", f"Parameter {name} must be an integer, not {value!r}") from None


def required_int(params: dict, name: str) -> int:
    required(params, name)
    return int_param(params, name)


def int_list_param(params: dict, name: str) -> list[int]:
    values = required(params, name)
    values = values if isinstance(values, list) else [values]
    return [int_param({name: value}, name) for value in values]


def target_uin(params: dict, caller: Principal, name: str = "TargetUin") -> str:
    """The user a key action is about: the caller when the parameter is left out."""
    uin = int_param(params, name)
    return caller.uin if uin is None else str(uin)


def paged(items: list, params: dict) -> tuple[int, list]:
    """(total, the requested page) for Page (from 1) and Rp (page size, 1-200, default 20)."""
    page = int_param(params, "Page", 1)
    size = int_param(params, "Rp", 20)
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise CamError("InvalidParameter.ParamError", f"Page must be >= 1 and Rp 1-{MAX_PAGE_SIZE}")
    return len(items), items[(page - 1) * size : page * size]


# --- response shapes --------------------------------------------------------------------------------------------


def user_fields(user: User) -> dict:
    return {
        "Uin": int(user.uin),
        "Name": user.name,
        "Uid": user.uid,
        "Remark": user.remark,
        "ConsoleLogin": user.console_login,
        "PhoneNum": user.phone_num,
        "CountryCode": user.country_code,
        "Email": user.email,
    }


def key_fields(key: AccessKey) -> dict:
    return {
        "AccessKeyId": key.secret_id,
        "Status": "Active" if key.active else "Inactive",
        "CreateTime": key.create_time,
        "Description": key.description,
    }


def policy_type(policy: Policy) -> int:
    return 2 if policy.preset else 1


def strategy_info(iam: IamStore, policy: Policy) -> dict:
    return {
        "PolicyId": policy.policy_id,
        "PolicyName": policy.name,
        "AddTime": policy.add_time,
        "UpdateTime": policy.update_time,
        "Type": policy_type(policy),
        "Description": policy.description,
        "CreateMode": CREATE_MODE_SYNTAX,
        "Attachments": iam.policy_attachments(policy.policy_id),
        "AttachEntityCount": iam.policy_attachments(policy.policy_id),
        "ServiceType": None,
        "IsServiceLinkedPolicy": 0,
        "Tags": [],
    }


def attached_policy_info(policy: Policy, added: str, caller: Principal) -> dict:
    return {
        "PolicyId": policy.policy_id,
        "PolicyName": policy.name,
        "AddTime": added,
        "CreateMode": CREATE_MODE_SYNTAX,
        "PolicyType": "QCS" if policy.preset else "User",
        "Remark": policy.description,
        "OperateOwnerUin": caller.owner_uin,
        "OperateUin": caller.uin,
        "OperateUinType": 0,
        "Deactived": 0,
        "DeactivedDetail": [],
    }


def day_of(epoch: float | None) -> str | None:
    return None if epoch is None else time.strftime("%Y-%m-%d", time.gmtime(epoch))


# --- users ------------------------------------------------------------------------------------------------------


def add_user(iam: IamStore, caller: Principal, params: dict) -> dict:
    created = iam.add_user(
        required(params, "Name"),
        remark=text_param(params, "Remark"),
        console_login=int_param(params, "ConsoleLogin", 0),
        use_api=int_param(params, "UseApi", 0),
        password=text_param(params, "Password"),
        phone_num=text_param(params, "PhoneNum"),
        country_code=text_param(params, "CountryCode"),
        email=text_param(params, "Email"),
        create_uin=caller.uin,
    )
    response = {"Uin": int(created.user.uin), "Name": created.user.name, "Uid": created.user.uid}
    if created.generated_password:
        response["Password"] = created.generated_password
    if created.key is not None:
        response.update(SecretId=created.key.secret_id, SecretKey=created.key.secret_key)
    return response


def get_user(iam: IamStore, caller: Principal, params: dict) -> dict:
    user = iam.get_user(required(params, "Name"))
    return dict(user_fields(user), RecentlyLoginIP="", RecentlyLoginTime="")


def list_users(iam: IamStore, caller: Principal, params: dict) -> dict:
    return {"Data": [dict(user_fields(user), CreateTime=user.create_time, NickName="") for user in iam.list_users()]}


def update_user(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.update_user(
        required(params, "Name"),
        remark=text_param(params, "Remark", None),
        console_login=int_param(params, "ConsoleLogin"),
        password=text_param(params, "Password", None) or None,
        phone_num=text_param(params, "PhoneNum", None),
        country_code=text_param(params, "CountryCode", None),
        email=text_param(params, "Email", None),
    )
    return {}


def delete_user(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.delete_user(required(params, "Name"), force=int_param(params, "Force", 0) == 1)
    return {}


# --- access keys ------------------------------------------------------------------------------------------------


def create_access_key(iam: IamStore, caller: Principal, params: dict) -> dict:
    key = iam.create_access_key(target_uin(params, caller), text_param(params, "Description"))
    return {"AccessKey": dict(key_fields(key), SecretAccessKey=key.secret_key)}


def list_access_keys(iam: IamStore, caller: Principal, params: dict) -> dict:
    return {"AccessKeys": [key_fields(key) for key in iam.list_access_keys(target_uin(params, caller))]}


def update_access_key(iam: IamStore, caller: Principal, params: dict) -> dict:
    status = required(params, "Status")
    if status not in ("Active", "Inactive"):
        raise CamError("InvalidParameter.ParamError", f"Status {status!r} must be Active or Inactive")
    iam.update_access_key(target_uin(params, caller), required(params, "AccessKeyId"), status == "Active")
    return {}


def delete_access_key(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.delete_access_key(target_uin(params, caller), required(params, "AccessKeyId"))
    return {}


def get_security_last_used(iam: IamStore, caller: Principal, params: dict) -> dict:
    secret_ids = required(params, "SecretIdList")
    secret_ids = secret_ids if isinstance(secret_ids, list) else [secret_ids]
    rows = [
        {
            "SecretId": secret_id,
            "LastUsedDate": day_of(last_used),
            "LastSecretUsedDate": None if last_used is None else int(last_used),
        }
        for secret_id, last_used in iam.key_last_used(secret_ids)
    ]
    return {"SecretIdLastUsedRows": rows}


# --- policies ---------------------------------------------------------------------------------------------------


def create_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    policy = iam.create_policy(
        required(params, "PolicyName"),
        required(params, "PolicyDocument"),
        text_param(params, "Description"),
        create_uin=caller.uin,
    )
    return {"PolicyId": policy.policy_id}


def get_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    policy = iam.get_policy(required_int(params, "PolicyId"))
    return {
        "PolicyName": policy.name,
        "Description": policy.description,
        "Type": policy_type(policy),
        "AddTime": policy.add_time,
        "UpdateTime": policy.update_time,
        "PolicyDocument": policy.document,
        "PresetAlias": "",
        "IsServiceLinkedRolePolicy": 0,
        "Tags": [],
    }


def update_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    """With PolicyId, PolicyName is the new name; without it, PolicyName names the policy to update."""
    policy_id = int_param(params, "PolicyId")
    name = text_param(params, "PolicyName", None)
    if policy_id is None:
        policy_id, name = iam.find_policy_id(required(params, "PolicyName")), None
    policy = iam.update_policy(
        policy_id,
        name=name,
        document=text_param(params, "PolicyDocument", None),
        description=text_param(params, "Description", None),
    )
    return {"PolicyId": policy.policy_id}


def delete_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.delete_policies(int_list_param(params, "PolicyId"))
    return {}


def list_policies(iam: IamStore, caller: Principal, params: dict) -> dict:
    policies = iam.list_policies(text_param(params, "Scope") or "All", text_param(params, "Keyword"))
    total, page = paged(policies, params)
    return {"TotalNum": total, "List": [strategy_info(iam, policy) for policy in page], "ServiceTypeList": []}


def attach_user_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.attach_user_policy(required_int(params, "PolicyId"), str(required_int(params, "AttachUin")))
    return {}


def detach_user_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.detach_user_policy(required_int(params, "PolicyId"), str(required_int(params, "DetachUin")))
    return {}


def list_attached_user_policies(iam: IamStore, caller: Principal, params: dict) -> dict:
    attached = iam.list_attached_user_policies(str(required_int(params, "TargetUin")))
    total, page = paged(attached, params)
    return {"TotalNum": total, "List": [attached_policy_info(policy, added, caller) for policy, added in page]}


# --- roles ------------------------------------------------------------------------------------------------------


def role_info(iam: IamStore, role: Role) -> dict:
    return {
        "RoleId": role.role_id,
        "RoleName": role.name,
        "PolicyDocument": role.document,
        "Description": role.description,
        "AddTime": role.add_time,
        "UpdateTime": role.add_time,
        "ConsoleLogin": role.console_login,
        "RoleType": "user",
        "SessionDuration": role.session_duration,
        "Tags": [],
        "RoleArn": iam.role_arn(role),
    }


def one_of(params: dict, id_name: str, name_name: str) -> dict:
    """A role named by its id or its name, as the role actions take either."""
    role_id, name = text_param(params, id_name, None), text_param(params, name_name, None)
    if not role_id and not name:
        raise CamError("MissingParameter", f"The request is missing the required parameter {id_name} or {name_name}")
    return {"role_id": role_id, "name": name}


def policy_of(params: dict) -> int | str:
    policy_id = int_param(params, "PolicyId")
    return policy_id if policy_id is not None else required(params, "PolicyName")


def create_role(iam: IamStore, caller: Principal, params: dict) -> dict:
    role = iam.create_role(
        required(params, "RoleName"),
        required(params, "PolicyDocument"),
        text_param(params, "Description"),
        int_param(params, "ConsoleLogin", 0),
        int_param(params, "SessionDuration", 0),
    )
    return {"RoleId": role.role_id}


def get_role(iam: IamStore, caller: Principal, params: dict) -> dict:
    return {"RoleInfo": role_info(iam, iam.get_role(**one_of(params, "RoleId", "RoleName")))}


def delete_role(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.delete_role(**one_of(params, "RoleId", "RoleName"))
    return {}


def attach_role_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.attach_role_policy(policy_of(params), **one_of(params, "AttachRoleId", "AttachRoleName"))
    return {}


def detach_role_policy(iam: IamStore, caller: Principal, params: dict) -> dict:
    iam.detach_role_policy(policy_of(params), **one_of(params, "DetachRoleId", "DetachRoleName"))
    return {}


def get_user_app_id(iam: IamStore, caller: Principal, params: dict) -> dict:
    return {"Uin": caller.uin, "OwnerUin": caller.owner_uin, "AppId": int(caller.appid)}


ACTIONS: dict[str, Handler] = {
    "AddUser": add_user,
    "GetUser": get_user,
    "ListUsers": list_users,
    "UpdateUser": update_user,
    "DeleteUser": delete_user,
    "CreateAccessKey": create_access_key,
    "ListAccessKeys": list_access_keys,
    "UpdateAccessKey": update_access_key,
    "DeleteAccessKey": delete_access_key,
    "GetSecurityLastUsed": get_security_last_used,
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "UpdatePolicy": update_policy,
    "DeletePolicy": delete_policy,
    "ListPolicies": list_policies,
    "AttachUserPolicy": attach_user_policy,
    "DetachUserPolicy": detach_user_policy,
    "ListAttachedUserPolicies": list_attached_user_policies,
    "GetUserAppId": get_user_app_id,
    "CreateRole": create_role,
    "GetRole": get_role,
    "DeleteRole": delete_role,
    "AttachRolePolicy": attach_role_policy,
    "DetachRolePolicy": detach_role_policy,
}


# --- authorization ----------------------------------------------------------------------------------------------

Resource = tuple[str, dict]  # (six-segment resource, its condition keys)


def named_user(iam: IamStore, caller: Principal, params: dict) -> list[Resource]:
    return [iam.user_resource(name=text_param(params, "Name"))]


def target_user(name: str) -> Callable[[IamStore, Principal, dict], list[Resource]]:
    def resources(iam: IamStore, caller: Principal, params: dict) -> list[Resource]:
        return [iam.user_resource(uin=target_uin(params, caller, name))]

    return resources


def attachment(name: str) -> Callable[[IamStore, Principal, dict], list[Resource]]:
    """Attaching or detaching touches both the user and the policy: each must be allowed."""

    def resources(iam: IamStore, caller: Principal, params: dict) -> list[Resource]:
        return [iam.user_resource(uin=target_uin(params, caller, name)), *named_policies(iam, caller, params)]

    return resources


def named_policies(iam: IamStore, caller: Principal, params: dict) -> list[Resource]:
    policy_ids = params.get("PolicyId")
    if policy_ids is None and params.get("PolicyName"):
        policy_ids = iam.policy_id_or_none(text_param(params, "PolicyName"))
    policy_ids = policy_ids if isinstance(policy_ids, list) else [policy_ids]
    return [iam.policy_resource(int_param({"PolicyId": policy_id}, "PolicyId", 0)) for policy_id in policy_ids]


# The resources each resource-level action acts on; every other action is authorized at operation level (`*`).
RESOURCE_LEVEL: dict[str, Callable[[IamStore, Principal, dict], list[Resource]]] = {
    "GetUser": named_user,
    "UpdateUser": named_user,
    "DeleteUser": named_user,
    "CreateAccessKey": target_user("TargetUin"),
    "ListAccessKeys": target_user("TargetUin"),
    "UpdateAccessKey": target_user("TargetUin"),
    "DeleteAccessKey": target_user("TargetUin"),
    "ListAttachedUserPolicies": target_user("TargetUin"),
    "AttachUserPolicy": attachment("AttachUin"),
    "DetachUserPolicy": attachment("DetachUin"),
    "GetPolicy": named_policies,
    "UpdatePolicy": named_policies,
    "DeletePolicy": named_policies,
}


def authorize(iam: IamStore, caller: Principal, action: str, params: dict) -> None:
    """Sub-users need a policy allowing `name/cam:<Action>` on every resource the action acts on (product 598/10606:
    `*` for operation-level actions, so a statement naming resources does not cover those)."""
    resources = RESOURCE_LEVEL[action](iam, caller, params) if action in RESOURCE_LEVEL else [("*", {})]
    for resource, context in resources:
        if not iam.is_allowed(caller, f"name/cam:{action}", resource, context):
            raise CamError(
                "AuthFailure.UnauthorizedOperation",
                f"Sub-user {caller.user_name} (uin {caller.uin}) is not allowed to call cam:{action} on {resource}",
            )
