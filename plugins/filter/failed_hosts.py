# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: failed_hosts
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The hosts of a run that failed a step, from the facts each host kept
description:
  - Reads a fact of each host - a dotted path into its variables, such as V(_cosops_report.storage_ok) - and returns
    the hosts whose fact is not true. Booleans and their words count as Ansible reads them; any other value counts
    when it is not empty.
  - A host without the fact (the play failed there before it was set, or never reached it) fails too, unless
    O(missing_fails) is false - for a fact only hosts that tried something have.
  - "Given a mapping of fact paths to reasons, checks them in order and returns C(host: reason) for the first one each
    host fails, for a report that says why."
  - The playbooks decide with it which hosts failed their storage check, verification or rollback, and which did not
    answer.
positional: hostvars, checks
options:
  _input:
    description: The hosts, in the order the result keeps.
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars).
    type: dict
    required: true
  checks:
    description: One fact path, or a mapping of fact paths to reasons.
    type: raw
    required: true
  missing_fails:
    description: Whether a host without the fact fails.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Fail when a host's storage check failed
  ansible.builtin.assert:
    that: failed | length == 0
    fail_msg: "The storage check failed on {{ failed | join(', ') }}."
  vars:
    failed: "{{ ansible_play_hosts_all | cosops.registry.failed_hosts(hostvars, 'report.storage_ok') }}"

- name: Say why each host failed
  ansible.builtin.debug:
    msg: >-
      {{ groups['registry'] | cosops.registry.failed_hosts(hostvars,
         {'report': 'not checked', 'report.health_ok': 'unhealthy', 'report.storage_ok': 'storage'}) }}
"""

RETURN = r"""
_value:
  description: "The failed hosts' names, or C(host: reason) when O(checks) is a mapping."
  type: list
  elements: str
  sample: ["registry2.example.com: unhealthy"]
"""

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.cosops.registry.plugins.plugin_utils.hosts import failed_hosts as hosts_that_failed


def failed_hosts(hosts: list, hostvars, checks, missing_fails=True) -> list:
    return hosts_that_failed(hosts, hostvars, checks, boolean(missing_fails))


class FilterModule:
    def filters(self):
        return {"failed_hosts": failed_hosts}
