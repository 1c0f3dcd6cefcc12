# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rule_violation
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: The sentence that refuses a value under one of the collection's rules
description:
  - Returns the one-sentence message, naming the value and the rule, with which the modules and the storage driver
    refuse the value; an empty string when the value keeps the rule.
  - The rules are the collection's tests of the same names, so an C(ansible.builtin.assert) that uses the test in
    C(that) and this filter in C(fail_msg) refuses exactly what a module refuses, with the same words.
positional: rule, argument
options:
  _input:
    description: The value to check.
    type: raw
    required: true
  rule:
    description: The rule.
    type: str
    required: true
    choices:
      cos_appid: A Tencent Cloud AppId (see the test P(cosops.registry.cos_appid#test)).
      cos_bucket_name: A complete bucket name C(<name>-<appid>) (see P(cosops.registry.cos_bucket_name#test)).
      cos_bucket_option: A bucket name with or without C(-<appid>) (see P(cosops.registry.cos_bucket_option#test)).
      cos_region: A COS region name (see P(cosops.registry.cos_region#test)).
      loopback_address: An address only this machine reaches (see P(cosops.registry.loopback_address#test)).
      registry_chunksize: A multipart part size the storage driver accepts (see
        P(cosops.registry.registry_chunksize#test)).
      registry_image: A registry image of a known distribution generation (see P(cosops.registry.registry_image#test)).
      registry_protected: A registry no other machine may push to anonymously (see
        P(cosops.registry.registry_protected#test)).
      registry_root: A registry root directory (see P(cosops.registry.registry_root#test)).
  argument:
    description:
      - For V(cos_bucket_name) and V(cos_bucket_option), the bucket's region, so that the length of its host is checked
        too.
      - For V(registry_image), the role's C(registry_distribution_version).
    type: str
seealso:
  - plugin: cosops.registry.registry_root
    plugin_type: test
  - plugin: cosops.registry.cos_bucket_name
    plugin_type: test
"""

EXAMPLES = r"""
- name: Refuse a root directory with the storage driver's own sentence
  ansible.builtin.assert:
    that: registry_storage_rootdirectory is cosops.registry.registry_root
    fail_msg: "{{ registry_storage_rootdirectory | cosops.registry.rule_violation('registry_root') }}"

- name: Refuse a bucket name, its host length included
  ansible.builtin.assert:
    that: bucket is cosops.registry.cos_bucket_name(region)
    fail_msg: "{{ bucket | cosops.registry.rule_violation('cos_bucket_name', region) }}"
"""

RETURN = r"""
_value:
  description: The sentence refusing the value, or an empty string when the value keeps the rule.
  type: str
  sample: >-
    rootdirectory '/registry/..' must be empty or '/'-separated names of letters, digits, '.', '_' and '-', without
    empty, '.' or '..' parts.
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_violation


class FilterModule:
    def filters(self):
        return {"rule_violation": rule_violation}
