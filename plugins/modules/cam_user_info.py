#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cam_user_info
short_description: Facts about one CAM sub-user or all of them, with their attached policies
version_added: 0.1.0
description:
  - Returns the name, UIN, UID, remark and attached policies of one CAM sub-user (C(GetUser)), or of every sub-user of
    the account (C(ListUsers)).
  - Only reads; never changes anything.
author: cosops.registry contributors (@cosops)
options:
  name:
    description:
      - One user, by name. When not set, every sub-user of the account is listed.
      - A user that does not exist gives an empty RV(users) list, not a failure.
    type: str
    aliases: [user_name]
  policies:
    description:
      - Read the names of the policies attached to each user (C(ListAttachedUserPolicies), one request per user and
        200 policies).
    type: bool
    default: true
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes.info_module
seealso:
  - module: cosops.registry.cam_user
  - module: cosops.registry.cam_access_key_info
"""

EXAMPLES = r"""
- name: The registry's sub-user and its policies
  cosops.registry.cam_user_info:
    name: registry
  register: registry_user

- name: Fail when the registry user has more than its own policy
  ansible.builtin.assert:
    that: registry_user.users[0].policies == ['registry-storage']

- name: Names of every sub-user
  cosops.registry.cam_user_info:
    policies: false
  register: all_users
"""

RETURN = r"""
users:
  description: The users found, sorted by name; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The user name.
      type: str
      sample: registry
    uin:
      description: The user's UIN.
      type: int
      sample: 100000010001
    uid:
      description: The user's UID.
      type: int
      sample: 11000001
    remark:
      description: The note on the user.
      type: str
      sample: Docker registry storage
    console_login:
      description: Whether the user may log in to the console.
      type: bool
      sample: false
    policies:
      description: Names of the policies attached to the user, sorted. With O(policies).
      type: list
      elements: str
      sample: [registry-storage]
"""

from ansible_collections.cosops.registry.plugins.module_utils._cam import calls as cam
from ansible_collections.cosops.registry.plugins.module_utils._rules import cam_naming
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def read_users(module: TencentCloudModule) -> list:
    """GetUser's fields for the named user, or ListUsers' for all of them."""
    name = module.params["name"]
    if name is None:
        return module.cam.call("ListUsers").get("Data") or []
    user = cam.find_user(module.cam, name)
    return [] if user is None else [user]


def describe(module: TencentCloudModule, user: dict) -> dict:
    attached = cam.attached_policies(module.cam, user["Uin"]) if module.params["policies"] else []
    view = dict(cam.user_view(user, attached), console_login=bool(int(user.get("ConsoleLogin") or 0)))
    if not module.params["policies"]:
        del view["policies"]
    return view


def run(module: TencentCloudModule) -> dict:
    if module.params["name"] is not None:
        cam_naming.validate_user_name(module.params["name"])
    users = sorted(read_users(module), key=lambda user: user["Name"])
    return {"changed": False, "users": [describe(module, user) for user in users]}


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "name": {"type": "str", "aliases": ["user_name"]},
            "policies": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
