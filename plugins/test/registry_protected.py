# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_protected
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Whether a registry keeps other machines from pushing and deleting anonymously
description:
  - The registry role's protected mode, as Redis has it. True when the registry authenticates (htpasswd users or a
    token realm), listens on a loopback address only (see P(cosops.registry.loopback_address#test)), or
    O(_input.allow_anonymous) accepts the risk.
  - False for a registry without authentication on every interface (an empty address), V(0.0.0.0), V(::) or any other
    address other machines reach.
  - "C(value | cosops.registry.rule_violation('registry_protected')) gives the sentence that refuses it."
options:
  _input:
    description: The registry's exposure, from the role's variables.
    type: dict
    required: true
    suboptions:
      bind_address:
        description: C(registry_http_bind_address); empty means every interface.
        type: str
      port:
        description: C(registry_http_port), named in the sentence.
        type: int
      htpasswd_users:
        description: C(registry_auth_htpasswd_users).
        type: list
        elements: dict
      token_realm:
        description: The realm of C(registry_auth_token).
        type: str
      allow_anonymous:
        description: C(registry_allow_anonymous).
        type: bool
seealso:
  - plugin: cosops.registry.loopback_address
    plugin_type: test
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse anonymous pushes on a network address
  ansible.builtin.assert:
    that: exposure is cosops.registry.registry_protected
    fail_msg: "{{ exposure | cosops.registry.rule_violation('registry_protected') }}"
  vars:
    exposure:
      bind_address: "{{ registry_http_bind_address }}"
      port: "{{ registry_http_port }}"
      htpasswd_users: "{{ registry_auth_htpasswd_users }}"
      token_realm: "{{ registry_auth_token.realm | default('') }}"
      allow_anonymous: "{{ registry_allow_anonymous }}"
"""

RETURN = r"""
_value:
  description: Whether no other machine can push or delete anonymously, or the risk is accepted.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"registry_protected": rule_test("registry_protected")}
