# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: loopback_address
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Whether a bind address reaches only this machine
description:
  - True for a loopback address (V(127.0.0.1) and the rest of C(127.0.0.0/8), V(::1), V([::1])) or V(localhost).
  - False for an empty address, V(0.0.0.0) or V(::) (every interface), and any other address or name.
  - The registry role's protected mode refuses anonymous pushes on any address this test calls false.
  - P(cosops.registry.rule_violation#filter) with V(loopback_address) gives the sentence.
options:
  _input:
    description: The address a service binds to, without a port.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Refuse an unauthenticated registry on the network
  ansible.builtin.assert:
    that: registry_http_bind_address is cosops.registry.loopback_address
"""

RETURN = r"""
_value:
  description: Whether the address is a loopback address.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"loopback_address": rule_test("loopback_address")}
