# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_container_fingerprint
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The fingerprint of a described registry container
description:
  - The sha256 of a description from P(cosops.registry.registry_container#filter), its image taken by id (so a newly
    pulled image under the same tag counts) and its name left out.
  - Keys with empty values (V(""), V(0), empty lists and mappings) are left out, so a container option added later
    keeps the fingerprint of every container that does not use it.
  - The role labels the live container with it; P(cosops.registry.registry_rollout#filter) compares the label with a
    new fingerprint to decide whether the container must be recreated.
positional: image_id
options:
  _input:
    description: The container's description.
    type: dict
    required: true
  image_id:
    description: The id of the image the container would run.
    type: str
    required: true
seealso:
  - plugin: cosops.registry.registry_container
    plugin_type: filter
  - plugin: cosops.registry.registry_rollout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Fingerprint the live container
  ansible.builtin.set_fact:
    fingerprint: "{{ _registry_container | cosops.registry.registry_container_fingerprint(_registry_image_id) }}"
"""

RETURN = r"""
_value:
  description: 64 hexadecimal digits.
  type: str
  sample: 3f0c5e0d7c1f4b7e9a2b6d8e1c4f7a0b3d6e9f2c5a8b1e4d7f0a3c6b9e2d5f8a
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.container import fingerprint


def registry_container_fingerprint(description: dict, image_id: str) -> str:
    return fingerprint(description, image_id)


class FilterModule:
    def filters(self):
        return {"registry_container_fingerprint": registry_container_fingerprint}
