# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cos_bucket_name
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: Whether a value is a complete COS bucket name
description:
  - True when the value is a complete bucket name, C(<name>-<appid>), as the storage driver needs it and as COS
    allows it; the name part is lowercase letters, digits and hyphens, and the AppId has 10 digits.
  - Given the region, the bucket's host C(<bucket>.cos.<region>.myqcloud.com) must also fit in 60 characters.
  - "C(value | cosops.registry.rule_violation('cos_bucket_name', region)) gives the sentence that refuses any other
    value."
positional: region
options:
  _input:
    description: The bucket name, for example V(registry-1250000000).
    type: raw
    required: true
  region:
    description: The bucket's region; when given, the length of the bucket's host is checked too.
    type: str
seealso:
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse a bucket name the storage driver would refuse
  ansible.builtin.assert:
    that: registry_storage_bucket is cosops.registry.cos_bucket_name(registry_storage_region)
    fail_msg: "{{ registry_storage_bucket | cosops.registry.rule_violation('cos_bucket_name', registry_storage_region) }}"
"""

RETURN = r"""
_value:
  description: True for a complete, valid bucket name.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"cos_bucket_name": rule_test("cos_bucket_name")}
