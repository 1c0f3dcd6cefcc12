# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CAM policy of the controller's key: what deploy, check, rotate_credentials and garbage_collect call, and no more.

COS: creating and configuring the registry's bucket, on that bucket only; listing only inside the root directory.
CAM: creating a user and a policy is authorized at operation level (CAM's resource syntax names no user or policy
before it exists), so it cannot be narrowed; every change to a user, its keys or a policy is granted only on users and
policies this key created (`qcs:create_uin` equal to the caller's `${uin}`, product 598/10607). Reads are granted on
`*`: the modules must see that a user or policy does not exist yet, and a user that does not exist has no creator.
Pure functions: no SDK, no Ansible.
"""

from __future__ import annotations

from ansible_collections.cosops.registry.plugins.module_utils._rules.cam_naming import validate_uin
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import (
    bucket_resource,
    cos_action,
    cos_location,
    listing_statement,
)

# (COS action, the playbook task that calls it); granted on the registry's bucket only.
BUCKET_SETUP_ACTIONS = (
    ("PutBucket", "deploy: cos_bucket creates the bucket"),
    ("HeadBucket", "every playbook: cos_bucket and cos_bucket_info find the bucket"),
    ("GetBucketACL", "deploy: cos_bucket compares the ACL"),
    ("PutBucketACL", "deploy: cos_bucket makes the bucket private"),
    ("GetBucketVersioning", "deploy, garbage_collect: versioning is compared and reported"),
    ("PutBucketVersioning", "deploy: cosops_bucket_versioning"),
    ("GetBucketTagging", "deploy: cos_bucket compares the tags"),
    ("PutBucketTagging", "deploy: cosops_bucket_tags"),
    ("DeleteBucketTagging", "deploy: cosops_bucket_tags emptied"),
    ("GetBucketEncryption", "cos_bucket_info: the bucket's facts"),
    ("GetBucketCORS", "cos_bucket_info: the bucket's facts"),
    ("GetBucketPolicy", "cos_bucket_info: the bucket's facts"),
    ("GetBucketLifecycle", "deploy, check: cos_lifecycle compares and checks the rules"),
    ("PutBucketLifecycle", "deploy: cos_lifecycle writes the rules"),
)
# Listings of the registry's data (garbage_collect counts the objects it reclaims), inside the root directory only.
LISTING_ACTIONS = ("GetBucket", "GetBucketObjectVersions", "ListMultipartUploads")
# CAM actions that name no existing resource, or that must answer for resources that do not exist yet.
CAM_OPERATION_ACTIONS = (
    ("AddUser", "deploy: cam_user creates the registry's user"),
    ("CreatePolicy", "deploy: cam_policy creates the registry's policy"),
    ("GetUser", "deploy, rotate_credentials: does the user exist"),
    ("ListUsers", "cam_user: the user by name"),
    ("GetPolicy", "cam_policy: the policy's document"),
    ("ListPolicies", "cam_policy, cam_user: policies by name"),
    ("ListAttachedUserPolicies", "cam_user: the user's policies"),
    ("ListAccessKeys", "cam_access_key: the user's keys"),
    ("GetSecurityLastUsed", "cam_access_key: when a key was last used"),
    ("GetUserAppId", "every playbook: the AppId of a bucket named without it"),
)
# CAM changes, granted only on users and policies this key created.
CAM_CREATED_ACTIONS = (
    ("UpdateUser", "cam_user: the user's remark"),
    ("AttachUserPolicy", "cam_user: the registry's policy"),
    ("DetachUserPolicy", "cam_user purge_policies: any other policy"),
    ("UpdatePolicy", "cam_policy: a changed root directory or bucket"),
    ("CreateAccessKey", "deploy, rotate_credentials: the registry's key"),
    ("UpdateAccessKey", "rotate_credentials: the old key deactivated, or reactivated on failure"),
    ("DeleteAccessKey", "rotate_credentials: the old key deleted"),
)


def cam_policy_action(name: str) -> str:
    return f"name/cam:{name}"


def created_by_caller(account_uin: str) -> dict:
    """Users and policies of the account that the caller itself created."""
    return {
        "effect": "allow",
        "action": [cam_policy_action(name) for name, _purpose in CAM_CREATED_ACTIONS],
        "resource": [f"qcs::cam::uin/{account_uin}:uin/*", f"qcs::cam::uin/{account_uin}:policyid/*"],
        "condition": {"string_equal": {"qcs:create_uin": "${uin}"}},
    }


def controller_cam_policy(bucket: str, region: str, appid, account_uin, rootdirectory: str | None = "") -> dict:
    """The CAM policy document the playbooks' controller key needs for one registry bucket."""
    bucket, region, appid, root = cos_location(bucket, region, appid, rootdirectory)
    account_uin = str(validate_uin(account_uin))
    return {
        "version": "2.0",
        "statement": [
            {
                "effect": "allow",
                "action": [cos_action(name) for name, _purpose in BUCKET_SETUP_ACTIONS],
                "resource": [bucket_resource(bucket, region, appid)],
            },
            listing_statement(bucket, region, appid, root, LISTING_ACTIONS),
            {
                "effect": "allow",
                "action": [cam_policy_action(name) for name, _purpose in CAM_OPERATION_ACTIONS],
                "resource": ["*"],
            },
            created_by_caller(account_uin),
        ],
    }
