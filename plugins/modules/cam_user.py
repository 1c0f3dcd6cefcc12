#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cam_user
short_description: Manage a CAM sub-user and the policies attached to it
version_added: 0.1.0
description:
  - Creates, updates and deletes a Tencent Cloud CAM sub-user, and attaches or detaches its policies.
  - New users are API-only, they cannot log in to the console. Their keys are managed with
    M(cosops.registry.cam_access_key).
author: cosops.registry contributors (@cosops)
options:
  name:
    description:
      - The user name, 1-64 characters of letters, digits and C(_+=,.@-).
    type: str
    required: true
  state:
    description:
      - V(present) creates the user or brings it in line with the options; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  remark:
    description:
      - A note on the user, at most 300 bytes. Left unchanged when not set.
    type: str
  policies:
    description:
      - Names of policies to attach, custom or preset (such as V(QcloudCOSReadOnlyAccess)).
      - Policies attached to the user but not listed are kept unless O(purge_policies=true).
      - Left unmanaged when not set.
    type: list
    elements: str
  purge_policies:
    description:
      - Detach every policy not listed in O(policies). With O(policies=[]), detaches all.
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), delete a user that still has access keys or attached policies; its keys are deleted
        and its policies detached first.
      - Without it, deleting such a user fails and names what remains.
    type: bool
    default: false
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes
seealso:
  - module: cosops.registry.cam_access_key
  - module: cosops.registry.cam_policy
"""

EXAMPLES = r"""
- name: Registry sub-user with its storage policy
  cosops.registry.cam_user:
    name: registry
    remark: Docker registry storage
    policies:
      - registry-storage

- name: Keep only the listed policies attached
  cosops.registry.cam_user:
    name: registry
    policies:
      - registry-storage
    purge_policies: true

- name: Delete the user together with its keys and attachments
  cosops.registry.cam_user:
    name: registry
    state: absent
    force: true
"""

RETURN = r"""
user:
  description: The user after the change; empty when it is absent.
  returned: always
  type: dict
  contains:
    name:
      description: The user name.
      type: str
      sample: registry
    uin:
      description: The user's UIN, which CAM calls identify the user by. Not known in check mode before creation.
      type: int
      sample: 100000010001
    uid:
      description: The user's UID. Not known in check mode before creation.
      type: int
      sample: 11000001
    remark:
      description: The note on the user.
      type: str
      sample: Docker registry storage
    policies:
      description: Names of the policies attached to the user, sorted.
      type: list
      elements: str
      sample: [registry-storage]
"""

from ansible_collections.cosops.registry.plugins.module_utils._cam import calls as cam
from ansible_collections.cosops.registry.plugins.module_utils._rules import cam_naming
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.retries import create_unique


def validate(params: dict) -> None:
    cam_naming.validate_user_name(params["name"])
    cam_naming.validate_description(params["remark"], "remark")
    for name in params["policies"] or []:
        cam_naming.validate_policy_name(name)


def create_user(module: TencentCloudModule) -> dict:
    """AddUser; after a transient failure the user is looked up by name before AddUser is sent again."""
    name = module.params["name"]
    params = {"Name": name, "Remark": module.params["remark"] or "", "ConsoleLogin": 0, "UseApi": 0}

    def add_user():
        module.cam.call("AddUser", params, idempotent=False)
        return cam.find_user(module.cam, name)

    return create_unique(add_user, lambda: cam.find_user(module.cam, name), module.connection.retries)


def resolve_policies(module: TencentCloudModule, names: list) -> dict:
    """Policy name -> id, failing on the first name that does not exist (in check mode: None, with a warning)."""
    ids = {}
    for name in names:
        policy = cam.find_policy(module.cam, name)
        if policy is not None:
            ids[name] = int(policy["PolicyId"])
        elif module.check_mode:
            # A whole playbook in check mode: the task that creates the policy has not really run.
            module.warn(f"Policy {name!r} does not exist; check mode assumes an earlier task creates it.")
            ids[name] = None
        else:
            raise ValidationError(f"Policy {name!r} does not exist; create it with cosops.registry.cam_policy first.")
    return ids


def sync_policies(module: TencentCloudModule, uin, attached: list) -> tuple[bool, list]:
    """Attach the listed policies (and detach others when purging); returns (changed, attached after)."""
    wanted = module.params["policies"]
    if wanted is None:
        return False, attached
    current = {policy["PolicyName"]: policy for policy in attached}
    to_attach = resolve_policies(module, [name for name in dict.fromkeys(wanted) if name not in current])
    to_detach = [name for name in current if name not in wanted] if module.params["purge_policies"] else []
    if not module.check_mode:
        for policy_id in to_attach.values():
            module.cam.call("AttachUserPolicy", {"PolicyId": policy_id, "AttachUin": int(uin)})
        for name in to_detach:
            module.cam.call("DetachUserPolicy", {"PolicyId": int(current[name]["PolicyId"]), "DetachUin": int(uin)})
    after = [policy for name, policy in current.items() if name not in to_detach]
    after += [{"PolicyName": name, "PolicyId": policy_id} for name, policy_id in to_attach.items()]
    return bool(to_attach or to_detach), after


def ensure_present(module: TencentCloudModule, user: dict | None, attached: list) -> tuple[bool, dict | None, list]:
    changed = False
    if user is None:
        changed = True
        if module.check_mode:
            user = {"Name": module.params["name"], "Remark": module.params["remark"] or ""}
        else:
            user = create_user(module)
    elif module.params["remark"] is not None and module.params["remark"] != (user.get("Remark") or ""):
        changed = True
        if not module.check_mode:
            module.cam.call("UpdateUser", {"Name": user["Name"], "Remark": module.params["remark"]})
        user = dict(user, Remark=module.params["remark"])
    policies_changed, attached = sync_policies(module, user.get("Uin"), attached)
    return changed or policies_changed, user, attached


def ensure_absent(module: TencentCloudModule, user: dict, attached: list) -> None:
    """Delete the user; one that still has keys or policies only with force, which removes them first."""
    keys = cam.list_access_keys(module.cam, user["Uin"])
    if (keys or attached) and not module.params["force"]:
        remains = []
        if keys:
            remains.append("access keys " + ", ".join(key["AccessKeyId"] for key in keys))
        if attached:
            remains.append("attached policies " + ", ".join(policy["PolicyName"] for policy in attached))
        raise ValidationError(
            f"User {user['Name']!r} still has {' and '.join(remains)}; remove them first or set force=true."
        )
    if module.check_mode:
        return
    for policy in attached:
        module.cam.call("DetachUserPolicy", {"PolicyId": int(policy["PolicyId"]), "DetachUin": int(user["Uin"])})
    module.cam.call("DeleteUser", {"Name": user["Name"], "Force": 1 if keys else 0})


def run(module: TencentCloudModule) -> dict:
    validate(module.params)
    user = cam.find_user(module.cam, module.params["name"])
    attached = cam.attached_policies(module.cam, user["Uin"]) if user else []
    before = cam.user_view(user, attached)
    if module.params["state"] == "absent":
        changed = user is not None
        if changed:
            ensure_absent(module, user, attached)
        after = {}
    else:
        changed, user, attached = ensure_present(module, user, attached)
        after = cam.user_view(user, attached)
    return module.resource_result(changed, "user", after, (before, after))


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "remark": {"type": "str"},
            "policies": {"type": "list", "elements": "str"},
            "purge_policies": {"type": "bool", "default": False},
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
