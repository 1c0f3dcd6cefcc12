#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cos_bucket_info
short_description: Facts about one COS bucket or all buckets of the account
version_added: 0.1.0
description:
  - Returns the region, creation date and settings (ACL, versioning, tags, encryption, CORS, policy, lifecycle rules)
    of one Tencent Cloud COS bucket, or of every bucket of the account, optionally filtered by region and name prefix.
  - Optionally counts the objects under a prefix and their total size.
  - Only reads; never changes anything.
  - With O(name), a bucket that exists in another region fails the task with the region to set, found in the
    account's bucket list (C(GET Service)); one that does not exist gives an empty RV(buckets), with a warning in
    check mode (where an earlier task may only have pretended to create it).
author: cosops.registry contributors (@cosops)
options:
  name:
    description:
      - One bucket, C(<name>-<appid>); the account's AppId is appended when missing.
      - The bucket is looked for in O(bucket_region), else in O(region).
      - When not set, every bucket of the account is listed.
    type: str
  name_prefix:
    description:
      - Only buckets whose full name starts with this. Ignored when O(name) is set.
    type: str
  bucket_region:
    description:
      - Only buckets in this region, such as V(ap-shanghai). Without it, buckets of every region are listed.
      - With O(name), the region the bucket is in.
    type: str
  details:
    description:
      - Read each bucket's settings. With V(false) only names, regions and creation dates are returned.
    type: bool
    default: true
  object_stats:
    description:
      - Count the current objects under O(object_prefix) and their total size (object versions are not counted).
      - Listing takes one request per 1000 objects; see O(max_objects).
    type: bool
    default: false
  object_prefix:
    description:
      - Key prefix for O(object_stats), such as V(registry/docker/registry/v2/blobs/).
    type: str
    default: ""
  max_objects:
    description:
      - Stop counting after this many objects; the C(truncated) flag of RV(buckets[].objects) then says the numbers are lower bounds.
    type: int
    default: 100000
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes.info_module
notes:
  - Settings that are not configured are returned empty (no tags, C(algorithm=none), no CORS rules, null policy,
    no lifecycle rules), not left out.
seealso:
  - module: cosops.registry.cos_bucket
  - module: cosops.registry.cos_lifecycle
"""

EXAMPLES = r"""
- name: Settings of the registry bucket and how much the registry stores
  cosops.registry.cos_bucket_info:
    name: registry
    region: ap-guangzhou
    object_stats: true
    object_prefix: registry/docker/registry/v2/
  register: registry_bucket

- name: Show whether incomplete uploads are cleaned up
  ansible.builtin.debug:
    msg: >-
      {{ registry_bucket.buckets[0].lifecycle_rules
         | selectattr('abort_incomplete_multipart_upload_days', 'defined') }}

- name: Names of every bucket in Shanghai starting with "ci-"
  cosops.registry.cos_bucket_info:
    bucket_region: ap-shanghai
    name_prefix: ci-
    details: false
  register: ci_buckets
"""

RETURN = r"""
buckets:
  description: The buckets found, sorted by name; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The full bucket name.
      type: str
      sample: registry-1250000000
    region:
      description: The bucket's region.
      type: str
      sample: ap-guangzhou
    creation_date:
      description: When the bucket was created, ISO 8601. Returned when the bucket comes from the account listing.
      type: str
      sample: "2026-01-01T00:00:00.000Z"
    endpoint:
      description: The bucket's virtual-host endpoint.
      type: str
      sample: registry-1250000000.cos.ap-guangzhou.myqcloud.com
    acl:
      description: The canned ACL. With O(details).
      type: str
      sample: private
    versioning:
      description: V(enabled), V(suspended) or V(disabled). With O(details).
      type: str
      sample: enabled
    tags:
      description: The bucket tags. With O(details).
      type: dict
      sample: {app: registry}
    encryption:
      description: Default encryption, C(algorithm) and for KMS C(kms_key_id). With O(details).
      type: dict
      sample: {algorithm: AES256}
    cors_rules:
      description: CORS rules. With O(details).
      type: list
      elements: dict
    policy:
      description: The bucket policy document, or null. With O(details).
      type: dict
    lifecycle_rules:
      description: Lifecycle rules in the form M(cosops.registry.cos_lifecycle) takes. With O(details).
      type: list
      elements: dict
    objects:
      description: With O(object_stats), C(count) and total C(size) in bytes of the objects under C(prefix).
      type: dict
      sample: {prefix: registry/, count: 1520, size: 2147483648, truncated: false}
"""

from ansible_collections.cosops.registry.plugins.module_utils._cos import bucket as cos_bucket
from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import (
    bucket_host,
    qualify_bucket,
    validate_bucket_option,
    validate_region,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule

SETTINGS = {**cos_bucket.SETTING_READERS, "lifecycle_rules": cos_bucket.read_lifecycle}


def one_bucket(module: TencentCloudModule, name: str, region: str) -> list:
    bucket = qualify_bucket(name, module.appid, region)[0]
    option = "bucket_region" if module.params["bucket_region"] else "region"
    if cos_bucket.bucket_exists(module.cos(region), bucket, option):
        return [{"name": bucket, "region": region}]
    if module.check_mode:
        module.warn(cos_bucket.missing_bucket_warning(bucket, region))
    return []


def describe(module: TencentCloudModule, entry: dict) -> dict:
    params = module.params
    api = module.cos(entry["region"])
    facts = dict(entry, endpoint=bucket_host(entry["name"], entry["region"]))
    if params["details"]:
        facts.update({name: read(api, entry["name"]) for name, read in SETTINGS.items()})
    if params["object_stats"]:
        stats = cos_bucket.object_stats(api, entry["name"], params["object_prefix"], params["max_objects"])
        facts["objects"] = dict(stats, prefix=params["object_prefix"])
    return facts


def run(module: TencentCloudModule) -> dict:
    params = module.params
    region = validate_region(params["bucket_region"]) if params["bucket_region"] else None
    if params["max_objects"] < 1:
        raise ValidationError(f"max_objects {params['max_objects']} must be at least 1.")
    if params["name"]:
        region = region or module.connection.require_region()
        validate_bucket_option(params["name"], region)
        entries = one_bucket(module, params["name"], region)
    else:
        entries = cos_bucket.account_buckets(module.cos(region), region)
        if region:
            entries = [entry for entry in entries if entry["region"] == region]
        if params["name_prefix"]:
            entries = [entry for entry in entries if entry["name"].startswith(params["name_prefix"])]
    entries.sort(key=lambda entry: entry["name"])
    return {"changed": False, "buckets": [describe(module, entry) for entry in entries]}


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "name": {"type": "str"},
            "name_prefix": {"type": "str"},
            "bucket_region": {"type": "str"},
            "details": {"type": "bool", "default": True},
            "object_stats": {"type": "bool", "default": False},
            "object_prefix": {"type": "str", "default": ""},
            "max_objects": {"type": "int", "default": 100000},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
