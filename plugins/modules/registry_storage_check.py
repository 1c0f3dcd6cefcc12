#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_storage_check
short_description: Prove that a Docker registry configured with given COS storage settings will work
version_added: 0.1.0
description:
  - Runs, against Tencent Cloud COS, what a registry with the same C(storage.cos) settings will do, and reports each
    check with a specific hint when it fails.
  - Checks that the keys are valid, that the bucket exists in the region, how the bucket may be addressed, that the
    registry's listings (catalog, tags, uploads) are allowed with its exact prefixes, that objects can be written, read
    back, listed and deleted under the root directory, that a multipart upload in parts of O(chunksize) with
    O(maxconcurrency) parts in flight arrives intact (length and sha256, with its speed), that a move commits a blob
    as the registry does (PUT Object - Copy below the 32 MiB multipart-copy threshold, Upload Part - Copy above it),
    that a presigned URL fetches an object, and that the bucket's lifecycle rules abort stale uploads and spare
    registry data.
  - Uses the collection's Python implementation of the COS storage driver (C(docs/cos-driver.md)), so the objects,
    part sizes and requests are the registry's. With O(driver=s3) every write also carries the headers the stock
    registry's s3 driver sends (O(objectacl), O(storageclass)), so a key or bucket that would refuse the registry's
    writes fails here first.
  - A refused request is reported with the CAM action the key lacks; an upload refused only for its ACL header names
    C(name/cos:PutObjectACL).
  - Everything it writes lives under C(<rootdirectory>/_storage_check/) and is deleted, and its multipart uploads
    aborted, whether the checks pass, fail or are interrupted.
author: cosops.registry contributors (@cosops)
options:
  driver:
    description:
      - The registry's storage driver. V(s3) (the stock C(registry:3) and C(registry:2) images) sends O(objectacl) and
        O(storageclass) with every write, as distribution's s3 driver does; V(cos) sends neither.
    type: str
    choices: [s3, cos]
    default: s3
  objectacl:
    description:
      - The registry's C(storage.s3.objectacl), a canned ACL the s3 driver sends with every write (C(x-amz-acl)). COS
        authorizes it as C(name/cos:PutObjectACL). Only with O(driver=s3).
    type: str
    choices: [private, public-read, public-read-write, authenticated-read, aws-exec-read, bucket-owner-read,
      bucket-owner-full-control]
    default: private
  storageclass:
    description:
      - The registry's C(storage.s3.storageclass). V(NONE) sends no storage class, so objects take the bucket's class;
        any other value is sent with every write, and a multi-AZ bucket refuses every class the s3 driver can send
        (C(OAZOperationNotSupportOnMAZBucket)). Only with O(driver=s3).
    type: str
    choices: [NONE, STANDARD, STANDARD_IA, INTELLIGENT_TIERING]
    default: NONE
  checks:
    description:
      - Which checks to run. In check mode only those that read (V(credentials), V(bucket), V(addressing),
        V(listing), V(lifecycle)) run; the others are listed in RV(not_run).
    type: list
    elements: str
    choices: [credentials, bucket, addressing, listing, read_write, multipart, move, presigned_url, lifecycle]
    default: [credentials, bucket, addressing, listing, read_write, multipart, move, presigned_url, lifecycle]
  smoke_size:
    description:
      - Bytes to send in the multipart smoke upload. Defaults to three parts and one MiB (3 x O(chunksize) + 1048576),
        so full parts and a short last part are both sent.
    type: int
  fail_on:
    description:
      - V(error) fails the task when a check finds a fault the registry cannot work with.
      - V(warning) also fails it on advice, such as a missing lifecycle rule or a bucket that refuses path-style
        requests.
    type: str
    choices: [error, warning]
    default: error
extends_documentation_fragment:
  - cosops.registry.registry_storage
  - cosops.registry.common
attributes:
  check_mode:
    description: In check mode only the checks that read run; nothing is written.
    support: partial
    details: The checks that write (read_write, multipart, move, presigned_url) are skipped and listed in RV(not_run).
  diff_mode:
    description: Has nothing to show as a diff; it leaves nothing changed.
    support: none
notes:
  - The common connection options (O(secret_id), O(secret_key), O(cos_endpoint)...) are accepted so that
    C(module_defaults) for the C(group/cosops.registry.tencentcloud) group apply; the registry-style options win.
  - Reports C(changed=false), because whatever it writes is removed before it returns.
seealso:
  - module: cosops.registry.cos_lifecycle
  - module: cosops.registry.cam_policy
"""

EXAMPLES = r"""
- name: Prove the registry's storage before starting it
  cosops.registry.registry_storage_check:
    secretid: "{{ registry_cos_secret_id }}"
    secretkey: "{{ registry_cos_secret_key }}"
    region: ap-guangzhou
    bucket: registry-1250000000
    rootdirectory: /registry
  no_log: false
  register: storage

- name: Show what was found
  ansible.builtin.debug:
    msg: "{{ storage.summary }}"

- name: Only the quick read-only checks, failing on advice too
  cosops.registry.registry_storage_check:
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
    checks: [credentials, bucket, addressing, listing, lifecycle]
    fail_on: warning

- name: Writes as a registry whose s3 driver sends storageclass STANDARD (refused by multi-AZ buckets)
  cosops.registry.registry_storage_check:
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
    storageclass: STANDARD

# On a host whose login environment holds REGISTRY_STORAGE=cos and REGISTRY_STORAGE_COS_SECRETID, _SECRETKEY,
# _REGION, _BUCKET (and any optional key), no storage option is needed.
- name: Check the storage the host's environment describes, as its COS-driver registry sees it
  cosops.registry.registry_storage_check:
    driver: cos
"""

RETURN = r"""
checks:
  description: One entry per check run, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The check.
      type: str
      sample: multipart
    ok:
      description: Whether the check passed.
      type: bool
      sample: true
    severity:
      description: V(ok), V(warning) (advice) or V(error) (the registry will fail).
      type: str
      sample: ok
    duration_s:
      description: Seconds the check took.
      type: float
      sample: 1.42
    detail:
      description: What was found, in one sentence.
      type: str
      sample: "51380224 bytes in 4 parts of 16777216 (10 in flight): sent at 84.1 MB/s, read back at 120.5 MB/s,
        sha256 matches"
    hint:
      description: What to do about a failure; for AccessDenied the CAM action and resource that were refused.
      type: str
      sample: "The key may not call name/cos:PutObject: allow name/cos:PutObject on
        qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/registry/* in the key's CAM policy."
summary:
  description: One line for people.
  returned: always
  type: str
  sample: "registry-1250000000/registry: all 9 checks passed; multipart upload at 84.1 MB/s"
not_run:
  description:
    - Checks not run, because of check mode or because an earlier check showed they could not succeed.
    - Named so, not C(skipped), because Ansible reads a C(skipped) key as a skipped task.
  returned: always
  type: list
  elements: str
  sample: [read_write, multipart, move, presigned_url]
"""

from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_check import (
    CHECKS,
    check_storage,
    default_smoke_size,
    fails,
    stop_on_signals,
)
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_options import (
    REGISTRY_STORAGE_SPEC,
    storage_driver,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.stock_driver import (
    NO_STORAGE_CLASS,
    OBJECT_ACLS,
    STORAGE_CLASSES,
    upload_headers,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def run(module: TencentCloudModule) -> dict:
    params = module.params
    headers = upload_headers(params["objectacl"], params["storageclass"]) if params["driver"] == "s3" else {}
    smoke_size = params["smoke_size"]
    if smoke_size is not None and smoke_size < 1:
        raise ValidationError(f"smoke_size {smoke_size} must be at least 1 byte.")
    driver = storage_driver(module, upload_headers=headers)
    smoke_size = smoke_size or default_smoke_size(driver.config.chunksize)
    stop_on_signals()
    result = check_storage(driver, params["checks"], smoke_size, module.check_mode)
    if fails(result, params["fail_on"]):
        module.fail_json(msg=result["summary"], **result)
    return result


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            **REGISTRY_STORAGE_SPEC,
            "driver": {"type": "str", "choices": ["s3", "cos"], "default": "s3"},
            "objectacl": {"type": "str", "choices": list(OBJECT_ACLS), "default": "private"},
            "storageclass": {"type": "str", "choices": list(STORAGE_CLASSES), "default": NO_STORAGE_CLASS},
            "checks": {"type": "list", "elements": "str", "choices": CHECKS, "default": CHECKS},
            "smoke_size": {"type": "int"},
            "fail_on": {"type": "str", "choices": ["error", "warning"], "default": "error"},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
