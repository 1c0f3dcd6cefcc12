#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cam_policy
short_description: Manage a custom CAM policy
version_added: 0.1.0
description:
  - Creates, updates and deletes a custom Tencent Cloud CAM policy, found by its name.
  - Documents are compared by meaning, not by text. The order of statements, of actions and of resources, a single
    string versus a one-item list, and the case of keys and of C(effect) make no difference, so a re-run reports no
    change. A different document replaces the stored one.
  - Preset policies (such as V(QcloudCOSFullAccess)) can be attached with M(cosops.registry.cam_user) but not changed
    or deleted.
author: cosops.registry contributors (@cosops)
options:
  name:
    description:
      - The policy name, 1-128 characters of letters, digits and C(_+=,.@-).
    type: str
    required: true
  state:
    description:
      - V(present) creates the policy or updates it; V(absent) deletes it and detaches it from every user.
    type: str
    choices: [present, absent]
    default: present
  document:
    description:
      - The policy document, as a dictionary or a JSON string, with C(version) V(2.0) and a list of C(statement)
        entries, each with C(effect) (V(allow) or V(deny)), C(action), C(resource) and an optional C(condition).
      - The shape is checked before any call.
      - Required to create the policy; left unchanged when not set.
      - P(cosops.registry.registry_cam_policy#filter) builds the least-privilege document for a registry.
    type: json
  description:
    description:
      - A description of the policy, at most 300 bytes. Left unchanged when not set.
    type: str
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes
seealso:
  - module: cosops.registry.cam_user
  - plugin: cosops.registry.registry_cam_policy
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Least-privilege policy for the registry's storage
  cosops.registry.cam_policy:
    name: registry-storage
    description: Registry storage in registry-1250000000/registry
    document: "{{ 'registry-1250000000' | cosops.registry.registry_cam_policy('ap-guangzhou', '1250000000', 'registry') }}"

- name: A hand-written read-only policy
  cosops.registry.cam_policy:
    name: registry-readonly
    document:
      version: "2.0"
      statement:
        - effect: allow
          action:
            - name/cos:GetObject
            - name/cos:HeadObject
          resource: qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/registry/*

- name: Delete the policy
  cosops.registry.cam_policy:
    name: registry-readonly
    state: absent
"""

RETURN = r"""
policy:
  description: The policy after the change; empty when it is absent.
  returned: always
  type: dict
  contains:
    name:
      description: The policy name.
      type: str
      sample: registry-storage
    id:
      description: The policy id. Not known in check mode before creation.
      type: int
      sample: 200000001
    description:
      description: The policy description.
      type: str
      sample: Registry storage in registry-1250000000/registry
    document:
      description: The policy document.
      type: dict
      sample:
        version: "2.0"
        statement:
          - effect: allow
            action: [name/cos:GetObject]
            resource: ["qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/registry/*"]
    preset:
      description: Whether this is a preset policy, which cannot change.
      type: bool
      sample: false
"""

from ansible_collections.cosops.registry.plugins.module_utils._cam import calls as cam
from ansible_collections.cosops.registry.plugins.module_utils._rules import cam_naming, policy_documents
from ansible_collections.cosops.registry.plugins.module_utils._rules.policy_documents import policies_equal
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.retries import create_unique


def validate(params: dict) -> dict | None:
    """The wanted document as a dict (None when not managed), after checking every option."""
    cam_naming.validate_policy_name(params["name"])
    cam_naming.validate_description(params["description"], "description")
    if params["document"] is None:
        return None
    return policy_documents.validate_policy_document(params["document"])


def read_policy(module: TencentCloudModule) -> dict | None:
    """The policy's state in the shape the module returns, or None when there is no such policy."""
    found = cam.find_policy(module.cam, module.params["name"])
    if found is None:
        return None
    return cam.policy_view(found, cam.get_policy(module.cam, found["PolicyId"]))


def create_policy(module: TencentCloudModule, document: dict) -> int:
    """CreatePolicy; after a transient failure the policy is looked up by name before CreatePolicy is sent again."""
    name = module.params["name"]
    params = {"PolicyName": name, "PolicyDocument": policy_documents.policy_json(document), "Description": module.params["description"] or ""}

    def policy_id_by_name():
        found = cam.find_policy(module.cam, name)
        return None if found is None else int(found["PolicyId"])

    def create():
        return int(module.cam.call("CreatePolicy", params, idempotent=False)["PolicyId"])

    return create_unique(create, policy_id_by_name, module.connection.retries)


def changes_wanted(current: dict, document: dict | None, description: str | None) -> dict:
    """UpdatePolicy parameters for what differs (empty when nothing does)."""
    changes = {}
    if document is not None and not policies_equal(document, current["document"]):
        changes["PolicyDocument"] = policy_documents.policy_json(document)
    if description is not None and description != current["description"]:
        changes["Description"] = description
    return changes


def ensure_present(module: TencentCloudModule, current: dict | None, document: dict | None) -> tuple[bool, dict]:
    description = module.params["description"]
    if current is None:
        if document is None:
            raise ValidationError(f"Policy {module.params['name']!r} does not exist; set document to create it.")
        wanted = {"name": module.params["name"], "description": description or "", "document": document}
        policy_id = None if module.check_mode else create_policy(module, document)
        return True, dict(wanted, id=policy_id, preset=False)
    changes = changes_wanted(current, document, description)
    if not changes:
        return False, current
    if current["preset"]:
        raise ValidationError(f"Policy {current['name']!r} is a preset policy and cannot be changed.")
    if not module.check_mode:
        module.cam.call("UpdatePolicy", dict(changes, PolicyId=current["id"]))
    after = dict(current, document=document if "PolicyDocument" in changes else current["document"])
    if "Description" in changes:
        after["description"] = description
    return True, after


def ensure_absent(module: TencentCloudModule, current: dict) -> None:
    if current["preset"]:
        raise ValidationError(f"Policy {current['name']!r} is a preset policy and cannot be deleted.")
    if not module.check_mode:
        module.cam.call("DeletePolicy", {"PolicyId": [current["id"]]})


def diff_view(policy: dict | None) -> dict:
    if not policy:
        return {}
    return {"name": policy["name"], "description": policy["description"], "document": policy["document"]}


def run(module: TencentCloudModule) -> dict:
    document = validate(module.params)
    current = read_policy(module)
    if module.params["state"] == "absent":
        changed = current is not None
        if changed:
            ensure_absent(module, current)
        after = {}
    else:
        changed, after = ensure_present(module, current, document)
    return module.resource_result(changed, "policy", after, (diff_view(current), diff_view(after)))


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "document": {"type": "json"},
            "description": {"type": "str"},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
