"""STS (version 2018-08-13): GetCallerIdentity, which any active key may call."""

from __future__ import annotations

from tests.emulator.iam import IamStore, Principal

VERSION = "2018-08-13"


def get_caller_identity(iam: IamStore, caller: Principal, params: dict) -> dict:
    return {
        "Arn": f"qcs::cam::uin/{caller.owner_uin}:uin/{caller.uin}",
        "AccountId": caller.owner_uin,
        "UserId": caller.uin,
        "PrincipalId": caller.uin,
        "Type": "CAMUser",
    }


ACTIONS = {"GetCallerIdentity": get_caller_identity}
