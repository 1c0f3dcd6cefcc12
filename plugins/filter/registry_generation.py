# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_generation
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The distribution generation (2 or 3) a registry image runs
description:
  - The given version, else the major version of the image's tag (V(registry:2.8.3) is 2, V(registry:3.0.0) is 3).
  - A tag without a version - V(registry:latest), no tag, a digest - is the current generation, 3; only an explicit
    2.x tag means 2.
  - The registry role renders the configuration of that generation (C(forcepathstyle), redis C(addrs) only for 3).
  - An image of another major version fails with the sentence of the test P(cosops.registry.registry_image#test).
positional: version
options:
  _input:
    description: The image reference.
    type: str
    required: true
  version:
    description: The role's C(registry_distribution_version), V(2) or V(3); empty reads the image's tag.
    type: str
    default: ""
seealso:
  - plugin: cosops.registry.registry_image
    plugin_type: test
"""

EXAMPLES = r"""
- name: Tell the generation of the image
  ansible.builtin.debug:
    msg: "{{ 'registry:latest' | cosops.registry.registry_generation }}"  # 3
"""

RETURN = r"""
_value:
  description: V(2) or V(3).
  type: str
  sample: "3"
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_image import image_generation
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError


def registry_generation(image: str, version="") -> str:
    try:
        return image_generation(image, version)
    except ValidationError as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule:
    def filters(self):
        return {"registry_generation": registry_generation}
