# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cos_appid
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: Whether a value is a Tencent Cloud AppId
description:
  - True when the value is a Tencent Cloud AppId, 10 digits starting with 1, as every bucket name ends in.
  - "C(value | cosops.registry.rule_violation('cos_appid')) gives the sentence that refuses any other value."
options:
  _input:
    description: The AppId, as a string or a number.
    type: raw
    required: true
seealso:
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse an AppId that is not one
  ansible.builtin.assert:
    that: appid is cosops.registry.cos_appid
    fail_msg: "{{ appid | cosops.registry.rule_violation('cos_appid') }}"
"""

RETURN = r"""
_value:
  description: True for a well-formed AppId.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"cos_appid": rule_test("cos_appid")}
