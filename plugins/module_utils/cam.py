# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CAM rules and reads: name and document validation (pure), and thin look-ups over an ApiClient for the CAM modules.

Sits beside the client layer: it takes an ApiClient and never imports Ansible.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from ansible_collections.cosops.registry.plugins.module_utils.client import is_not_found
from ansible_collections.cosops.registry.plugins.module_utils.errors import TencentCloudError, ValidationError
from ansible_collections.cosops.registry.plugins.module_utils.policy import load_policy

USER_NAME_PATTERN = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
POLICY_NAME_PATTERN = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)
ACCESS_KEY_ID_PATTERN = re.compile(r"^AKID[A-Za-z0-9]{1,124}$")
UIN_PATTERN = re.compile(r"^[1-9]\d{4,19}$")
MAX_DESCRIPTION_BYTES = 300
MAX_DOCUMENT_LENGTH = 6144
POLICY_VERSION = "2.0"
EFFECTS = ("allow", "deny")
STATEMENT_FIELDS = ("effect", "action", "resource", "condition")
PAGE_SIZE = 200
# CAM pages stop at 200; more than this many pages means the listing is not ending.
MAX_PAGES = 200
PRESET_POLICY_TYPE = 2


def validate_user_name(name: Any) -> str:
    if not isinstance(name, str) or not USER_NAME_PATTERN.match(name):
        raise ValidationError(f"User name {name!r} must be 1-64 characters of letters, digits and _+=,.@-.")
    return name


def validate_policy_name(name: Any) -> str:
    if not isinstance(name, str) or not POLICY_NAME_PATTERN.match(name):
        raise ValidationError(f"Policy name {name!r} must be 1-128 characters of letters, digits and _+=,.@-.")
    return name


def validate_access_key_id(key_id: Any) -> str:
    if not isinstance(key_id, str) or not ACCESS_KEY_ID_PATTERN.match(key_id):
        raise ValidationError(f"Access key id {key_id!r} must be 'AKID' followed by letters and digits.")
    return key_id


def validate_uin(uin: Any) -> int:
    text = str(uin)
    if not UIN_PATTERN.match(text):
        raise ValidationError(f"UIN {text!r} must be a number of 5 to 20 digits.")
    return int(text)


def validate_description(description: str | None, what: str) -> str | None:
    if description is not None and len(description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
        raise ValidationError(f"The {what} must be at most {MAX_DESCRIPTION_BYTES} bytes long.")
    return description


def validate_policy_document(document: Any) -> dict:
    """The document as a dict, after checking the shape CreatePolicy accepts: version 2.0 and a statement list."""
    document = load_policy(document)
    fields = {str(key).lower(): value for key, value in document.items()}
    unknown = sorted(set(fields) - {"version", "statement"})
    if unknown:
        raise ValidationError(
            f"Policy document has unknown top-level keys {unknown}; only version and statement are allowed."
        )
    if fields.get("version") != POLICY_VERSION:
        raise ValidationError(f"Policy document version {fields.get('version')!r} must be {POLICY_VERSION!r}.")
    statements = fields.get("statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        raise ValidationError("Policy document statement must be a non-empty list of statements.")
    for index, statement in enumerate(statements):
        _validate_statement(statement, index)
    if len(policy_json(document)) > MAX_DOCUMENT_LENGTH:
        raise ValidationError(f"Policy document is longer than CAM's limit of {MAX_DOCUMENT_LENGTH} characters.")
    return document


def _validate_statement(statement: Any, index: int) -> None:
    where = f"Policy statement {index}"
    if not isinstance(statement, dict):
        raise ValidationError(f"{where} must be an object with effect, action and resource.")
    fields = {str(key).lower(): value for key, value in statement.items()}
    unknown = sorted(set(fields) - set(STATEMENT_FIELDS))
    if unknown:
        raise ValidationError(f"{where} has unknown keys {unknown}; allowed are {', '.join(STATEMENT_FIELDS)}.")
    effect = fields.get("effect")
    if not isinstance(effect, str) or effect.lower() not in EFFECTS:
        raise ValidationError(f"{where} effect {effect!r} must be allow or deny.")
    for name in ("action", "resource"):
        _validate_strings(fields.get(name), f"{where} {name}")
    condition = fields.get("condition")
    if condition is not None:
        _validate_condition(condition, where)


def _validate_strings(value: Any, where: str) -> None:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(item, str) and item for item in values):
        raise ValidationError(f"{where} must be a non-empty string or list of non-empty strings.")


def _validate_condition(condition: Any, where: str) -> None:
    if not isinstance(condition, dict) or not condition:
        raise ValidationError(f"{where} condition must be an object of operators such as string_equal.")
    for operator, tests in condition.items():
        if not isinstance(tests, dict) or not tests:
            raise ValidationError(f"{where} condition {operator!r} must map condition keys to values.")


def policy_json(document: dict) -> str:
    """The compact JSON text CAM stores."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


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


def stored_document(text: str) -> dict:
    """GetPolicy's PolicyDocument; CAM may hand it back URL-encoded."""
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(unquote(text))


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
