# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_chunksize
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Whether a value is a multipart part size the storage driver accepts
description:
  - True when the value is a whole number of bytes between 5242880 (5 MiB) and 104857600 (100 MiB), the bounds of the
    storage's C(chunksize) that the COS storage driver, M(cosops.registry.registry_storage_check),
    M(cosops.registry.registry_storage_sync) and the registry role apply alike.
  - "C(value | cosops.registry.rule_violation('registry_chunksize')) gives the sentence that refuses any other value."
options:
  _input:
    description: The part size in bytes, for example V(16777216).
    type: raw
    required: true
seealso:
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse a chunk size the storage driver would refuse
  ansible.builtin.assert:
    that: registry_storage_chunksize is cosops.registry.registry_chunksize
    fail_msg: "{{ registry_storage_chunksize | cosops.registry.rule_violation('registry_chunksize') }}"
"""

RETURN = r"""
_value:
  description: True for a part size within the bounds.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"registry_chunksize": rule_test("registry_chunksize")}
