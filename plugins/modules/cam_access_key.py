#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cam_access_key
short_description: Manage the API keys of a CAM sub-user, with safe rotation
version_added: 0.1.0
description:
  - Ensures a CAM sub-user has an active API key, rotates it, deactivates or deletes a key.
  - Without O(id) and O(rotate), a key is created only when the user has no active key, so re-runs never mint keys.
  - O(rotate=true) always creates a new key and leaves the previous one active, so that services can move to the new
    key before the old one is deactivated or deleted in a later task.
  - The secret of a key is only known when the key is created. It is returned once, in RV(secret_access_key), and
    optionally written to O(secret_file). Use C(no_log=true) on tasks that may create a key.
author: cosops.registry contributors (@cosops)
options:
  user_name:
    description:
      - Name of the sub-user whose keys are managed.
      - Exactly one of O(user_name) and O(user_uin) is required.
    type: str
  user_uin:
    description:
      - UIN of the sub-user whose keys are managed.
    type: int
  state:
    description:
      - V(present) ensures a key exists (see O(rotate) and O(id)); V(absent) deletes the key O(id).
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - The id of an existing key (C(AKID...)) to deactivate, reactivate (O(active)) or delete (O(state=absent)).
      - Deleting a key that does not exist reports no change. A key that does not belong to the user is refused.
    type: str
    aliases: [access_key_id]
  active:
    description:
      - Whether the key O(id) is active. An inactive key is refused by every Tencent Cloud API until reactivated.
      - Left unchanged when not set. Requires O(id).
    type: bool
  rotate:
    description:
      - Create a new key even when the user already has one; the previous key stays as it is.
      - A user has at most two keys. When it already has two, the oldest inactive one is deleted first; when both are
        active, rotation is refused, because deleting an active key could break a running service.
      - Reports a change on every run. Cannot be used with O(id).
    type: bool
    default: false
  description:
    description:
      - Description of a key this task creates, at most 300 bytes.
    type: str
  secret_file:
    description:
      - Where to write the id and secret of a key this task creates, as YAML (C(secret_id) and C(secret_key)) with
        mode C(0600), replacing the file atomically.
      - Written only when a key is created; when no key is created the file is left untouched.
      - If the file cannot be written, the new key is deleted again and the task fails.
      - The directory must exist (in check mode it is not looked at, as an earlier task may create it). Cannot be
        used with O(id).
    type: path
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes
notes:
  - Neither the diff nor any message ever contains a secret.
  - Ansible masks the values of C(no_log) options, not secrets a module returns. RV(secret_access_key) is in the
    task's result when a key is created, so set C(no_log=true) on the task, or the secret is printed with C(-v) and
    stored by callbacks.
  - When the answer to C(CreateAccessKey) is lost (a dropped connection), the module looks for a key it did not
    ask for, deletes it because its secret was never seen, and creates the key again, so the user never ends up with
    an extra key.
seealso:
  - module: cosops.registry.cam_user
"""

EXAMPLES = r"""
- name: Ensure the registry user has a key, keeping its secret in a file only root can read
  cosops.registry.cam_access_key:
    user_name: registry
    secret_file: /etc/docker/registry/cam-key.yml
  register: registry_key
  no_log: true

- name: Rotate - create a second key, the first one keeps working
  cosops.registry.cam_access_key:
    user_name: registry
    rotate: true
    secret_file: /etc/docker/registry/cam-key.yml
  register: rotated
  no_log: true

- name: After every registry uses the new key, deactivate the previous one
  cosops.registry.cam_access_key:
    user_name: registry
    id: "{{ rotated.previous_access_key_id }}"
    active: false

- name: And later delete it
  cosops.registry.cam_access_key:
    user_name: registry
    id: "{{ rotated.previous_access_key_id }}"
    state: absent
"""

RETURN = r"""
access_key:
  description:
    - The key the task is about, without its secret; empty after O(state=absent).
    - When the user has several active keys and no O(id) is given, the newest active key.
  returned: always
  type: dict
  contains:
    access_key_id:
      description: The key id (SecretId). Not known in check mode before creation.
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
secret_access_key:
  description:
    - The secret (SecretKey) of the key this task created. CAM shows it only at creation, never again.
    - Sensitive. Set C(no_log=true) on the task.
  returned: when a key was created, not in check mode
  type: str
  sample: Gu5t9xGARNpq86cd98joQYCN3EXAMPLE
previous_access_key_id:
  description: With O(rotate=true), the key that was newest before the rotation, which stays as it was.
  returned: when a key was rotated and the user had a key before
  type: str
  sample: AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE
deleted_access_key_id:
  description: The key this task deleted, the O(id) with O(state=absent) or the inactive key a rotation replaced.
  returned: when a key was deleted
  type: str
  sample: AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE
"""

import os
import tempfile
from json import dumps

from ansible_collections.cosops.registry.plugins.module_utils._cam import calls as cam
from ansible_collections.cosops.registry.plugins.module_utils._rules import cam_naming
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.retries import create_unique

ACTIVE = "Active"
INACTIVE = "Inactive"
MAX_KEYS = 2


def validate(params: dict, check_mode: bool = False) -> None:
    if params["user_name"] is not None:
        cam_naming.validate_user_name(params["user_name"])
    else:
        cam_naming.validate_uin(params["user_uin"])
    if params["id"] is not None:
        cam_naming.validate_access_key_id(params["id"])
        if params["rotate"]:
            raise ValidationError("rotate creates a new key and cannot be used with id; remove one of them.")
        if params["secret_file"]:
            raise ValidationError("secret_file is written only when a key is created and cannot be used with id.")
    if params["state"] == "absent" and (params["rotate"] or params["active"] is not None):
        raise ValidationError("state=absent deletes the key id; rotate and active cannot be used with it.")
    cam_naming.validate_description(params["description"], "description")
    # In check mode an earlier task may only have pretended to create the directory; nothing is written there.
    if params["secret_file"] and not check_mode:
        directory = os.path.dirname(os.path.abspath(params["secret_file"]))
        if not os.path.isdir(directory):
            raise ValidationError(f"secret_file directory {directory!r} does not exist.")


def resolve_user(module: TencentCloudModule) -> dict:
    """GetUser's fields for the user the keys belong to; in check mode a user still to be created has no UIN."""
    user, missing = cam.find_key_owner(module.cam, module.params["user_name"], module.params["user_uin"])
    if user is not None:
        return user
    if module.check_mode and module.params["state"] == "present" and module.params["id"] is None:
        # A whole playbook in check mode: the task that creates the user has not really run.
        module.warn(f"{missing} Check mode assumes an earlier task creates it.")
        return {"Name": module.params["user_name"] or str(module.params["user_uin"]), "Uin": None}
    raise ValidationError(f"{missing} Create it with cosops.registry.cam_user first.")


def newest_active(keys: list) -> dict | None:
    active = [key for key in keys if key["Status"] == ACTIVE]
    return active[-1] if active else None


def key_ids(keys: list) -> list:
    return [key["AccessKeyId"] for key in keys]


def delete_key(module: TencentCloudModule, uin: int, key_id: str) -> None:
    module.cam.call("DeleteAccessKey", {"AccessKeyId": key_id, "TargetUin": int(uin)})


def create_key(module: TencentCloudModule, uin: int, known: list) -> dict:
    """CreateAccessKey, never leaving behind a key whose secret we did not see.

    After a failure the server may have acted on, any key not in `known` was made by a create whose answer (and so
    whose secret) was lost: it is deleted, and create_unique sends the create again.
    """
    params = {"TargetUin": int(uin), "Description": module.params["description"] or ""}

    def create() -> dict:
        return module.cam.call("CreateAccessKey", params, idempotent=False)["AccessKey"]

    def delete_unseen_keys() -> None:
        for key_id in key_ids(cam.list_access_keys(module.cam, uin)):
            if key_id not in known:
                delete_key(module, uin, key_id)

    return create_unique(create, delete_unseen_keys, module.connection.retries)


def write_secret_file(path: str, key: dict) -> None:
    """YAML with the new key, mode 0600 from the start, swapped in atomically."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".cam-key-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            # JSON strings are valid YAML scalars and quote whatever the secret contains.
            stream.write(f"secret_id: {dumps(key['AccessKeyId'])}\nsecret_key: {dumps(key['SecretAccessKey'])}\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError:
        os.unlink(temporary)
        raise


def deliver_new_key(module: TencentCloudModule, uin: int, known: list, result: dict) -> dict:
    """Create a key, hand its secret to the result (and secret_file); returns the key without its secret."""
    result["changed"] = True
    if module.check_mode:
        return {"Status": ACTIVE, "Description": module.params["description"] or ""}
    created = create_key(module, uin, known)
    if module.params["secret_file"]:
        try:
            write_secret_file(module.params["secret_file"], created)
        except OSError as error:
            delete_key(module, uin, created["AccessKeyId"])
            raise ValidationError(
                f"secret_file {module.params['secret_file']!r} could not be written ({error.strerror}); "
                "the new key was deleted again."
            ) from None
    result["secret_access_key"] = created["SecretAccessKey"]
    return {name: value for name, value in created.items() if name != "SecretAccessKey"}


def ensure_key(module: TencentCloudModule, user: dict, keys: list, result: dict) -> dict | None:
    """One active key: the newest active one, or a new one when there is none."""
    current = newest_active(keys)
    if current is not None:
        return current
    if len(keys) >= MAX_KEYS:
        raise ValidationError(
            f"User {user['Name']!r} has no active key and already {len(keys)} inactive keys "
            f"({', '.join(key_ids(keys))}); reactivate one (active=true) or delete one (state=absent)."
        )
    return deliver_new_key(module, user["Uin"], key_ids(keys), result)


def rotate_key(module: TencentCloudModule, user: dict, keys: list, result: dict) -> dict:
    """A new key beside the current one; with two keys already, the oldest inactive one makes room."""
    uin = user["Uin"]
    if len(keys) >= MAX_KEYS:
        inactive = [key for key in keys if key["Status"] != ACTIVE]
        if not inactive:
            raise ValidationError(
                f"User {user['Name']!r} already has {len(keys)} active keys ({', '.join(key_ids(keys))}); "
                "deactivate the one no service uses (active=false) before rotating."
            )
        evicted = inactive[0]["AccessKeyId"]
        if not module.check_mode:
            delete_key(module, uin, evicted)
        result["deleted_access_key_id"] = evicted
        keys = [key for key in keys if key["AccessKeyId"] != evicted]
    previous = newest_active(keys) or (keys[-1] if keys else None)
    if previous is not None:
        result["previous_access_key_id"] = previous["AccessKeyId"]
    return deliver_new_key(module, uin, key_ids(keys), result)


def find_key(keys: list, key_id: str) -> dict | None:
    return next((key for key in keys if key["AccessKeyId"] == key_id), None)


def set_status(module: TencentCloudModule, user: dict, keys: list, result: dict) -> dict:
    key = find_key(keys, module.params["id"])
    if key is None:
        raise ValidationError(f"Access key {module.params['id']!r} does not belong to user {user['Name']!r}.")
    wanted = module.params["active"]
    if wanted is None or (key["Status"] == ACTIVE) == wanted:
        return key
    status = ACTIVE if wanted else INACTIVE
    result["changed"] = True
    if not module.check_mode:
        module.cam.call(
            "UpdateAccessKey", {"AccessKeyId": key["AccessKeyId"], "Status": status, "TargetUin": int(user["Uin"])}
        )
    return dict(key, Status=status)


def remove_key(module: TencentCloudModule, user: dict, keys: list, result: dict) -> None:
    """Delete the key id; one that is already gone is no change."""
    key = find_key(keys, module.params["id"])
    if key is None:
        return
    result["changed"] = True
    result["deleted_access_key_id"] = key["AccessKeyId"]
    if not module.check_mode:
        delete_key(module, user["Uin"], key["AccessKeyId"])


def key_listing(keys: list) -> dict:
    """What the diff shows: ids and statuses, never a secret."""
    return {"access_keys": [{"access_key_id": key["AccessKeyId"], "status": key["Status"]} for key in keys]}


def after_listing(keys: list, result: dict, key: dict | None) -> list:
    """The keys after the task: the deleted one gone, the one worked on (possibly new, id unknown) in its new state."""
    key_id = key.get("AccessKeyId") if key else None
    gone = (result.get("deleted_access_key_id"), key_id)
    remaining = [entry for entry in keys if entry["AccessKeyId"] not in gone]
    return remaining + ([dict(key, AccessKeyId=key_id or "(new key)")] if key else [])


def run(module: TencentCloudModule) -> dict:
    validate(module.params, module.check_mode)
    user = resolve_user(module)
    keys = cam.list_access_keys(module.cam, int(user["Uin"])) if user["Uin"] is not None else []
    result = {"changed": False}
    key = None
    if module.params["state"] == "absent":
        remove_key(module, user, keys, result)
    elif module.params["id"] is not None:
        key = set_status(module, user, keys, result)
    elif module.params["rotate"]:
        key = rotate_key(module, user, keys, result)
    else:
        key = ensure_key(module, user, keys, result)
    known = key and key.get("AccessKeyId") and "secret_access_key" not in result
    result["access_key"] = cam.key_view(key, cam.keys_last_used(module.cam, [key["AccessKeyId"]]) if known else None)
    if module._diff:
        result["diff"] = {"before": key_listing(keys), "after": key_listing(after_listing(keys, result, key))}
    return result


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "user_name": {"type": "str"},
            "user_uin": {"type": "int"},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "id": {"type": "str", "aliases": ["access_key_id"]},
            "active": {"type": "bool"},
            "rotate": {"type": "bool", "default": False},
            "description": {"type": "str"},
            "secret_file": {"type": "path"},
        },
        mutually_exclusive=[("user_name", "user_uin")],
        required_one_of=[("user_name", "user_uin")],
        required_if=[("state", "absent", ("id",))],
        required_by={"active": "id"},
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
