# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_gc_output
author: cosops.registry contributors (@cosops)
version_added: 0.3.0
short_description: What distribution's registry garbage-collect printed, as figures
description:
  - Reads the output of distribution v3's C(registry garbage-collect) - its summary line, the blobs, manifests and
    layer links it found eligible for deletion (stdout) and what it deleted (its log, on stderr).
  - The C(cosops.registry.registry) role's C(garbage_collect) entry point and C(garbage_collect.yml) use it, so the
    output is read in one place.
options:
  _input:
    description: A command's result with C(stdout) and C(stderr), such as the role's C(registry_gc_result).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Say what garbage-collect did
  ansible.builtin.debug:
    msg: "{{ (registry_gc_result | cosops.registry.registry_gc_output).summary }}"
"""

RETURN = r"""
_value:
  description: The figures of the run.
  type: dict
  contains:
    summary:
      description: The summary line, empty when the run did not get that far.
      type: str
    marked:
      description: Blobs marked, or null without a summary line.
      type: int
    eligible_blobs:
      description: Digests of blobs eligible for deletion.
      type: list
      elements: str
    eligible_manifests:
      description: Manifests eligible for deletion, as C(repository@digest).
      type: list
      elements: str
    eligible_layer_links:
      description: Layer links eligible for deletion, as C(repository@digest).
      type: list
      elements: str
    deleted_blobs:
      description: Blobs deleted (none in a dry run).
      type: int
    deleted_manifests:
      description: Manifests deleted.
      type: int
    last_line:
      description: The last line printed, what a failed run died of.
      type: str
  sample:
    summary: 6 blobs marked, 1 blobs and 0 manifests eligible for deletion
    marked: 6
    eligible_blobs: ["sha256:5d41402abc4b2a76b9719d911017c592ae3c26ea2ac2a0f2f3bd0b4d2ecd7b29"]
    eligible_manifests: []
    eligible_layer_links: []
    deleted_blobs: 0
    deleted_manifests: 0
    last_line: "blob eligible for deletion: sha256:5d41402abc4b2a76b9719d911017c592ae3c26ea2ac2a0f2f3bd0b4d2ecd7b29"
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.gc_stock_output import stock_gc_output


def registry_gc_output(result):
    return stock_gc_output((result or {}).get("stdout", ""), (result or {}).get("stderr", ""))


class FilterModule:
    def filters(self):
        return {"registry_gc_output": registry_gc_output}
