#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cos_bucket
short_description: Manage a COS bucket and its access, versioning, tags, encryption, CORS and policy
version_added: 0.1.0
description:
  - Creates or deletes a Tencent Cloud COS bucket and brings its settings in line with the options.
  - Every setting left unset is not managed; it is neither read nor reset, so a run makes one request per managed
    setting besides the bucket's own (M(cosops.registry.cos_bucket_info) reads them all).
  - A bucket that exists in another region than O(region) fails the task with the region to set, found in the
    account's bucket list (C(GET Service)), instead of a conflict on creation.
  - In check mode a bucket that does not exist yet is predicted as COS creates it, every given setting a change.
  - Lifecycle rules are managed by M(cosops.registry.cos_lifecycle).
author: cosops.registry contributors (@cosops)
options:
  name:
    description:
      - The bucket name, C(<name>-<appid>).
      - When the C(-<appid>) suffix is missing, the account's AppId is looked up and appended; the result says so in
        RV(appid_appended).
      - Lowercase letters, digits and hyphens, not starting or ending with a hyphen; the host
        C(<name>-<appid>.cos.<region>.myqcloud.com) may have at most 60 characters.
    type: str
    required: true
  state:
    description:
      - V(present) creates the bucket when missing and applies the settings; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  acl:
    description:
      - The canned ACL of the bucket. A new bucket is V(private) when this is not set.
    type: str
    choices: [private, public-read, public-read-write, authenticated-read]
  versioning:
    description:
      - Object versioning. A bucket that never had versioning counts as V(suspended).
      - Versioning cannot be switched off again once enabled, only suspended.
    type: str
    choices: [enabled, suspended]
  tags:
    description:
      - Bucket tags as a dict of key and value, at most 50.
      - "Keys are 1-127 and values 1-255 characters of letters, digits, spaces and C(+ - = . _ : / @); keys starting
        with C(qcs:) or C(project) are refused, as COS refuses them."
      - V({}) together with O(purge_tags=true) (the default when O(tags) is given) removes every tag.
    type: dict
  purge_tags:
    description:
      - Remove tags that O(tags) does not name.
      - Defaults to V(true) when O(tags) is given; without O(tags) the tags are not managed.
    type: bool
  encryption:
    description:
      - Default server-side encryption of new objects.
      - V(AES256) is SSE-COS, V(KMS) is SSE-KMS (with O(encryption_key_id), or the default KMS key when that is
        unset), V(none) removes the default encryption.
    type: str
    choices: [none, AES256, KMS]
  encryption_key_id:
    description:
      - The KMS key for O(encryption=KMS).
    type: str
  cors_rules:
    description:
      - The complete list of CORS rules, in the order COS tries them. V([]) removes the CORS configuration.
    type: list
    elements: dict
    suboptions:
      id:
        description: Name of the rule.
        type: str
      allowed_origins:
        description: Origins allowed to send cross-origin requests, such as V(https://example.com) or V(*).
        type: list
        elements: str
        required: true
      allowed_methods:
        description: HTTP methods allowed.
        type: list
        elements: str
        required: true
        choices: [GET, PUT, POST, DELETE, HEAD]
      allowed_headers:
        description: Request headers allowed in a preflight request.
        type: list
        elements: str
      expose_headers:
        description: Response headers a browser may read.
        type: list
        elements: str
      max_age_seconds:
        description: How long a browser may cache the preflight answer.
        type: int
  policy:
    description:
      - The bucket policy, as a JSON string or a dict.
      - Compared by meaning, not by text; the order of statements, actions, resources and principals, a single
        string versus a list, and the case of keys and effects do not cause a change.
      - Every statement needs an effect (Allow or Deny), a principal, an action and a resource.
      - V({}) removes the bucket policy.
    type: json
  force:
    description:
      - With O(state=absent), delete a bucket that is not empty. Every object, every object version and delete
        marker, and every incomplete multipart upload is deleted first.
      - Without it, deleting a non-empty bucket fails and says how much it holds.
    type: bool
    default: false
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes
seealso:
  - module: cosops.registry.cos_bucket_info
  - module: cosops.registry.cos_lifecycle
"""

EXAMPLES = r"""
- name: Private bucket for the Docker registry, versioned and encrypted
  cosops.registry.cos_bucket:
    name: registry
    region: ap-guangzhou
    acl: private
    versioning: enabled
    encryption: AES256
    tags:
      app: registry
      owner: platform

- name: Let one sub-user read and write the registry's root directory
  cosops.registry.cos_bucket:
    name: registry-1250000000
    region: ap-guangzhou
    policy:
      version: "2.0"
      Statement:
        - Principal:
            qcs: ["qcs::cam::uin/100000000001:uin/100000000011"]
          Effect: Allow
          Action: ["name/cos:GetObject", "name/cos:PutObject", "name/cos:DeleteObject"]
          Resource: ["qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/registry/*"]

- name: Allow browsers on one site to fetch objects
  cosops.registry.cos_bucket:
    name: assets-1250000000
    region: ap-shanghai
    cors_rules:
      - id: site
        allowed_origins: ["https://www.example.com"]
        allowed_methods: [GET, HEAD]
        max_age_seconds: 600

- name: Add a tag and keep the tags set elsewhere
  cosops.registry.cos_bucket:
    name: registry-1250000000
    region: ap-guangzhou
    tags:
      cost-center: "42"
    purge_tags: false

- name: Delete a scratch bucket with everything in it
  cosops.registry.cos_bucket:
    name: scratch-1250000000
    region: ap-guangzhou
    state: absent
    force: true
"""

RETURN = r"""
name:
  description: The full bucket name, C(<name>-<appid>).
  returned: always
  type: str
  sample: registry-1250000000
appid_appended:
  description: Whether C(-<appid>) was appended to O(name).
  returned: always
  type: bool
  sample: true
region:
  description: The bucket's region.
  returned: always
  type: str
  sample: ap-guangzhou
endpoint:
  description: The bucket's virtual-host endpoint.
  returned: always
  type: str
  sample: registry-1250000000.cos.ap-guangzhou.myqcloud.com
exists:
  description: Whether the bucket exists after the run (in check mode, would exist).
  returned: always
  type: bool
  sample: true
settings:
  description:
    - The managed settings (those given) after the change; settings not given are not read.
    - Empty when the bucket is absent.
  returned: always
  type: dict
  contains:
    acl:
      description: The canned ACL.
      type: str
      sample: private
    versioning:
      description: V(enabled), V(suspended), or V(disabled) for a bucket that never had versioning.
      type: str
      sample: enabled
    tags:
      description: The bucket tags.
      type: dict
      sample: {app: registry}
    encryption:
      description: Default encryption, C(algorithm) (V(none), V(AES256) or V(KMS)) and for KMS C(kms_key_id).
      type: dict
      sample: {algorithm: AES256}
    cors_rules:
      description: CORS rules, with sorted lists.
      type: list
      elements: dict
      sample: [{id: site, allowed_origins: ["https://www.example.com"], allowed_methods: [GET, HEAD],
                allowed_headers: [], expose_headers: [], max_age_seconds: 600}]
    policy:
      description: The bucket policy document, or null when there is none.
      type: dict
      sample: {version: "2.0", Statement: []}
contents:
  description: What a non-empty bucket held when it was deleted with O(force=true).
  returned: when state=absent and the bucket existed
  type: dict
  contains:
    objects:
      description: Object versions and delete markers (every object counts once in an unversioned bucket).
      type: int
      sample: 12
    uploads:
      description: Incomplete multipart uploads.
      type: int
      sample: 1
    truncated:
      description: Whether counting stopped early, so the numbers are lower bounds.
      type: bool
      sample: false
diff:
  description: Before and after of the bucket's existence and of every managed setting.
  returned: when diff mode is on
  type: dict
  sample: {before: {exists: true, versioning: suspended}, after: {exists: true, versioning: enabled}}
"""

from ansible_collections.cosops.registry.plugins.module_utils._cos import bucket as cos_bucket
from ansible_collections.cosops.registry.plugins.module_utils._cos.bucket_writes import (
    BucketWriter,
    desired_settings,
    ensure_present,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules import naming
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def managed_view(state: dict, desired: dict) -> dict:
    """The parts of a before/after state the diff shows: existence and the managed settings."""
    return {name: value for name, value in state.items() if name == "exists" or name in desired}


def run(module: TencentCloudModule) -> dict:
    params = module.params
    region = module.connection.require_region()
    naming.validate_bucket_option(params["name"], region)
    desired = desired_settings(params) if params["state"] == "present" else {}
    bucket, appended = naming.qualify_bucket(params["name"], module.appid, region)
    api = module.cos()
    exists = cos_bucket.bucket_exists(api, bucket)
    writer = BucketWriter(api, bucket, module.check_mode, purge_tags=params["purge_tags"] is not False)
    result = {
        "name": bucket,
        "appid_appended": appended,
        "region": region,
        "endpoint": naming.bucket_host(bucket, region),
    }
    if params["state"] == "absent":
        before, after = {"exists": exists}, {"exists": False}
        if exists:
            result["contents"] = writer.delete(params["force"])
        result.update(changed=exists, exists=False, settings={})
    else:
        changed, before, after = ensure_present(writer, exists, desired, params["acl"])
        result.update(changed=changed, exists=True, settings={name: after[name] for name in desired})
    if module._diff:
        result["diff"] = {"before": managed_view(before, desired), "after": managed_view(after, desired)}
    return result


def main() -> None:
    cors_rule = {
        "id": {"type": "str"},
        "allowed_origins": {"type": "list", "elements": "str", "required": True},
        "allowed_methods": {
            "type": "list",
            "elements": "str",
            "required": True,
            "choices": list(cos_bucket.CORS_METHODS),
        },
        "allowed_headers": {"type": "list", "elements": "str"},
        "expose_headers": {"type": "list", "elements": "str"},
        "max_age_seconds": {"type": "int"},
    }
    module = TencentCloudModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "acl": {"type": "str", "choices": list(cos_bucket.CANNED_ACLS)},
            "versioning": {"type": "str", "choices": ["enabled", "suspended"]},
            "tags": {"type": "dict"},
            "purge_tags": {"type": "bool"},
            "encryption": {"type": "str", "choices": list(cos_bucket.ENCRYPTION_ALGORITHMS)},
            "encryption_key_id": {"type": "str", "no_log": False},
            "cors_rules": {"type": "list", "elements": "dict", "options": cors_rule},
            "policy": {"type": "json"},
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
