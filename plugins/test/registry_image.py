# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_image
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: Whether the distribution generation of a registry image is known
description:
  - True when the image runs distribution 2 or 3 as far as the registry role can tell - the given version, else the
    major version of the image's tag; a tag without a version (V(registry:latest), no tag, a digest) is the current
    generation, 3, and only an explicit 2.x tag means 2 (see P(cosops.registry.registry_generation#filter)).
  - "C(value | cosops.registry.rule_violation('registry_image', version)) gives the sentence that refuses any other
    image, such as a tag of major version 4."
positional: version
options:
  _input:
    description: The image reference, for example V(registry:3).
    type: raw
    required: true
  version:
    description: The role's C(registry_distribution_version); empty reads the image's tag.
    type: str
    default: ""
seealso:
  - plugin: cosops.registry.registry_generation
    plugin_type: filter
  - plugin: cosops.registry.rule_violation
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse an image whose generation cannot be told
  ansible.builtin.assert:
    that: registry_image is cosops.registry.registry_image(registry_distribution_version)
    fail_msg: "{{ registry_image | cosops.registry.rule_violation('registry_image', registry_distribution_version) }}"
"""

RETURN = r"""
_value:
  description: True for an image of a known generation.
  type: bool
"""

from ansible_collections.cosops.registry.plugins.plugin_utils.rules import rule_test


class TestModule:
    def tests(self):
        return {"registry_image": rule_test("registry_image")}
