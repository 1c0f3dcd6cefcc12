# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_scrape_targets
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Prometheus file_sd targets of registry replicas
description:
  - Turns the description of every registry replica into the target groups of Prometheus's C(file_sd_configs) for the
    two jobs the collection's rules (C(prometheus/registry-rules.yml)) expect - V(registry), the replica's metrics on
    its debug server, and V(registry-serving), the root path of its registry port, which answers 503 while the
    replica's storage health check fails.
  - Each group labels its target with C(instance), the replica's inventory name, so that the alerts of both jobs name
    the same instance; C(__metrics_path__) and C(__scheme__) are set per target.
  - A service bound to every address (empty, V(0.0.0.0), V(::)) is reached at the host's inventory address
    (C(ansible_host)); one bound to an address, at that address. Metrics bound to loopback are listed too and named
    in RV(_value.local_only), as only a Prometheus on that replica's own host reaches them.
  - C(playbooks/prometheus_targets.yml) writes the groups to files.
options:
  _input:
    description:
      - One description per replica, as the C(cosops.registry.registry) role's C(scrape_target) entry
        point sets it in C(registry_scrape_target) - C(instance), C(host), C(scheme), C(http_bind_address),
        C(http_port), C(metrics_enabled), C(metrics_bind_address), C(metrics_port), C(metrics_path).
    type: list
    elements: dict
    required: true
seealso:
  - plugin: cosops.registry.registry_metrics_report
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Write the targets of the registry job
  ansible.builtin.copy:
    dest: /etc/prometheus/file_sd/registry.yml
    content: >-
      {{ (groups['registry'] | map('extract', hostvars, 'registry_scrape_target')
          | cosops.registry.registry_scrape_targets).jobs['registry'] | to_nice_yaml }}
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The target groups by job, and the replicas whose metrics listen on loopback.
  type: dict
  contains:
    jobs:
      description: V(registry) and V(registry-serving), each a list of file_sd target groups (C(targets), C(labels)).
      type: dict
    local_only:
      description: Inventory names of the replicas whose metrics only their own host reaches.
      type: list
      elements: str
  sample:
    jobs:
      registry:
        - targets: ["10.0.0.5:5002"]
          labels: {instance: registry1, __metrics_path__: /metrics}
      registry-serving:
        - targets: ["10.0.0.5:5000"]
          labels: {instance: registry1, __scheme__: https, __metrics_path__: /}
    local_only: []
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_metrics import scrape_targets


def registry_scrape_targets(replicas):
    return scrape_targets(replicas)


class FilterModule:
    def filters(self):
        return {"registry_scrape_targets": registry_scrape_targets}
