# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cos_qualified_bucket
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: A bucket's complete name, its C(-<appid>) added when missing
description:
  - Returns the complete bucket name C(<name>-<appid>) as the COS modules complete it. A name that already ends in a
    10-digit AppId is kept, any other gets C(-<appid>) appended, never twice.
  - Refuses, in the modules' sentence, a name that breaks the bucket rules, a name without an AppId when O(appid) is
    not given, and a name ending in an AppId other than O(appid).
  - M(cosops.registry.tencentcloud_caller_info) returns the account's AppId as RV(cosops.registry.tencentcloud_caller_info#module:app_id).
positional: appid, region
options:
  _input:
    description: The bucket name, for example V(registry) or V(registry-1250000000).
    type: str
    required: true
  appid:
    description:
      - The account's AppId, added to a name that lacks one.
      - May be V(null) when the name is complete.
    type: str
  region:
    description: The bucket's region; when given, the length of the bucket's host is checked too.
    type: str
seealso:
  - plugin: cosops.registry.cos_bucket_appid
    plugin_type: filter
  - plugin: cosops.registry.cos_bucket_option
    plugin_type: test
  - module: cosops.registry.tencentcloud_caller_info
"""

EXAMPLES = r"""
- name: Find the account's AppId only when the bucket's name lacks it
  cosops.registry.tencentcloud_caller_info:
  register: caller
  when: bucket is not cosops.registry.cos_bucket_name

- name: Use the complete name
  ansible.builtin.debug:
    msg: "{{ bucket | cosops.registry.cos_qualified_bucket(caller.app_id | default(none), region) }}"
"""

RETURN = r"""
_value:
  description: The complete bucket name.
  type: str
  sample: registry-1250000000
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import qualify_bucket
from ansible_collections.cosops.registry.plugins.plugin_utils.rules import refusing


@refusing
def cos_qualified_bucket(name, appid=None, region=None) -> str:
    return qualify_bucket(name, appid, region)[0]


class FilterModule:
    def filters(self):
        return {"cos_qualified_bucket": cos_qualified_bucket}
