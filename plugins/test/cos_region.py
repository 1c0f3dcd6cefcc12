# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cos_region
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: Whether a value is a COS region name
description:
  - True when the value has the shape of a COS region name, lowercase words joined by hyphens such as
    V(ap-guangzhou) or V(ap-shanghai-fsi).
  - "C(value | cosops.registry.rule_violation('cos_region')) gives the sentence that refuses any other value."
options:
  _input:
    description: The region name.
    type: raw
    required: true
seealso:
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse a region name COS does not use
  ansible.builtin.assert:
    that: registry_storage_region is cosops.registry.cos_region
    fail_msg: "{{ registry_storage_region | cosops.registry.rule_violation('cos_region') }}"
"""

RETURN = r"""
_value:
  description: True for a well-formed region name.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"cos_region": rule_test("cos_region")}
