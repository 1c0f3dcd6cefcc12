#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cam_access_key_info
short_description: The API keys of a CAM sub-user - ids, status, creation and last use, never a secret
version_added: 0.1.0
description:
  - Lists the API keys of a CAM sub-user (C(ListAccessKeys)) with the day each was last used (C(GetSecurityLastUsed)).
  - CAM shows a key's secret only when the key is created, so no secret is ever returned; see
    M(cosops.registry.cam_access_key) to create and rotate keys.
  - Only reads; never changes anything.
author: cosops.registry contributors (@cosops)
options:
  user_name:
    description:
      - Name of the sub-user whose keys are listed.
      - Exactly one of O(user_name) and O(user_uin) is required.
    type: str
    aliases: [name]
  user_uin:
    description:
      - UIN of the sub-user whose keys are listed.
    type: int
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes.info_module
notes:
  - A user that does not exist fails the task, naming the user.
seealso:
  - module: cosops.registry.cam_access_key
  - module: cosops.registry.cam_user_info
"""

EXAMPLES = r"""
- name: The registry user's keys
  cosops.registry.cam_access_key_info:
    user_name: registry
  register: registry_keys

- name: Fail when the user still has a key that is switched off
  ansible.builtin.assert:
    that: registry_keys.access_keys | rejectattr('status', 'eq', 'Active') | list | length == 0
    fail_msg: Delete the inactive key with cosops.registry.cam_access_key (state=absent).

- name: Keys that were never used
  ansible.builtin.debug:
    msg: "{{ registry_keys.access_keys | rejectattr('last_used_date') | map(attribute='access_key_id') | list }}"
"""

RETURN = r"""
access_keys:
  description: The user's keys, oldest first; never a secret.
  returned: always
  type: list
  elements: dict
  contains:
    access_key_id:
      description: The key id (SecretId).
      type: str
      sample: AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE
    status:
      description: V(Active) or V(Inactive).
      type: str
      sample: Active
    create_time:
      description: When the key was created.
      type: str
      sample: "2024-05-01 10:00:00"
    last_used_date:
      description: The day the key was last used (as CAM reports it, up to a day late), or null when never.
      type: str
      sample: "2024-05-02"
    description:
      description: The key's description.
      type: str
      sample: registry storage
user:
  description: The user the keys belong to.
  returned: always
  type: dict
  contains:
    name:
      description: The user name.
      type: str
      sample: registry
    uin:
      description: The user's UIN.
      type: int
      sample: 100000010001
"""

from ansible_collections.cosops.registry.plugins.module_utils._cam import calls as cam
from ansible_collections.cosops.registry.plugins.module_utils._rules import cam_naming
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def validate(params: dict) -> None:
    if params["user_name"] is not None:
        cam_naming.validate_user_name(params["user_name"])
    else:
        cam_naming.validate_uin(params["user_uin"])


def run(module: TencentCloudModule) -> dict:
    validate(module.params)
    user, missing = cam.find_key_owner(module.cam, module.params["user_name"], module.params["user_uin"])
    if user is None:
        raise ValidationError(missing)
    keys = cam.list_access_keys(module.cam, int(user["Uin"]))
    last_used = cam.keys_last_used(module.cam, [key["AccessKeyId"] for key in keys])
    return {
        "changed": False,
        "user": {"name": user["Name"], "uin": int(user["Uin"])},
        "access_keys": [cam.key_view(key, last_used) for key in keys],
    }


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "user_name": {"type": "str", "aliases": ["name"]},
            "user_uin": {"type": "int"},
        },
        mutually_exclusive=[("user_name", "user_uin")],
        required_one_of=[("user_name", "user_uin")],
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
