# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_metrics_report
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: What a registry replica's Prometheus metrics say, for a report
description:
  - Reads the Prometheus text a registry (distribution 3 or 2) serves on its debug server and the answer of its
    C(/debug/health), and sums what an operator looks at first since the replica started - requests and server
    errors (5xx), blob upload requests and the failed ones (5xx, or 400 and 404 refusing the upload's state), storage
    actions and the slowest on average, blob descriptor cache hits - and which health checks fail.
  - distribution counts no failed storage action in its metrics; the storage health check
    (C(health.storagedriver)) is where they show, so a failing health check makes the report not ok.
  - The C(cosops.registry.registry) role's C(metrics) entry point uses it, and C(playbooks/check.yml)
    prints its lines.
positional: health
options:
  _input:
    description:
      - The registered result of M(ansible.builtin.uri) reading the metrics with C(return_content) (C(status),
        C(content), C(url), C(msg)); any status but 200 means the metrics did not answer.
    type: dict
    required: true
  health:
    description:
      - The registered result of M(ansible.builtin.uri) reading C(/debug/health) on the same server, with
        C(return_content); omitted or unanswered, the report says the health checks are unknown.
    type: dict
seealso:
  - plugin: cosops.registry.registry_scrape_targets
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read the metrics
  ansible.builtin.uri:
    url: http://127.0.0.1:5002/metrics
    return_content: true
  register: metrics
  failed_when: false

- name: Read the health checks
  ansible.builtin.uri:
    url: http://127.0.0.1:5002/debug/health
    return_content: true
    status_code: [200, 503]
  register: health
  failed_when: false

- name: Show what they say
  ansible.builtin.debug:
    msg: "{{ (metrics | cosops.registry.registry_metrics_report(health)).lines }}"
"""

RETURN = r"""
_value:
  description: The replica's report.
  type: dict
  contains:
    ok:
      description: The metrics answered and no health check fails.
      type: bool
    answered:
      description: The metrics endpoint answered 200.
      type: bool
    url:
      description: The metrics URL read.
      type: str
    lines:
      description: The report in short lines, for people.
      type: list
      elements: str
    requests:
      description: HTTP requests answered since the start (absent when the metrics did not answer, as are the counts below).
      type: int
    server_errors:
      description: Requests answered with a 5xx status.
      type: int
    upload_requests:
      description: Requests to the blob upload handlers.
      type: int
    upload_failures:
      description: Upload requests answered 5xx, 400 or 404.
      type: int
    storage_actions:
      description: Storage driver actions (every action, failed ones included).
      type: int
    slowest_storage_action:
      description: The action with the longest mean time (V(action), V(mean_seconds), V(count)), or null.
      type: dict
    cache_lookups:
      description: Blob descriptor cache lookups.
      type: int
    cache_hit_ratio:
      description: Share of lookups the cache answered, or null without lookups.
      type: float
    started:
      description: When the registry process started, in UTC, or empty.
      type: str
    failing_checks:
      description: The failing health checks by name (for example V(storagedriver_s3)) with their errors.
      type: dict
  sample:
    ok: true
    answered: true
    url: http://127.0.0.1:5002/metrics
    requests: 1523
    server_errors: 2
    upload_requests: 96
    upload_failures: 1
    storage_actions: 4210
    slowest_storage_action: {action: Move, mean_seconds: 0.18, count: 32}
    cache_lookups: 310
    cache_hit_ratio: 0.71
    started: "2026-12-07 23:29:12 UTC"
    failing_checks: {}
    lines:
      - "requests: 1523 since 2026-12-07 23:29:12 UTC, 2 answered 5xx"
      - "blob uploads: 96 requests, 1 failed"
      - "storage: 4210 actions, slowest on average Move (180 ms over 32)"
      - "cache: 71% of 310 lookups hit"
      - "health checks: passing (storage reachable)"
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_metrics import metrics_report


def registry_metrics_report(metrics, health=None):
    return metrics_report(metrics, health)


class FilterModule:
    def filters(self):
        return {"registry_metrics_report": registry_metrics_report}
