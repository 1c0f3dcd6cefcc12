# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_container_parameters
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The docker or podman module parameters that start a described registry container
description:
  - Turns a description from P(cosops.registry.registry_container#filter) into the parameters of
    M(community.docker.docker_container) or M(containers.podman.podman_container), whichever its C(engine) names,
    with C(state=started).
  - "docker takes ulimits as C(name:soft:hard) and runs with C(container_default_behavior: no_defaults); podman takes
    the healthcheck test as a string and the OCI runtime through C(cmd_args)."
options:
  _input:
    description: The container's description.
    type: dict
    required: true
  recreate:
    description: Recreate the container even when the engine sees no difference.
    type: bool
    default: false
  fingerprint:
    description:
      - The description's fingerprint (P(cosops.registry.registry_container_fingerprint#filter)), kept in the label
        C(org.cosops.registry.fingerprint) that P(cosops.registry.registry_rollout#filter) reads back; empty for no
        label (a candidate).
    type: str
    default: ""
seealso:
  - plugin: cosops.registry.registry_container
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Run the live container with docker
  community.docker.docker_container: >-
    {{ _registry_container | cosops.registry.registry_container_parameters(recreate=true, fingerprint=fingerprint) }}
"""

RETURN = r"""
_value:
  description: Module parameters.
  type: dict
  sample:
    state: started
    recreate: false
    container_default_behavior: no_defaults
    name: registry
    image: registry:3
    command: [serve, /etc/docker/registry/config.yml]
    network_mode: bridge
    published_ports: ["5000:5000"]
    volumes: ["/etc/docker/registry:/etc/docker/registry:ro"]
    env: {}
    ulimits: ["nofile:16384:16384"]
    restart_policy: unless-stopped
    labels: {org.cosops.registry.fingerprint: 3f0c...}
"""

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.cosops.registry.plugins.plugin_utils.container import engine_parameters


def registry_container_parameters(description: dict, recreate=False, fingerprint: str = "") -> dict:
    return engine_parameters(description, boolean(recreate), fingerprint)


class FilterModule:
    def filters(self):
        return {"registry_container_parameters": registry_container_parameters}
