# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_cam_policy
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: The least-privilege CAM policy for a registry's COS storage
description:
  - Returns the CAM policy document that grants exactly the COS actions a registry (distribution, C(registry:3) or
    C(registry:2)) calls on its storage, and nothing else.
  - Object actions (get, head, put, copy, the ACL the s3 driver sends with every write, delete, multipart upload and
    Upload Part - Copy) are granted only on objects under the root directory,
    C(qcs::cos:<region>:uid/<appid>:<bucket>/<root>/*).
  - Listing objects and multipart uploads is granted on the bucket with a C(cos:prefix) condition that confines it to
    the root directory. COS compares the prefix URL-encoded (C(registry%2F*)); the plain form (C(registry/*)) is
    listed as well. Batch delete is authorized for every key it deletes, so it too is confined to the root.
  - Nothing is granted on bucket configuration (lifecycle, ACL, policy, CORS), on other buckets, or to delete the bucket.
  - Feed the result to M(cosops.registry.cam_policy) as its O(cosops.registry.cam_policy#module:document).
positional: region, appid, rootdirectory
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
  rootdirectory:
    description:
      - The registry's C(storage.*.rootdirectory). Leading and trailing slashes do not matter.
      - An empty value or V(/) means the registry owns the whole bucket, and the policy covers every object in it.
    type: str
    default: ""
seealso:
  - module: cosops.registry.cam_policy
  - module: cosops.registry.cam_access_key
"""

EXAMPLES = r"""
- name: Policy that lets the registry use only its root directory
  cosops.registry.cam_policy:
    name: registry-storage
    description: Registry storage in registry-1250000000/registry
    document: "{{ 'registry-1250000000' | cosops.registry.registry_cam_policy('ap-guangzhou', '1250000000', 'registry') }}"

- name: The same for a bucket named without its AppId
  ansible.builtin.debug:
    msg: "{{ 'registry' | cosops.registry.registry_cam_policy(region, appid, '/docker/') }}"
"""

RETURN = r"""
_value:
  description:
    - A CAM policy document (version 2.0) with two allow statements, one for object actions under the root
      directory and one for listing confined to the root directory.
  type: dict
  sample:
    version: "2.0"
    statement:
      - effect: allow
        action:
          - name/cos:GetObject
          - name/cos:HeadObject
          - name/cos:PutObject
          - name/cos:PutObjectCopy
          - name/cos:PutObjectACL
          - name/cos:DeleteObject
          - name/cos:DeleteMultipleObjects
          - name/cos:InitiateMultipartUpload
          - name/cos:UploadPart
          - name/cos:ListParts
          - name/cos:ListMultipartUploads
          - name/cos:CompleteMultipartUpload
          - name/cos:AbortMultipartUpload
        resource:
          - qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/registry/*
      - effect: allow
        action:
          - name/cos:GetBucket
          - name/cos:ListMultipartUploads
        resource:
          - qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/*
        condition:
          string_like:
            cos:prefix:
              - registry%2F*
              - registry/*
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import registry_cam_policy
from ansible_collections.cosops.registry.plugins.plugin_utils.rules import refusing


@refusing
def registry_cam_policy_filter(bucket, region, appid, rootdirectory=""):
    return registry_cam_policy(bucket, region, appid, rootdirectory)


class FilterModule:
    def filters(self):
        return {"registry_cam_policy": registry_cam_policy_filter}
