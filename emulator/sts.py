"""STS (version 2018-08-13): GetCallerIdentity, which any active key may call, and AssumeRole."""

from __future__ import annotations

import re
import time
from urllib.parse import unquote

from emulator import cam_policy
from emulator.iam import DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS, CamError, IamStore, Principal, Role

VERSION = "2018-08-13"
SESSION_NAME_RULE = re.compile(r"[\w+=,.@-]{2,128}")


def get_caller_identity(iam: IamStore, caller: Principal, params: dict) -> dict:
    return {
        "Arn": f"qcs::cam::uin/{caller.owner_uin}:uin/{caller.uin}",
        "AccountId": caller.owner_uin,
        "UserId": caller.uin,
        "PrincipalId": caller.uin,
        "Type": "CAMUser",
    }


def assume_role(iam: IamStore, caller: Principal, params: dict) -> dict:
    """Temporary keys for a role whose carrier trusts the caller; Policy (URL-encoded) narrows what they may do."""
    role = iam.role_for_arn(str(params.get("RoleArn") or ""))
    session_name = str(params.get("RoleSessionName") or "")
    if not SESSION_NAME_RULE.fullmatch(session_name):
        raise CamError(
            "InvalidParameter.ParamError", f"RoleSessionName {session_name!r} must be 2-128 characters of [\\w+=,.@-]"
        )
    duration = session_duration(role, params.get("DurationSeconds"))
    check_may_assume(iam, caller, role)
    key = iam.issue_temporary_key(role, duration, session_policy(params.get("Policy")))
    return {
        "Credentials": {"Token": key.token, "TmpSecretId": key.secret_id, "TmpSecretKey": key.secret_key},
        "ExpiredTime": int(key.expires),
        "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(key.expires)),
    }


def session_duration(role: Role, value) -> int:
    limit = role.session_duration or MAX_SESSION_SECONDS
    duration = DEFAULT_SESSION_SECONDS if value is None else int(value)
    if not 0 < duration <= limit:
        raise CamError("InvalidParameter.OverTimeError", f"DurationSeconds {duration} must be 1 to {limit} seconds")
    return duration


def check_may_assume(iam: IamStore, caller: Principal, role: Role) -> None:
    """The role's carrier must name the caller (or its account's root), and a non-root caller needs sts:AssumeRole."""
    root = f"qcs::cam::uin/{caller.owner_uin}:root"
    if caller.role_id is not None:
        own = iam.role_arn(iam.get_role(role_id=caller.role_id))
    else:
        own = root if caller.is_root else f"qcs::cam::uin/{caller.owner_uin}:uin/{caller.uin}"
    trusted = cam_policy.trusts(role.trust, (own, root))
    if not trusted or not iam.is_allowed(caller, "name/sts:AssumeRole", iam.role_arn(role)):
        raise CamError("UnauthorizedOperation", f"{own} may not assume role {role.name}")


def session_policy(value) -> tuple[cam_policy.Statement, ...] | None:
    if not value:
        return None
    try:
        return cam_policy.parse_policy_document(unquote(str(value)))
    except cam_policy.PolicyDocumentError as exc:
        raise CamError("InvalidParameter.StrategyFormatError", exc.message) from None


ACTIONS = {"GetCallerIdentity": get_caller_identity, "AssumeRole": assume_role}
