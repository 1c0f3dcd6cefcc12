#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_storage_sync
short_description: Copy a Docker registry's storage into a registry's COS storage, in an order a live registry can read
version_added: 0.2.0
description:
  - Copies the storage of an existing registry, a filesystem driver's directory (O(src_path)) or another COS location
    (O(src_cos)), into the COS storage of a registry (the bucket and root directory given with the registry's own
    option names), through the collection's COS storage driver (C(docs/cos-driver.md)).
  - Writes blob data first, then each repository's layer links and manifest revisions, and tag links last, so that a
    registry reading the target while the copy runs never lists a tag whose manifest or blobs are missing.
    Unfinished uploads (C(_uploads)) are not copied.
  - The source may keep taking pushes. Its links (C(repositories/)) are listed before its blobs (C(blobs/)), since a
    registry writes blobs before the links naming them. A tag link is read when it is written; one that names a
    manifest not at the target by then (the tag moved at the source after the listing) is not written but listed in
    RV(tags_deferred), for the next run to copy.
  - Computes every blob's sha256 while reading it; a blob whose bytes do not match the digest it is stored under is
    never copied, and the task fails naming it before any link or tag is written.
  - Compares the source with one flat listing of the target (about one request per 1000 objects), not a request per
    object; objects already there with the same size (and, for links, the same content) are skipped, so a re-run
    copies only what changed.
  - Never deletes at the target unless O(delete_extraneous=true); a tag pointing elsewhere at the target is kept and
    reported unless O(overwrite_tags=true). Objects are written whole (one PUT, or a multipart upload completed only
    once its digest matched); an interrupted run aborts its multipart uploads, and a run after one that was killed
    aborts what that run left and finishes the job.
  - A target bucket that exists in another region fails the task naming that region; in check mode, a target bucket
    that does not exist yet (an earlier task only pretended to create it) is taken as empty, with a warning.
  - Runs on the host that can read the source. Long copies work with C(async) and C(poll).
author: cosops.registry contributors (@cosops)
options:
  src_path:
    description:
      - The root directory of a registry's filesystem storage driver (its C(storage.filesystem.rootdirectory), usually
        C(/var/lib/registry)), holding C(docker/registry/v2).
      - Exactly one of O(src_path) and O(src_cos) is required.
    type: path
  src_cos:
    description:
      - Another registry's COS storage to copy from, with the registry's option names.
      - Its keys default to the module's credential sources, and its region, endpoint, chunk size and concurrency to
        the target's. It never takes E(REGISTRY_STORAGE_COS_*) variables, which describe the target.
    type: dict
    suboptions:
      secretid:
        description:
          - The SecretId to read the source with; without it and O(src_cos.secretkey), the module's credentials.
          - Set together with O(src_cos.secretkey); neither is ever taken from the module's own options.
        type: str
      secretkey:
        description:
          - The SecretKey that belongs to O(src_cos.secretid). Never logged.
        type: str
      region:
        description:
          - The source bucket's region; defaults to the target's.
        type: str
      bucket:
        description:
          - The source bucket, C(<name>-<appid>).
        type: str
        required: true
      rootdirectory:
        description:
          - The prefix inside the source bucket under which that registry keeps its data.
        type: str
        default: ""
      secure:
        description:
          - Use HTTPS. Picks the scheme when O(src_cos.endpoint) has none.
        type: bool
        default: true
      endpoint:
        description:
          - Where to reach the source's COS instead of the public endpoint; defaults to the target's (O(endpoint),
            E(REGISTRY_STORAGE_COS_ENDPOINT), then O(cos_endpoint)).
        type: str
  overwrite_tags:
    description:
      - Whether a tag that already exists at the target and points to another manifest is made to point to the
        source's. Such tags are listed in RV(tag_conflicts) when kept and RV(tags_overwritten) when changed.
    type: bool
    default: false
  delete_extraneous:
    description:
      - Whether objects of the target's registry tree that the source does not have are deleted (tags first, blobs
        last). Unfinished uploads at the target are never deleted.
    type: bool
    default: false
extends_documentation_fragment:
  - cosops.registry.registry_storage
  - cosops.registry.common
attributes:
  check_mode:
    description:
      - Lists the source and the target and reports what would be copied and deleted; writes nothing.
      - Tag links are not read, so RV(tags_deferred) is empty.
    support: full
  diff_mode:
    description: Reports figures, not a diff.
    support: none
notes:
  - The memory used stays near O(chunksize) x (O(maxconcurrency) + 1); objects smaller than O(chunksize) are copied
    O(maxconcurrency) at a time, larger blobs one after another with O(maxconcurrency) parts in flight.
  - A registry that keeps writing to the source during the copy may add objects the copy does not see, and may move
    tags to manifests it did not copy (RV(tags_deferred)); run again after making the source read-only to take them
    (C(docs/playbook-migrate.md)).
seealso:
  - module: cosops.registry.registry_storage_check
"""

EXAMPLES = r"""
- name: Copy a filesystem registry into COS
  cosops.registry.registry_storage_sync:
    src_path: /var/lib/registry
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
  async: 7200
  poll: 30
  register: copy

- name: Say what was copied
  ansible.builtin.debug:
    msg: "{{ copy.summary }}"

- name: What a copy from another bucket would do
  cosops.registry.registry_storage_sync:
    src_cos:
      bucket: old-registry-1250000000
      region: ap-shanghai
      rootdirectory: /registry
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
  check_mode: true

- name: Copy into the storage the host's REGISTRY_STORAGE_COS_* environment describes
  cosops.registry.registry_storage_sync:
    src_path: /var/lib/registry
  async: 7200
  poll: 30
"""

RETURN = r"""
copied:
  description:
    - Objects and bytes copied (in check mode, that would be copied), in total and by kind (V(blob), V(layer_link),
      V(manifest_link), V(other), V(tag_link), V(tag_index)).
  returned: always
  type: dict
  sample: {"objects": 14, "bytes": 73400884, "by_kind": {"blob": {"objects": 6, "bytes": 73399912}}}
unchanged:
  description:
    - Objects and bytes already at the target with the same size (and for links the same content), so skipped; in
      total and by kind.
  returned: always
  type: dict
  sample: {"objects": 0, "bytes": 0, "by_kind": {"blob": {"objects": 0, "bytes": 0}}}
verified:
  description: Blobs whose sha256 was computed while they were read and matched their digest.
  returned: always
  type: dict
  sample: {"objects": 6, "bytes": 73399912}
deleted:
  description: Objects deleted at the target (in check mode, that would be), with O(delete_extraneous=true).
  returned: always
  type: dict
  sample: {"objects": 0, "bytes": 0, "by_kind": {}}
extraneous:
  description: Objects of the target's registry tree the source does not have, whether deleted or not.
  returned: always
  type: dict
  sample: {"objects": 1, "bytes": 71, "by_kind": {"tag_link": {"objects": 1, "bytes": 71}}}
tag_conflicts:
  description: Tags (C(repository:tag)) that point elsewhere at the target and were kept.
  returned: always
  type: list
  elements: str
  sample: ["team/app:latest"]
tags_overwritten:
  description: Tags that pointed elsewhere at the target and were made to point to the source's manifest.
  returned: always
  type: list
  elements: str
  sample: []
tags_deferred:
  description:
    - Tags (C(repository:tag)) whose link, read when it was to be written, named a manifest that was not at the target
      (neither in its listing nor copied by this run), because the tag moved at the source after the listing. They
      were not written (neither their C(current) link nor their index entries); the next run copies them.
    - Not counted in RV(copied). Empty in check mode.
  returned: always
  type: list
  elements: str
  sample: ["team/app:latest"]
aborted_uploads:
  description: Multipart uploads an earlier, killed run left on blobs this run wrote, aborted.
  returned: always
  type: int
  sample: 0
seconds:
  description: Seconds spent listing, copying blobs, links and tags, deleting, and in total.
  returned: always
  type: dict
  sample: {"listing": 0.21, "blobs": 3.02, "links": 0.12, "tags": 0.05, "delete": 0.0, "total": 3.4}
mb_per_s:
  description: Bytes copied per second of the copy phases, in MB/s (10^6 bytes); 0 in check mode.
  returned: always
  type: float
  sample: 24.1
summary:
  description: One line for people.
  returned: always
  type: str
  sample: "copied 14 objects (73400884 bytes), 0 already there, verified 6 blobs at 24.1 MB/s in 3.4 s"
"""

from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_check import stop_on_signals
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_options import (
    LOCATION_SPEC,
    REGISTRY_STORAGE_SPEC,
    source_driver,
    storage_driver,
)
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_sync import (
    CosSource,
    FilesystemSource,
    StorageSync,
    SyncError,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def cos_source(module: TencentCloudModule, target) -> CosSource:
    driver = source_driver(module, module.params["src_cos"], "src_cos", target)
    if (driver.bucket, driver.keys.root) == (target.bucket, target.keys.root):
        raise ValidationError(
            f"src_cos names the target itself ({driver.bucket}, rootdirectory {driver.keys.root!r}): the source must"
            " be another bucket or root directory."
        )
    return CosSource(driver)


def run(module: TencentCloudModule) -> dict:
    params = module.params
    # A wrong directory is said before any credential is looked for.
    source = FilesystemSource(params["src_path"]) if params["src_path"] else None
    target = storage_driver(module)
    source = source or cos_source(module, target)
    stop_on_signals()
    sync = StorageSync(source, target, module.warn, params["overwrite_tags"], params["delete_extraneous"])
    try:
        return sync.run(module.check_mode)
    except SyncError as error:
        module.fail_json(msg=str(error))


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            **REGISTRY_STORAGE_SPEC,
            "src_path": {"type": "path"},
            "src_cos": {"type": "dict", "options": LOCATION_SPEC},
            "overwrite_tags": {"type": "bool", "default": False},
            "delete_extraneous": {"type": "bool", "default": False},
        },
        mutually_exclusive=[("src_path", "src_cos")],
        required_one_of=[("src_path", "src_cos")],
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
