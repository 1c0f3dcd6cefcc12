# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_rollout
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: Whether a registry's files and container must be replaced
description:
  - Compares the files the C(cosops.registry.registry) role wants in its configuration directory with the files there,
    and the fingerprint of the wanted container spec with the label of the live container.
  - The role uses it to decide whether a rollout (candidate, then the live container) is needed.
positional: live_files, config_dir, live_container, fingerprint
options:
  _input:
    description:
      - The wanted files, each a mapping of V(path) (relative to O(config_dir)), V(content) and V(present) (false for
        a file that must not exist).
    type: list
    elements: dict
    required: true
  live_files:
    description: The files in the configuration directory as M(ansible.builtin.find) reports them with checksums.
    type: list
    elements: dict
    required: true
  config_dir:
    description: The configuration directory, without a trailing slash, as the paths in O(live_files) start.
    type: str
    required: true
  live_container:
    description:
      - The live container as C(docker inspect) or C(podman inspect) shows it; empty when there is none.
    type: dict
    required: true
  fingerprint:
    description: The fingerprint of the wanted container spec.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Decide whether a rollout is needed
  ansible.builtin.set_fact:
    _registry_plan: >-
      {{ _registry_files | cosops.registry.registry_rollout(_registry_live_files.files, '/etc/docker/registry',
         _registry_live_container, _registry_fingerprint) }}
"""

RETURN = r"""
_value:
  description: What differs between the wanted and the live registry.
  type: dict
  contains:
    files_stale:
      description: A wanted file is missing or has other content, or a file that must not exist is there.
      type: bool
    files_obsolete:
      description: Absolute paths of the files that are there but must not exist.
      type: list
      elements: str
    spec_stale:
      description: The live container is missing or was created from another spec, so it must be recreated.
      type: bool
    running:
      description: The live container is running.
      type: bool
  sample:
    files_stale: true
    files_obsolete: [/etc/docker/registry/htpasswd]
    spec_stale: false
    running: true
"""

import hashlib

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.cosops.registry.plugins.plugin_utils.container import FINGERPRINT_LABEL


def files_stale(wanted: list[dict], checksums: dict[str, str], config_dir: str) -> bool:
    for file in wanted:
        path = f"{config_dir}/{file['path']}"
        if not boolean(file["present"]):
            if path in checksums:
                return True
        elif checksums.get(path) != hashlib.sha1(file["content"].encode("utf-8")).hexdigest():
            return True
    return False


def files_obsolete(wanted: list[dict], checksums: dict[str, str], config_dir: str) -> list[str]:
    absent = (f"{config_dir}/{file['path']}" for file in wanted if not boolean(file["present"]))
    return [path for path in absent if path in checksums]


def registry_rollout(wanted, live_files, config_dir, live_container, fingerprint) -> dict:
    checksums = {file["path"]: file["checksum"] for file in live_files}
    container = live_container or {}
    labels = (container.get("Config") or {}).get("Labels") or {}
    return {
        "files_stale": files_stale(wanted, checksums, config_dir),
        "files_obsolete": files_obsolete(wanted, checksums, config_dir),
        "spec_stale": labels.get(FINGERPRINT_LABEL, "") != fingerprint,
        "running": boolean((container.get("State") or {}).get("Running", False)),
    }


class FilterModule:
    def filters(self):
        return {"registry_rollout": registry_rollout}
