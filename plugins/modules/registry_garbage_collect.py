#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_garbage_collect
short_description: Collect a Docker registry's garbage in its COS storage, read-only only for the sweep
version_added: 0.3.0
description:
  - Deletes what distribution v3's C(registry garbage-collect) deletes from a registry's COS storage (the bucket and
    root directory given with the registry's own option names) - blobs no manifest references, layer links no
    manifest needs, and with O(delete_untagged) manifests no tag names - but marks while the registry takes pushes, so
    that it needs to be read-only only for the sweep.
  - Phase V(mark), registry read-write - one flat listing of the registry's tree, every tag's current link and every
    manifest read, O(maxconcurrency) at a time, the mark made as distribution makes it. Its start time, listing and
    reads go to O(state_file).
  - Phase V(sweep), every replica read-only - waits O(settle_seconds) for listings to catch up with the last writes
    (COS documents that a listing may miss an object just written), lists again, reads only what changed since the
    mark (new manifests, tag links written again), marks again over everything and deletes in batches of 1000.
    Never deletes an object written at or after the mark's start (less O(grace_seconds)), nor an upload. When
    anything was written after the sweep began, a replica is still taking pushes and the task fails having deleted
    nothing. With O(redis), the registry's redis blob descriptor cache then forgets every deleted blob, so that no
    replica answers for one (distribution issues 1803, 4269).
  - Phase V(verify), any time after - every tag's manifest, the revisions it reaches, their blobs and layer links are
    there; one that lacks something this collection deleted fails the task, naming the tag.
  - Phase V(mark_and_sweep) does both at once, for a registry that is read-only or stopped throughout, and for
    reports (check mode).
  - What differs from distribution, on purpose - with O(delete_untagged), distribution does not walk into an index's
    child it marked before from another repository, and can delete the layers of a manifest a tag still uses
    (distribution issue 4939). Here a blob any tagged manifest of any repository reaches is never deleted.
  - Repositories with no tag left keep their untagged manifests (their blobs are collected), as distribution does;
    C(subject) is no reference (a referrer lives by its own tag), as in distribution.
author: cosops.registry contributors (@cosops)
options:
  phase:
    description:
      - Which part of the collection to run; see the description.
    type: str
    choices: [mark, sweep, verify, mark_and_sweep]
    default: mark_and_sweep
  state_file:
    description:
      - Where phase V(mark) keeps what it found for V(sweep), and V(sweep) what it deleted for V(verify), on the host
        the module runs on (mode C(0600); it holds digests and paths, no secret). Written in check mode too.
      - Required for V(mark), V(sweep) and V(verify).
    type: path
  delete_untagged:
    description:
      - Also delete manifests no tag names, as C(registry garbage-collect --delete-untagged) does (except that the
        blobs of a tagged manifest are never deleted). The same in every phase of one collection.
    type: bool
    default: false
  settle_seconds:
    description:
      - Seconds phase V(sweep) waits, the registry read-only, before it lists, so that listings show every object the
        registry wrote before it went read-only.
    type: float
    default: 5
  grace_seconds:
    description:
      - Objects written less than this many seconds before the mark began are kept too; raise it when the clocks of
        the host and of COS may differ.
    type: float
    default: 0
  redis:
    description:
      - The registry's redis blob descriptor cache (the C(redis) section of its configuration, used when
        C(storage.cache.blobdescriptor) is V(redis)); the sweep deletes its entries for every blob it deleted. Without
        it, only in-memory caches exist, and the playbook's restart empties them.
    type: dict
    suboptions:
      addr:
        description: The redis address, C(host:port).
        type: str
        required: true
      password:
        description: The redis password; none when empty.
        type: str
        default: ""
      db:
        description: The redis database number.
        type: int
        default: 0
extends_documentation_fragment:
  - cosops.registry.registry_storage
  - cosops.registry.common
attributes:
  check_mode:
    description:
      - Reports what would be deleted, and deletes nothing. Phase V(mark_and_sweep) in check mode is the dry run.
    support: full
  diff_mode:
    description: The objects deleted (or that would be) as the C(before) lines; C(after) is empty.
    support: full
notes:
  - Requests - one listing request per 1000 objects and a GET per tag and per manifest in V(mark); in V(sweep) one
    listing request per 1000 objects, GETs only for what changed and one DELETE Multiple Objects per 1000 objects.
  - Memory grows with the registry - the listing and the references of every manifest, about 1 KiB per object.
  - The sweep's check for writes and the mark's start time compare COS's LastModified with the host's clock - keep it
    within O(grace_seconds) of COS's.
  - Unfinished uploads are reported with their age, never deleted; the registry's upload purging (or a lifecycle rule
    on C(_uploads)) removes them.
seealso:
  - module: cosops.registry.registry_storage_check
"""

EXAMPLES = r"""
- name: Mark while the registry takes pushes
  cosops.registry.registry_garbage_collect:
    phase: mark
    state_file: /var/tmp/registry-gc.json
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
    delete_untagged: true

# ... every replica restarted read-only ...

- name: Sweep, the registry read-only
  cosops.registry.registry_garbage_collect:
    phase: sweep
    state_file: /var/tmp/registry-gc.json
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
    delete_untagged: true
    redis:
      addr: 10.0.0.12:6379
      password: "{{ vault_redis_password }}"

# ... every replica restarted read-write ...

- name: Every tag still has what it needs
  cosops.registry.registry_garbage_collect:
    phase: verify
    state_file: /var/tmp/registry-gc.json
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
    delete_untagged: true

- name: What a collection would delete (dry run)
  cosops.registry.registry_garbage_collect:
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
  check_mode: true
  register: gc

- name: Show the report
  ansible.builtin.debug:
    var: gc.report
"""

RETURN = r"""
phase:
  description: The phase that ran.
  returned: always
  type: str
  sample: sweep
deleted:
  description:
    - What the phase deleted (in check mode and in phase V(mark), would delete now) - blobs and their bytes, untagged
      manifests, layer links, and the objects these are.
  returned: when the phase plans a sweep (not verify)
  type: dict
  sample: {"blobs": 3, "bytes": 2098569, "manifests": 1, "layer_links": 2, "objects": 7}
deleted_blobs:
  description: Digests of the blobs deleted (or that would be).
  returned: when the phase plans a sweep
  type: list
  elements: str
  sample: ["sha256:4b3c..."]
deleted_manifests:
  description: Untagged manifests deleted (or that would be), as C(repository@digest).
  returned: when the phase plans a sweep
  type: list
  elements: str
  sample: ["team/app@sha256:9e1f..."]
deleted_layer_links:
  description: Layer links deleted (or that would be), as C(repository@digest).
  returned: when the phase plans a sweep
  type: list
  elements: str
  sample: ["team/app@sha256:4b3c..."]
by_repository:
  description: Blobs and bytes deleted (or that would be) by repository that linked them; a blob linked from several
    repositories counts in each, one linked by none under the empty name.
  returned: when the phase plans a sweep
  type: dict
  sample: {"team/app": {"blobs": 3, "bytes": 2098569}}
marked:
  description: Digests the mark keeps.
  returned: when the phase plans a sweep
  type: int
  sample: 1187
blobs:
  description: Blobs in the storage when the phase listed it.
  returned: when the phase plans a sweep
  type: int
  sample: 10298
repositories:
  description: Repositories in the storage.
  returned: when the phase plans a sweep
  type: int
  sample: 40
kept_recent:
  description: Objects the mark does not keep that were written after the mark began (less O(grace_seconds)), kept.
  returned: when the phase plans a sweep
  type: int
  sample: 0
repositories_without_tags:
  description: Repositories without any tag, whose untagged manifests stay (O(delete_untagged)).
  returned: when the phase plans a sweep
  type: list
  elements: str
  sample: []
uploads:
  description: Unfinished uploads (never deleted here) with their bytes and age, oldest first.
  returned: when the phase plans a sweep
  type: list
  elements: dict
  sample: [{"repository": "team/app", "id": "0f3c...", "bytes": 5242880, "age_seconds": 691200}]
noncurrent_versions:
  description: Noncurrent versions and delete markers under the registry's tree, when the bucket keeps versions.
  returned: in phases mark and mark_and_sweep, when the bucket keeps versions
  type: dict
  sample: {"objects": 12, "bytes": 73400320, "delete_markers": 12}
cache_commands:
  description: Redis commands sent to forget deleted blobs (O(redis)).
  returned: when the phase deleted blobs with O(redis)
  type: int
  sample: 9
tags:
  description: Tags checked by phase V(verify).
  returned: in phase verify
  type: int
  sample: 120
problems:
  description: What tags lack (phase V(verify)), as C(repository:tag - what); those naming a digest this collection
    deleted fail the task.
  returned: in phase verify
  type: list
  elements: str
  sample: []
seconds:
  description: Seconds spent listing, reading, settling, deleting, clearing the cache, and in total.
  returned: always
  type: dict
  sample: {"listing": 1.8, "reading": 3.1, "deleting": 0.4, "total": 5.4}
requests:
  description: COS requests sent, in total and by SDK call, retries included.
  returned: always
  type: dict
  sample: {"total": 23, "by_call": {"list_objects": 12, "get_object": 10, "delete_objects": 1}}
report:
  description: Lines for people - what is (or would be) deleted, the largest repositories, leftover uploads,
    noncurrent versions.
  returned: always
  type: list
  elements: str
  sample: ["deleted 3 blobs (2098569 bytes), 1 untagged manifests and 2 layer links; ..."]
summary:
  description: One line for people.
  returned: always
  type: str
  sample: "sweep: deleted 3 blobs (2098569 bytes), 1 manifests, 2 layer links in 6.2 s, 14 requests"
"""

import time

from ansible_collections.cosops.registry.plugins.module_utils._registry.blob_cache import RedisError
from ansible_collections.cosops.registry.plugins.module_utils._registry.garbage_collect import (
    CollectionError,
    Collector,
    load_state,
    report,
    report_lines,
    save_state,
)
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_check import stop_on_signals
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_options import (
    REGISTRY_STORAGE_SPEC,
    storage_driver,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def run_phase(module: TencentCloudModule, collector: Collector) -> dict:
    params = module.params
    phase, state_file = params["phase"], params["state_file"]
    if phase == "mark":
        outcome = collector.mark_phase()
        outcome["noncurrent_versions"] = collector.noncurrent_versions()
    elif phase == "sweep":
        outcome = collector.sweep_phase(load_state(state_file), module.check_mode, params["redis"])
    elif phase == "verify":
        return collector.verify_phase(load_state(state_file))
    else:
        outcome = collector.mark_and_sweep(module.check_mode, params["redis"])
        outcome["noncurrent_versions"] = collector.noncurrent_versions()
    if state_file:
        save_state(state_file, outcome["state"])
    return outcome


def result_of(module: TencentCloudModule, outcome: dict) -> dict:
    phase = module.params["phase"]
    if phase == "verify":
        return {"changed": False, "tags": outcome["tags"], "problems": outcome["problems"]}
    figures = report(outcome, time.time())
    planned_only = module.check_mode or phase == "mark"
    versions = outcome.get("noncurrent_versions")
    result = dict(figures, changed=phase != "mark" and figures["deleted"]["objects"] > 0)
    result["report"] = report_lines(figures, planned_only, versions)
    if versions is not None:
        result["noncurrent_versions"] = versions
    if "cache_commands" in outcome:
        result["cache_commands"] = outcome["cache_commands"]
    if module._diff and phase != "mark":
        result["diff"] = {"before": "".join(f"{path}\n" for path in outcome["plan"].paths()), "after": ""}
    return result


def run(module: TencentCloudModule) -> dict:
    params = module.params
    if params["phase"] != "mark_and_sweep" and not params["state_file"]:
        module.fail_json(msg=f"state_file is required for phase {params['phase']}.")
    started = time.monotonic()
    driver = storage_driver(module)
    stop_on_signals()
    collector = Collector(
        driver, params["delete_untagged"], params["settle_seconds"], params["grace_seconds"], module.warn
    )
    try:
        outcome = run_phase(module, collector)
    except (CollectionError, RedisError) as error:
        module.fail_json(msg=str(error), seconds=collector.seconds, requests=requests_of(driver))
    result = result_of(module, outcome)
    result.update(phase=params["phase"], seconds=dict(collector.seconds, total=round(time.monotonic() - started, 3)))
    result["requests"] = requests_of(driver)
    result["summary"] = summary(result, module.check_mode or params["phase"] == "mark")
    if params["phase"] == "verify" and outcome["caused"]:
        module.fail_json(
            msg=f"{len(outcome['caused'])} problems of tags with what this collection deleted: "
            + "; ".join(outcome["caused"][:5]),
            **result,
        )
    return result


def requests_of(driver) -> dict:
    counted = dict(sorted(driver.api.requests.items()))
    return {"total": sum(counted.values()), "by_call": counted}


def summary(result: dict, planned_only: bool) -> str:
    tail = f"in {result['seconds']['total']:.1f} s, {result['requests']['total']} requests"
    if result["phase"] == "verify":
        return f"verify: {result['tags']} tags checked, {len(result['problems'])} problems {tail}"
    deleted = result["deleted"]
    verb = "would delete" if planned_only else "deleted"
    return (
        f"{result['phase']}: {verb} {deleted['blobs']} blobs ({deleted['bytes']} bytes), {deleted['manifests']}"
        f" manifests, {deleted['layer_links']} layer links {tail}"
    )


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            **REGISTRY_STORAGE_SPEC,
            "phase": {
                "type": "str",
                "choices": ["mark", "sweep", "verify", "mark_and_sweep"],
                "default": "mark_and_sweep",
            },
            "state_file": {"type": "path"},
            "delete_untagged": {"type": "bool", "default": False},
            "settle_seconds": {"type": "float", "default": 5},
            "grace_seconds": {"type": "float", "default": 0},
            "redis": {
                "type": "dict",
                "options": {
                    "addr": {"type": "str", "required": True},
                    "password": {"type": "str", "default": "", "no_log": True},
                    "db": {"type": "int", "default": 0},
                },
            },
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
