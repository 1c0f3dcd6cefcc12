# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cos_bucket_option
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: Whether a value is a bucket name as the COS modules take it
description:
  - True when the value is a bucket name as M(cosops.registry.cos_bucket) and the other COS modules take it, complete
    (C(<name>-<appid>)) or without its C(-<appid>), which the modules then add.
  - Given the region, the bucket's host C(<bucket>.cos.<region>.myqcloud.com) must also fit in 60 characters, whatever
    the AppId.
  - "C(value | cosops.registry.rule_violation('cos_bucket_option', region)) gives the sentence that refuses any other
    value."
positional: region
options:
  _input:
    description: The bucket name, for example V(registry) or V(registry-1250000000).
    type: raw
    required: true
  region:
    description: The bucket's region; when given, the length of the bucket's host is checked too.
    type: str
seealso:
  - plugin: cosops.registry.cos_bucket_name
    plugin_type: test
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse a bucket name the COS modules would refuse
  ansible.builtin.assert:
    that: bucket is cosops.registry.cos_bucket_option(region)
    fail_msg: "{{ bucket | cosops.registry.rule_violation('cos_bucket_option', region) }}"
"""

RETURN = r"""
_value:
  description: True for a bucket name the COS modules accept.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"cos_bucket_option": rule_test("cos_bucket_option")}
