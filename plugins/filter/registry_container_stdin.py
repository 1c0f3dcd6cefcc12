# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_container_stdin
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: What the command line of a one-off registry container reads on its stdin
description:
  - The C(secret_env) of a description from P(cosops.registry.registry_container#filter) as an env-file, one
    C(NAME=value) a line, for the stdin of the command P(cosops.registry.registry_container_argv#filter) gives, which
    reads it with C(--env-file=/dev/stdin). Secret values so stay off the command line and the process list.
  - Empty when the description has no secret environment.
options:
  _input:
    description: The container's description.
    type: dict
    required: true
seealso:
  - plugin: cosops.registry.registry_container
    plugin_type: filter
  - plugin: cosops.registry.registry_container_argv
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Run garbage-collect in a one-off container, its secrets on stdin
  ansible.builtin.command:
    argv: "{{ _registry_container | cosops.registry.registry_container_argv(['garbage-collect', '/etc/docker/registry/config.yml']) }}"
    stdin: "{{ (_registry_container | cosops.registry.registry_container_stdin) or omit }}"
  changed_when: false
  no_log: true
"""

RETURN = r"""
_value:
  description: The env-file, without a final newline.
  type: str
  sample: REGISTRY_STORAGE_S3_SECRETKEY=...
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.container import run_stdin


def registry_container_stdin(description: dict) -> str:
    return run_stdin(description)


class FilterModule:
    def filters(self):
        return {"registry_container_stdin": registry_container_stdin}
