# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_controller_cam_policy
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The least-privilege CAM policy for the key the playbooks run with
description:
  - Returns the CAM policy document for the controller's key of C(deploy.yml), C(check.yml),
    C(rotate_credentials.yml) and C(garbage_collect.yml), instead of a key of the account or of an administrator.
  - COS, on this bucket only (C(qcs::cos:<region>:uid/<appid>:<bucket>/*)) - creating it, reading its configuration,
    setting its ACL, versioning, tags and lifecycle rules. Listing is confined to the root directory by a
    C(cos:prefix) condition, as in P(cosops.registry.registry_cam_policy#filter). Not granted - deleting the bucket,
    its policy, CORS or encryption, any object, any other bucket.
  - CAM - creating a user and a policy, and reading users, policies and keys, at operation level (resource C(*)), as
    CAM's resource syntax names no user or policy before it exists. Changing a user, its policies or keys, or a
    policy, only on users and policies this key created (condition C(qcs:create_uin) equal to C(${uin})). Not
    granted - deleting users or policies, roles, groups, anything of another service.
  - See C(docs/least-privilege.md) for what cannot be narrowed further and why.
positional: region, appid, account_uin, rootdirectory
options:
  _input:
    description:
      - The bucket name, either complete (C(<name>-<appid>)) or without the C(-<appid>) suffix, which is then added.
    type: str
    required: true
  region:
    description: The bucket's region, for example V(ap-guangzhou).
    type: str
    required: true
  appid:
    description: The account's AppId, the 10 digits every bucket name ends in.
    type: str
    required: true
  account_uin:
    description:
      - The account's uin (the root account's), as M(cosops.registry.tencentcloud_caller_info) returns it in
        RV(cosops.registry.tencentcloud_caller_info#module:account_id).
    type: str
    required: true
  rootdirectory:
    description:
      - The registry's C(storage.*.rootdirectory); listings are confined to it. Empty or V(/) means the whole bucket.
    type: str
    default: ""
seealso:
  - plugin: cosops.registry.registry_cam_policy
    plugin_type: filter
  - module: cosops.registry.cam_policy
"""

EXAMPLES = r"""
- name: Policy of the controller's key for the registry in registry-1250000000
  cosops.registry.cam_policy:
    name: registry-controller
    document: >-
      {{ 'registry-1250000000' | cosops.registry.registry_controller_cam_policy('ap-guangzhou', '1250000000',
         '100000000001', '/registry') }}
"""

RETURN = r"""
_value:
  description:
    - A CAM policy document (version 2.0) with four allow statements - bucket actions on the bucket, listings inside
      the root directory, CAM actions at operation level, and CAM changes on what the caller created.
  type: dict
  sample:
    version: "2.0"
    statement:
      - effect: allow
        action:
          - name/cos:PutBucket
          - name/cos:HeadBucket
          - name/cos:GetBucketACL
          - name/cos:PutBucketACL
          - name/cos:GetBucketVersioning
          - name/cos:PutBucketVersioning
          - name/cos:GetBucketTagging
          - name/cos:PutBucketTagging
          - name/cos:DeleteBucketTagging
          - name/cos:GetBucketEncryption
          - name/cos:GetBucketCORS
          - name/cos:GetBucketPolicy
          - name/cos:GetBucketLifecycle
          - name/cos:PutBucketLifecycle
        resource:
          - qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/*
      - effect: allow
        action:
          - name/cos:GetBucket
          - name/cos:GetBucketObjectVersions
          - name/cos:ListMultipartUploads
        resource:
          - qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/*
        condition:
          string_like:
            cos:prefix:
              - registry%2F*
              - registry/*
      - effect: allow
        action:
          - name/cam:AddUser
          - name/cam:CreatePolicy
          - name/cam:GetUser
          - name/cam:ListUsers
          - name/cam:GetPolicy
          - name/cam:ListPolicies
          - name/cam:ListAttachedUserPolicies
          - name/cam:ListAccessKeys
          - name/cam:GetSecurityLastUsed
          - name/cam:GetUserAppId
        resource:
          - "*"
      - effect: allow
        action:
          - name/cam:UpdateUser
          - name/cam:AttachUserPolicy
          - name/cam:DetachUserPolicy
          - name/cam:UpdatePolicy
          - name/cam:CreateAccessKey
          - name/cam:UpdateAccessKey
          - name/cam:DeleteAccessKey
        resource:
          - qcs::cam::uin/100000000001:uin/*
          - qcs::cam::uin/100000000001:policyid/*
        condition:
          string_equal:
            qcs:create_uin: ${uin}
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.controller_policy import controller_cam_policy
from ansible_collections.cosops.registry.plugins.plugin_utils.rules import refusing


@refusing
def registry_controller_cam_policy_filter(bucket, region, appid, account_uin, rootdirectory=""):
    return controller_cam_policy(bucket, region, appid, account_uin, rootdirectory)


class FilterModule:
    def filters(self):
        return {"registry_controller_cam_policy": registry_controller_cam_policy_filter}
