# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_differences
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: How a new registry differs from the old one it was copied from, one sentence each
description:
  - Names every repository of the old registry's catalog that the new one lacks, every tag it lacks, and every sampled
    tag whose manifest digest differs (a tag the new registry does not serve has the digest V(none)).
  - C(playbooks/migrate.yml) fails with these sentences when the registries differ.
positional: tags, digests
options:
  _input:
    description: Both catalogs, C({old, new}), each a list of repositories.
    type: dict
    required: true
  tags:
    description: Both registries' tags, as P(cosops.registry.registry_tags#filter) returns them.
    type: dict
    required: true
  digests:
    description:
      - The registered results of an M(ansible.builtin.uri) loop of C(HEAD /v2/<repository>/manifests/<tag>) on both
        registries for the sampled tags; each result's C(item) is a pair of the registry (its C(name) V(old) or
        V(new)) and the C(repository:tag), and its C(docker_content_digest) the digest.
    type: list
    elements: dict
    required: true
seealso:
  - plugin: cosops.registry.registry_tags
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Name every difference
  ansible.builtin.set_fact:
    differences: "{{ catalogs | cosops.registry.registry_differences(tags, digests.results) }}"
"""

RETURN = r"""
_value:
  description: One sentence per difference; empty when the registries match.
  type: list
  elements: str
  sample:
    - repository library/busybox missing
    - tag library/alpine:latest missing
    - tag library/alpine:3.20 is sha256:1111..., was sha256:2222...
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_comparison import differences


def registry_differences(catalogs: dict, tags: dict, digests: list) -> list:
    return differences(
        catalogs,
        tags,
        ((result["item"][0]["name"], result["item"][1], result.get("docker_content_digest")) for result in digests),
    )


class FilterModule:
    def filters(self):
        return {"registry_differences": registry_differences}
