# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_debug_protected
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Whether a registry's debug server keeps its notification credentials from other machines
description:
  - distribution's debug server, which serves the Prometheus metrics, also answers C(/debug/vars) with every
    notification endpoint's URL and headers. True when the server listens on a loopback address only (see
    P(cosops.registry.loopback_address#test)), or no notification endpoint carries headers or credentials in its URL.
  - False for a debug server on every interface (an empty address), V(0.0.0.0), V(::) or any other address other
    machines reach while an endpoint carries headers (such as C(Authorization)) or a URL with C(user:password@).
  - "C(value | cosops.registry.rule_violation('registry_debug_protected')) gives the sentence that refuses it."
options:
  _input:
    description: The debug server's exposure, from the role's variables.
    type: dict
    required: true
    suboptions:
      bind_address:
        description: C(registry_metrics.bind_address); empty means every interface.
        type: str
      port:
        description: C(registry_metrics.port), named in the sentence.
        type: int
      notifications_endpoints:
        description: C(registry_notifications_endpoints), each with its C(name), C(url) and C(headers).
        type: list
        elements: dict
seealso:
  - plugin: cosops.registry.registry_protected
    plugin_type: test
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse a debug server that would show notification credentials to the network
  ansible.builtin.assert:
    that: exposure is cosops.registry.registry_debug_protected
    fail_msg: "{{ exposure | cosops.registry.rule_violation('registry_debug_protected') }}"
  vars:
    exposure:
      bind_address: "{{ registry_metrics.bind_address }}"
      port: "{{ registry_metrics.port }}"
      notifications_endpoints: "{{ registry_notifications_endpoints }}"
"""

RETURN = r"""
_value:
  description: Whether no other machine can read a notification credential from the debug server.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"registry_debug_protected": rule_test("registry_debug_protected")}
