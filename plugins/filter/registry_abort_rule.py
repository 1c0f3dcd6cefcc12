# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_abort_rule
author: cosops.registry contributors (@cosops)
version_added: 0.1.0
short_description: The lifecycle rule that aborts a registry's abandoned multipart uploads
description:
  - Returns the lifecycle rule M(cosops.registry.cos_lifecycle) recommends when it is given a O(cosops.registry.cos_lifecycle#module:registry_root)
    and finds no rule that aborts incomplete multipart uploads under it, as an item of that module's
    O(cosops.registry.cos_lifecycle#module:rules).
  - The rule is enabled, has the id V(registry-abort-incomplete-uploads), and covers every key under the root
    directory. The root directory is checked by the rule of the test P(cosops.registry.registry_root#test), and the
    filter fails with that rule's sentence, so nothing is written for a root directory the registry would refuse.
positional: days
options:
  _input:
    description: The registry's C(rootdirectory), for example V(/registry); empty or V(/) for the whole bucket.
    type: str
    required: true
  days:
    description:
      - Days after which an incomplete upload is aborted. The default, 7, is the age at which the registry purges
        stale uploads itself.
    type: int
    default: 7
seealso:
  - module: cosops.registry.cos_lifecycle
"""

EXAMPLES = r"""
- name: Keep abandoned uploads from being stored and billed
  cosops.registry.cos_lifecycle:
    bucket: registry-1250000000
    registry_root: /registry
    rules:
      - "{{ '/registry' | cosops.registry.registry_abort_rule }}"
"""

RETURN = r"""
_value:
  description: One lifecycle rule in the form of M(cosops.registry.cos_lifecycle)'s O(cosops.registry.cos_lifecycle#module:rules).
  type: dict
  sample:
    id: registry-abort-incomplete-uploads
    status: enabled
    filter:
      prefix: registry/
      tags: {}
    abort_incomplete_multipart_upload_days: 7
"""

from ansible_collections.cosops.registry.plugins.module_utils._rules.lifecycle import (
    RECOMMENDED_ABORT_DAYS,
    recommended_abort_rule,
)
from ansible_collections.cosops.registry.plugins.plugin_utils.rules import refusing


@refusing
def registry_abort_rule(rootdirectory, days=RECOMMENDED_ABORT_DAYS):
    return recommended_abort_rule(rootdirectory, days)


class FilterModule:
    def filters(self):
        return {"registry_abort_rule": registry_abort_rule}
