# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_tags
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The tags of two registries, from the tag lists read on both
description:
  - Collects the answers to C(GET /v2/<repository>/tags/list) that an M(ansible.builtin.uri) loop read on an old and a
    new registry into C(repository:tag) names per registry, for P(cosops.registry.registry_differences#filter).
  - A repository a registry does not have (404) lists no tags.
  - C(playbooks/migrate.yml) compares the registry it migrated from with the new one this way.
options:
  _input:
    description:
      - The registered loop results; each result's C(item) is a pair of the registry (a mapping whose C(name) is
        V(old) or V(new)) and the repository, and its C(json.tags) the tags.
    type: list
    elements: dict
    required: true
seealso:
  - plugin: cosops.registry.registry_differences
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Keep each side's tags
  ansible.builtin.set_fact:
    tags: "{{ tag_lists.results | cosops.registry.registry_tags }}"
"""

RETURN = r"""
_value:
  description: The C(repository:tag) names of each registry, in the order read.
  type: dict
  contains:
    old:
      description: The old registry's tags.
      type: list
      elements: str
    new:
      description: The new registry's tags.
      type: list
      elements: str
  sample:
    old: ["library/alpine:3.20", "library/alpine:latest"]
    new: ["library/alpine:3.20"]
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_comparison import tags_by_side


def registry_tags(results: list) -> dict:
    return tags_by_side(
        (result["item"][0]["name"], result["item"][1], (result.get("json") or {}).get("tags")) for result in results
    )


class FilterModule:
    def filters(self):
        return {"registry_tags": registry_tags}
