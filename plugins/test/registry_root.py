# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_root
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: Whether a value is a valid registry root directory
description:
  - True when the value is a storage C(rootdirectory) the registry, the storage driver, the modules and the
    least-privilege policy accept alike, that is empty or V(/) for the whole bucket, otherwise names of letters, digits, C(.),
    C(_) and C(-) separated by C(/), without empty, C(.) or C(..) parts. Leading and trailing slashes do not matter.
  - "C(value | cosops.registry.rule_violation('registry_root')) gives the sentence that refuses any other value."
options:
  _input:
    description: The root directory, for example V(/registry).
    type: raw
    required: true
seealso:
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse a root directory that steps out of itself
  ansible.builtin.assert:
    that: registry_storage_rootdirectory is cosops.registry.registry_root
    fail_msg: "{{ registry_storage_rootdirectory | cosops.registry.rule_violation('registry_root') }}"
"""

RETURN = r"""
_value:
  description: True for a valid root directory.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"registry_root": rule_test("registry_root")}
