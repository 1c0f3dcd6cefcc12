# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CAM reads for the CAM modules: thin look-ups over an ApiClient, and the one shape each resource is returned in.

Above the client layer: it takes an ApiClient and never imports Ansible. The rules (names, documents) are in _rules.
"""

from __future__ import annotations

from ansible_collections.cosops.registry.plugins.module_utils._rules.policy_documents import stored_document
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import is_not_found
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

PAGE_SIZE = 200
# CAM pages stop at 200; more than this many pages means the listing is not ending.
MAX_PAGES = 200
PRESET_POLICY_TYPE = 2


def find_user(cam, name: str) -> dict | None:
    """GetUser's fields for a user name, or None when there is no such user."""
    try:
        return cam.call("GetUser", {"Name": name})
    except TencentCloudError as error:
        if is_not_found(error) or error.code.endswith("UserNotExist"):
            return None
        raise


def find_user_by_uin(cam, uin: int) -> dict | None:
    return next((user for user in cam.call("ListUsers").get("Data") or [] if int(user["Uin"]) == int(uin)), None)


def find_key_owner(cam, name: str | None, uin: int | None) -> tuple[dict | None, str]:
    """(the user named by name or uin, or None; the sentence saying it does not exist)."""
    if name is not None:
        return find_user(cam, name), f"CAM user {name!r} does not exist."
    return find_user_by_uin(cam, uin), f"No CAM user has UIN {uin}."


def _all_pages(cam, action: str, params: dict) -> list:
    """Every item of a Page/Rp listing (List + TotalNum)."""
    items = []
    for page in range(1, MAX_PAGES + 1):
        response = cam.call(action, dict(params, Page=page, Rp=PAGE_SIZE))
        batch = response.get("List") or []
        items.extend(batch)
        if not batch or len(items) >= int(response.get("TotalNum") or 0):
            return items
    raise TencentCloudError(action, "TooManyPages", f"listing did not end after {MAX_PAGES} pages")


def attached_policies(cam, uin: int) -> list:
    """ListAttachedUserPolicies items (PolicyId, PolicyName, PolicyType...) for a user."""
    return _all_pages(cam, "ListAttachedUserPolicies", {"TargetUin": int(uin)})


def list_policies(cam, scope: str = "All", keyword: str | None = None) -> list:
    """ListPolicies entries of a scope (All, Local for custom, QCS for preset), optionally matching a keyword."""
    params = {"Scope": scope} if keyword is None else {"Scope": scope, "Keyword": keyword}
    return _all_pages(cam, "ListPolicies", params)


def find_policy(cam, name: str, scope: str = "All") -> dict | None:
    """ListPolicies' entry for the policy with exactly this name, or None."""
    return next((policy for policy in list_policies(cam, scope, name) if policy.get("PolicyName") == name), None)


def get_policy(cam, policy_id: int) -> dict:
    return cam.call("GetPolicy", {"PolicyId": int(policy_id)})


def list_access_keys(cam, uin: int) -> list:
    """The user's keys (AccessKeyId, Status, CreateTime, Description), oldest first."""
    keys = cam.call("ListAccessKeys", {"TargetUin": int(uin)}).get("AccessKeys") or []
    # CreateTime has whole seconds: keys made in the same second keep CAM's order (a stable sort), not their ids'.
    return sorted(keys, key=lambda key: key.get("CreateTime") or "")


def keys_last_used(cam, key_ids: list) -> dict:
    """Key id -> the day it was last used (None when never), from GetSecurityLastUsed."""
    if not key_ids:
        return {}
    rows = cam.call("GetSecurityLastUsed", {"SecretIdList": list(key_ids)}).get("SecretIdLastUsedRows") or []
    return {row["SecretId"]: row.get("LastUsedDate") or None for row in rows}


def is_preset(policy: dict) -> bool:
    return int(policy.get("Type") or 0) == PRESET_POLICY_TYPE or policy.get("PolicyType") == "QCS"


# --- what the modules return: one shape per resource, shared by the module that manages it and its _info module ---


def user_view(user: dict | None, policies: list) -> dict:
    """A user (GetUser or ListUsers fields) and the policies attached to it."""
    if user is None:
        return {}
    return {
        "name": user["Name"],
        "uin": user.get("Uin"),
        "uid": user.get("Uid"),
        "remark": user.get("Remark") or "",
        "policies": sorted(policy["PolicyName"] for policy in policies),
    }


def policy_view(listed: dict, details: dict) -> dict:
    """A policy from its ListPolicies entry and its GetPolicy fields."""
    return {
        "name": details.get("PolicyName") or listed["PolicyName"],
        "id": int(listed["PolicyId"]),
        "description": details.get("Description") or "",
        "document": stored_document(details["PolicyDocument"]),
        "preset": is_preset(details),
    }


def key_view(key: dict | None, last_used: dict | None = None) -> dict:
    """A key (ListAccessKeys fields) without any secret, and the day it was last used."""
    if key is None:
        return {}
    return {
        "access_key_id": key.get("AccessKeyId"),
        "status": key.get("Status"),
        "create_time": key.get("CreateTime"),
        "last_used_date": (last_used or {}).get(key.get("AccessKeyId")),
        "description": key.get("Description") or "",
    }
