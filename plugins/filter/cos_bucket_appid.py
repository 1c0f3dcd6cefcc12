# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cos_bucket_appid
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: The AppId a complete bucket name ends in
description:
  - Returns the 10-digit AppId at the end of a complete bucket name C(<name>-<appid>).
  - Refuses, in the modules' sentence, a value that is not a complete bucket name (see the test
    P(cosops.registry.cos_bucket_name#test)); P(cosops.registry.cos_qualified_bucket#filter) completes one.
options:
  _input:
    description: The complete bucket name, for example V(registry-1250000000).
    type: str
    required: true
seealso:
  - plugin: cosops.registry.cos_qualified_bucket
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The AppId of the bucket, for a policy's resources
  ansible.builtin.debug:
    msg: "{{ 'registry-1250000000' | cosops.registry.cos_bucket_appid }}"
"""

RETURN = r"""
_value:
  description: The AppId.
  type: str
  sample: "1250000000"
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import bucket_appid
from ansible_collections.cosops.registry.plugins.plugin_utils.rules import refusing


@refusing
def cos_bucket_appid(bucket) -> str:
    return bucket_appid(bucket)


class FilterModule:
    def filters(self):
        return {"cos_bucket_appid": cos_bucket_appid}
