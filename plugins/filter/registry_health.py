# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_health
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Whether a registry is healthy, from its answers to /v2/ and to a catalog listing
description:
  - Healthy when C(/v2/) answers 200 or 401 and the catalog, which reads the storage, answers 200.
  - With token authentication (a O(token_realm)), an anonymous check cannot read the catalog; healthy then means that
    C(/v2/) and the catalog both answer 401 with the Bearer challenge of that realm - the registry runs and enforces
    tokens. The storage is then not proven, and the detail says so.
  - The registry role's health gate (its C(health) entry point) keeps this verdict in C(registry_health_result).
positional: catalog, token_realm
options:
  _input:
    description: The answer to C(GET /v2/), as M(ansible.builtin.uri) registers it (C(status) -1 for no answer).
    type: dict
    required: true
  catalog:
    description: The answer to C(GET /v2/_catalog), registered the same way; skipped or empty when it was not tried.
    type: dict
    required: true
  token_realm:
    description: The realm of the registry's token authentication; empty when it has none.
    type: str
    default: ""
seealso:
  - plugin: cosops.registry.registry_rollout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Keep the health outcome
  ansible.builtin.set_fact:
    registry_health_result: "{{ v2_answer | cosops.registry.registry_health(catalog_answer, token_realm) }}"
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    ok:
      description: Whether the registry is healthy.
      type: bool
    detail:
      description: What the registry answered, in words.
      type: str
  sample:
    ok: true
    detail: /v2/ HTTP 200, catalog through storage HTTP 200
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_health import registry_health


class FilterModule:
    def filters(self):
        return {"registry_health": registry_health}
