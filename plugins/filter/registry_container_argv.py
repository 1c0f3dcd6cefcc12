# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_container_argv
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The command line of a one-off container like a described registry container
description:
  - "Returns C(<engine> run --rm ...) for a one-off container with the network, mounts, environment, host entries,
    ulimits and OCI runtime of a description from P(cosops.registry.registry_container#filter), running the image with
    other arguments - C(garbage-collect) for the role's garbage_collect entry point."
  - Published ports, restart policy, healthcheck and limits of memory and CPUs are the long-running container's own
    and are left out.
  - The environment is on the command line, so run it with C(no_log) when the environment may carry secrets.
  - The description's C(secret_env) is not on it; the command line reads it as an env-file from its stdin
    (C(--env-file=/dev/stdin)), so give the command P(cosops.registry.registry_container_stdin#filter) as its stdin.
    Its C(secrets) are passed by name (C(--secret)).
positional: command
options:
  _input:
    description: The container's description.
    type: dict
    required: true
  command:
    description: Arguments to the image's entrypoint.
    type: list
    elements: str
    required: true
seealso:
  - plugin: cosops.registry.registry_container
    plugin_type: filter
  - plugin: cosops.registry.registry_container_stdin
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Run garbage-collect in a one-off container
  ansible.builtin.command:
    argv: "{{ _registry_container | cosops.registry.registry_container_argv(['garbage-collect', '/etc/docker/registry/config.yml']) }}"
  changed_when: false
"""

RETURN = r"""
_value:
  description: The argv.
  type: list
  elements: str
  sample: [docker, run, --rm, --network=host, "--volume=/etc/docker/registry:/etc/docker/registry:ro",
           "--ulimit=nofile=16384:16384", "registry:3", garbage-collect, /etc/docker/registry/config.yml]
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.container import run_argv


def registry_container_argv(description: dict, command: list) -> list:
    return run_argv(description, [str(argument) for argument in command])


class FilterModule:
    def filters(self):
        return {"registry_container_argv": registry_container_argv}
