# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_redirect_verdict
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Whether a registry's clients can follow its redirects to COS
description:
  - Judges the fetches of a presigned URL (from M(cosops.registry.registry_redirect_probe)) that each client host made,
    against whether the registry redirects blob downloads.
  - A client that cannot fetch the URL fails every pull from a registry with redirects on, with its transport's own
    message; the verdict names redirects, the client, the host it must reach and what to do.
  - The C(cosops.registry.registry) role's C(redirect_check) entry point uses it.
positional: redirects, probe, fetches, path_style
options:
  _input:
    description: The client hosts that were to fetch the URL, in order.
    type: list
    elements: str
    required: true
  redirects:
    description: Whether the registry redirects blob downloads (C(storage.redirect.disable) is false).
    type: bool
    required: true
  probe:
    description:
      - The registered result of M(cosops.registry.registry_redirect_probe) with C(state=present) (its C(url), C(host)
        and C(body)); a skipped task's result when no probe was made.
    type: dict
    required: true
  fetches:
    description:
      - The C(results) of the M(ansible.builtin.uri) loop over the clients (C(item) the client, with C(return_content)),
        delegated to each client with C(failed_when) false and C(ignore_unreachable); empty when none ran.
    type: list
    elements: dict
    required: true
  path_style:
    description: The registry presigns path-style URLs (registry:2, or C(forcepathstyle)), which were not checked.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Keep the verdict
  ansible.builtin.set_fact:
    redirect_check: >-
      {{ groups['ci_runners'] | cosops.registry.registry_redirect_verdict(true, redirect_probe,
         fetched.results | default([])) }}
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    ok:
      description: False only when redirects are on and a client cannot fetch the URL.
      type: bool
    redirects:
      description: Whether the registry redirects blob downloads.
      type: bool
    host:
      description: The host the presigned URL names, which the clients must reach.
      type: str
    checked:
      description: Whether clients fetched the URL.
      type: bool
    clients:
      description: One entry per client with C(client), C(ok) and C(detail) (what went wrong, in a phrase).
      type: list
      elements: dict
    failures:
      description: The clients that could not fetch the URL.
      type: list
      elements: str
    summary:
      description: One line for people.
      type: str
  sample:
    ok: false
    redirects: true
    host: registry-1250000000.cos.ap-guangzhou.myqcloud.com
    checked: true
    clients:
      - {client: runner1, ok: true, detail: fetched the object}
      - {client: runner2, ok: false, detail: "Request failed: [Errno -2] Name or service not known"}
    failures: [runner2]
    summary: "redirects on, but runner2 (Request failed: ...) cannot fetch a presigned URL of
      registry-1250000000.cos.ap-guangzhou.myqcloud.com: pulls from them fail once the registry redirects blob
      downloads there. Make registry-1250000000.cos.ap-guangzhou.myqcloud.com reachable from them, or turn redirects
      off (registry_storage_redirect_disable: true)."
"""

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.cosops.registry.plugins.module_utils._rules.redirects import redirect_verdict


def registry_redirect_verdict(clients, redirects, probe, fetches, path_style=False) -> dict:
    return redirect_verdict(
        list(clients or []), boolean(redirects), dict(probe or {}), list(fetches or []), boolean(path_style)
    )


class FilterModule:
    def filters(self):
        return {"registry_redirect_verdict": registry_redirect_verdict}
