# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_container
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The one description of the registry's container, from the role's settings
description:
  - Describes the container the C(cosops.registry.registry) role runs - engine, name, image, command, network,
    published ports, mounts, environment, secret environment, podman secrets, host entries, ulimits, memory, CPUs,
    healthcheck, restart policy and OCI runtime - in words of no engine.
  - The docker and podman tasks (P(cosops.registry.registry_container_parameters#filter)), the garbage-collect
    one-off container (P(cosops.registry.registry_container_argv#filter)) and the live container's fingerprint
    (P(cosops.registry.registry_container_fingerprint#filter)) are all read from it, so a new container option is one
    edit.
positional: purpose
options:
  _input:
    description:
      - The role's settings, keyed V(engine), V(image), V(name), V(config_dir), V(candidate_dir), V(container_dir),
        V(network_mode), V(bind_address), V(port), V(candidate_port), V(restart_policy), V(healthcheck), V(ulimits),
        V(memory), V(cpus), V(env), V(secret_env), V(secrets), V(etc_hosts), V(oci_runtime), V(metrics_bind_address)
        and V(metrics_port) (the role's C(_registry_container_settings); a V(metrics_port) of 0 or none publishes no
        debug server).
      - V(secret_env) maps variables to secret values (the storage key with C(registry_storage_secret_key_delivery=environment)),
        V(secrets) variables to the podman secrets that fill them (with C(secret)); secrets with the docker engine
        are an error, as docker keeps secrets in swarm mode only.
    type: dict
    required: true
  purpose:
    description:
      - V(live) describes the live container; V(candidate) the candidate that proves a new configuration first - the
        same spec named C(<name>-candidate), its files from O(_input.candidate_dir), published on
        C(127.0.0.1:<candidate_port>) in bridge mode, never restarted.
    type: str
    choices: [live, candidate]
    default: live
seealso:
  - plugin: cosops.registry.registry_container_parameters
    plugin_type: filter
  - plugin: cosops.registry.registry_container_argv
    plugin_type: filter
  - plugin: cosops.registry.registry_container_fingerprint
    plugin_type: filter
  - plugin: cosops.registry.registry_container_stdin
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Describe the live container and its candidate
  ansible.builtin.set_fact:
    live: "{{ _registry_container_settings | cosops.registry.registry_container }}"
    candidate: "{{ _registry_container_settings | cosops.registry.registry_container('candidate') }}"
"""

RETURN = r"""
_value:
  description: The container, in words of no engine.
  type: dict
  contains:
    engine:
      description: V(docker) or V(podman).
      type: str
    name:
      description: Container name.
      type: str
    image:
      description: Image reference.
      type: str
    command:
      description: Arguments to the image's entrypoint.
      type: list
      elements: str
    network:
      description: V(bridge) or V(host).
      type: str
    ports:
      description: >-
        Published ports as C([address:]port:5000), then the live container's debug server as
        C([metrics_address:]metrics_port:5001); empty in host mode.
      type: list
      elements: str
    mounts:
      description: Bind mounts as C(source:target:ro).
      type: list
      elements: str
    env:
      description: Environment.
      type: dict
    secret_env:
      description:
        - Environment whose values are secret; the engines' C(env) includes it, and a one-off container reads it from
          its stdin (P(cosops.registry.registry_container_stdin#filter)), never from its command line.
      type: dict
    secrets:
      description: podman secrets, each keyed by the environment variable it fills; empty with docker.
      type: dict
    etc_hosts:
      description: Host entries, each name mapped to its address.
      type: dict
    ulimits:
      description: Ulimits as C(name=soft:hard).
      type: list
      elements: str
    memory:
      description: Memory limit; empty for none.
      type: str
    cpus:
      description: CPU limit; 0 for none.
      type: float
    healthcheck:
      description: Healthcheck (C(test), C(interval), C(timeout), C(retries)); empty for none.
      type: dict
    restart_policy:
      description: Restart policy.
      type: str
    oci_runtime:
      description: OCI runtime podman runs it with; empty for podman's default (and always for docker).
      type: str
  sample:
    engine: docker
    name: registry
    image: registry:3
    command: [serve, /etc/docker/registry/config.yml]
    network: bridge
    ports: ["5000:5000"]
    mounts: ["/etc/docker/registry:/etc/docker/registry:ro"]
    env: {}
    secret_env: {}
    secrets: {}
    etc_hosts: {}
    ulimits: [nofile=16384:16384]
    memory: ""
    cpus: 0.0
    healthcheck: {}
    restart_policy: unless-stopped
    oci_runtime: ""
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.plugin_utils.container import describe


def registry_container(settings: dict, purpose: str = "live") -> dict:
    try:
        return describe(settings, purpose)
    except (KeyError, ValueError) as error:
        raise AnsibleFilterError(f"registry_container: {error}") from None


class FilterModule:
    def filters(self):
        return {"registry_container": registry_container}
