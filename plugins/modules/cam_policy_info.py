#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cam_policy_info
short_description: Facts about one CAM policy or a set of them, with their documents
version_added: 0.1.0
description:
  - Returns the id, description, documents and attachment count of one CAM policy by exact name, or of every custom or
    preset policy of the account (C(ListPolicies), C(GetPolicy)).
  - Only reads; never changes anything.
author: cosops.registry contributors (@cosops)
options:
  name:
    description:
      - One policy, by exact name (custom or preset). When not set, every policy of O(scope) is listed.
      - A policy that does not exist gives an empty RV(policies) list, not a failure.
    type: str
    aliases: [policy_name]
  scope:
    description:
      - Which policies to look at - V(custom) (made by the account), V(preset) (made by Tencent Cloud) or V(all).
      - Defaults to V(all) with O(name) and to V(custom) without it, as CAM has hundreds of preset policies.
    type: str
    choices: [all, custom, preset]
  documents:
    description:
      - Read each policy's document (C(GetPolicy), one request per policy).
    type: bool
    default: true
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes.info_module
seealso:
  - module: cosops.registry.cam_policy
  - module: cosops.registry.cam_user_info
"""

EXAMPLES = r"""
- name: The registry's policy and what it allows
  cosops.registry.cam_policy_info:
    name: registry-storage
  register: registry_policy

- name: Show the actions of its statements
  ansible.builtin.debug:
    msg: "{{ registry_policy.policies[0].document.statement | map(attribute='action') | list }}"

- name: Custom policies that no user, group or role uses
  cosops.registry.cam_policy_info:
    documents: false
  register: custom

- name: Show them
  ansible.builtin.debug:
    msg: "{{ custom.policies | selectattr('attachments', 'eq', 0) | map(attribute='name') | list }}"
"""

RETURN = r"""
policies:
  description: The policies found, sorted by name; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The policy name.
      type: str
      sample: registry-storage
    id:
      description: The policy id.
      type: int
      sample: 200000001
    description:
      description: The policy description.
      type: str
      sample: Registry storage in registry-1250000000/registry
    preset:
      description: Whether this is a preset policy, which cannot change.
      type: bool
      sample: false
    attachments:
      description: How many users, groups and roles the policy is attached to.
      type: int
      sample: 1
    create_time:
      description: When the policy was created.
      type: str
      sample: "2024-05-01 10:00:00"
    update_time:
      description: When the policy last changed.
      type: str
      sample: "2024-05-01 10:00:00"
    document:
      description: The policy document. With O(documents).
      type: dict
      sample:
        version: "2.0"
        statement:
          - effect: allow
            action: [name/cos:GetObject]
            resource: ["qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/registry/*"]
"""

from ansible_collections.cosops.registry.plugins.module_utils._cam import calls as cam
from ansible_collections.cosops.registry.plugins.module_utils._rules import cam_naming, policy_documents
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule

# The module's scope names, and ListPolicies' Scope values for them.
SCOPES = {"all": "All", "custom": "Local", "preset": "QCS"}


def read_policies(module: TencentCloudModule) -> list:
    """ListPolicies entries: the named policy, or every policy of the scope."""
    name = module.params["name"]
    if name is None:
        return cam.list_policies(module.cam, SCOPES[module.params["scope"] or "custom"])
    found = cam.find_policy(module.cam, name, SCOPES[module.params["scope"] or "all"])
    return [] if found is None else [found]


def describe(module: TencentCloudModule, listed: dict) -> dict:
    view = {
        "name": listed["PolicyName"],
        "id": int(listed["PolicyId"]),
        "description": listed.get("Description") or "",
        "preset": cam.is_preset(listed),
        "attachments": int(listed.get("AttachEntityCount") or 0),
        "create_time": listed.get("AddTime"),
        "update_time": listed.get("UpdateTime"),
    }
    if module.params["documents"]:
        view["document"] = policy_documents.stored_document(cam.get_policy(module.cam, view["id"])["PolicyDocument"])
    return view


def run(module: TencentCloudModule) -> dict:
    if module.params["name"] is not None:
        cam_naming.validate_policy_name(module.params["name"])
    policies = sorted(read_policies(module), key=lambda policy: policy["PolicyName"])
    return {"changed": False, "policies": [describe(module, policy) for policy in policies]}


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "name": {"type": "str", "aliases": ["policy_name"]},
            "scope": {"type": "str", "choices": list(SCOPES)},
            "documents": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
