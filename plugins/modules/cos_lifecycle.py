#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cos_lifecycle
short_description: Manage the lifecycle rules of a COS bucket, with rules that keep a Docker registry readable
version_added: 0.1.0
description:
  - Adds, changes and removes the lifecycle rules of a Tencent Cloud COS bucket.
  - Rules are matched by O(rules[].id). With O(purge_rules=false) (the default) rules not given are kept; with
    O(purge_rules=true) the bucket ends up with exactly the given rules.
  - Both the given and the current rules are normalised before comparing (defaults, order of keys, rules and
    transitions, days given as strings, dates in any ISO 8601 form), so a re-run reports no change and only reads.
  - With O(registry_root), rules that would delete or freeze the registry's data are refused, and a missing rule that
    aborts incomplete multipart uploads is pointed out. See C(docs/lifecycle-safety.md) in the collection.
  - A bucket that exists in another region than O(region) fails the task with the region to set, found in the
    account's bucket list (C(GET Service)).
  - In check mode a bucket that does not exist yet (because an earlier task in check mode only pretended to create
    it) is taken as having no rules, with a warning; outside check mode a missing bucket fails the task.
author: cosops.registry contributors (@cosops)
options:
  bucket:
    description:
      - The bucket, C(<name>-<appid>); the account's AppId is appended when missing.
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - V(present) adds or changes the given rules.
      - V(absent) removes the rules whose ids are given in O(rules) (other suboptions are ignored), or the whole
        lifecycle configuration when O(rules) is not given.
    type: str
    choices: [present, absent]
    default: present
  rules:
    description:
      - Lifecycle rules, at most 1000 in the bucket, each with a unique O(rules[].id).
      - Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      id:
        description: Unique name of the rule, at most 255 characters.
        type: str
        required: true
      status:
        description: Whether COS applies the rule.
        type: str
        choices: [enabled, disabled]
        default: enabled
      filter:
        description:
          - Objects the rule applies to. Without a filter the rule applies to the whole bucket.
        type: dict
        suboptions:
          prefix:
            description: Key prefix of the objects, such as V(logs/).
            type: str
          tags:
            description: Object tags the objects must all carry.
            type: dict
      expiration:
        description:
          - When current object versions expire. Give exactly one of the suboptions.
          - Days and dates may not be mixed within one rule (expiration and transitions).
        type: dict
        suboptions:
          days:
            description: Days after creation, greater than 0.
            type: int
          date:
            description:
              - Date, V(YYYY-MM-DD) or ISO 8601; COS applies it at midnight China Standard Time (UTC+8).
            type: str
          expired_object_delete_marker:
            description: Remove delete markers that no longer have any version behind them.
            type: bool
      transitions:
        description: Moves of current object versions to another storage class.
        type: list
        elements: dict
        suboptions:
          days:
            description:
              - Days after creation, greater than 0.
              - Give either O(rules[].transitions[].days) or O(rules[].transitions[].date).
            type: int
          date:
            description: Date, V(YYYY-MM-DD) or ISO 8601.
            type: str
          storage_class:
            description: Target storage class.
            type: str
            required: true
            choices: [STANDARD_IA, ARCHIVE, DEEP_ARCHIVE, INTELLIGENT_TIERING, MAZ_STANDARD_IA, MAZ_INTELLIGENT_TIERING]
      noncurrent_version_expiration_days:
        description: Days after an object version becomes noncurrent until it is deleted.
        type: int
      noncurrent_version_transitions:
        description: Moves of noncurrent object versions to another storage class.
        type: list
        elements: dict
        suboptions:
          days:
            description: Days after the version becomes noncurrent, greater than 0.
            type: int
            required: true
          storage_class:
            description: Target storage class.
            type: str
            required: true
            choices: [STANDARD_IA, ARCHIVE, DEEP_ARCHIVE, INTELLIGENT_TIERING, MAZ_STANDARD_IA, MAZ_INTELLIGENT_TIERING]
      abort_incomplete_multipart_upload_days:
        description:
          - Days after which incomplete multipart uploads are aborted and their parts deleted.
          - Not allowed together with a tag filter.
        type: int
  purge_rules:
    description:
      - Remove the bucket's rules that O(rules) does not name.
    type: bool
    default: false
  registry_root:
    description:
      - The Docker registry's storage C(rootdirectory) in this bucket, such as V(/registry); V(/) for the bucket root.
      - It must keep the registry's root directory rule, the test P(cosops.registry.registry_root#test), that is names
        of letters, digits, C(.), C(_) and C(-) separated by C(/), without empty, C(.) or C(..) parts. Any other value
        is refused before the bucket is read.
      - A given rule whose filter reaches C(<root>/docker/registry/v2/) and expires objects, or moves them to
        V(ARCHIVE) or V(DEEP_ARCHIVE), is refused; images would break because blobs that tags still point at would
        be deleted or unreadable until restored. Rules filtered by tags never reach registry objects, which carry
        none. Moves to V(STANDARD_IA) or V(INTELLIGENT_TIERING) stay readable and are allowed.
      - When no enabled rule aborts incomplete multipart uploads under the root, the module warns and returns
        RV(recommended_rule).
    type: str
  allow_unsafe_registry_rules:
    description:
      - Apply rules that O(registry_root) would refuse; a warning still names them.
    type: bool
    default: false
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes
notes:
  - COS applies lifecycle rules about once a day; a new rule does not act at once.
seealso:
  - module: cosops.registry.cos_bucket
  - module: cosops.registry.cos_bucket_info
"""

EXAMPLES = r"""
- name: Registry bucket rules, checked against the registry's root directory
  cosops.registry.cos_lifecycle:
    bucket: registry
    region: ap-guangzhou
    registry_root: /registry
    rules:
      - id: registry-abort-incomplete-uploads
        filter:
          prefix: registry/
        abort_incomplete_multipart_upload_days: 7
      - id: registry-old-versions
        filter:
          prefix: registry/
        noncurrent_version_expiration_days: 30
      - id: registry-cheaper-storage
        filter:
          prefix: registry/docker/registry/v2/blobs/
        transitions:
          - days: 90
            storage_class: STANDARD_IA

- name: Expire and archive logs next to the registry, keeping every other rule
  cosops.registry.cos_lifecycle:
    bucket: registry-1250000000
    region: ap-guangzhou
    registry_root: /registry
    rules:
      - id: logs
        filter:
          prefix: logs/
        transitions:
          - days: 30
            storage_class: ARCHIVE
        expiration:
          days: 365

- name: Make the rule list exact
  cosops.registry.cos_lifecycle:
    bucket: registry-1250000000
    region: ap-guangzhou
    purge_rules: true
    rules:
      - id: registry-abort-incomplete-uploads
        filter:
          prefix: registry/
        abort_incomplete_multipart_upload_days: 7

- name: Remove one rule
  cosops.registry.cos_lifecycle:
    bucket: registry-1250000000
    region: ap-guangzhou
    state: absent
    rules:
      - id: logs

- name: Remove the whole lifecycle configuration
  cosops.registry.cos_lifecycle:
    bucket: registry-1250000000
    region: ap-guangzhou
    state: absent
"""

RETURN = r"""
bucket:
  description: The full bucket name.
  returned: always
  type: str
  sample: registry-1250000000
appid_appended:
  description: Whether C(-<appid>) was appended to O(bucket).
  returned: always
  type: bool
  sample: true
rules:
  description: The bucket's rules after the change, in normalised form (unset parts left out).
  returned: always
  type: list
  elements: dict
  sample:
    - id: registry-abort-incomplete-uploads
      status: enabled
      filter: {prefix: registry/, tags: {}}
      abort_incomplete_multipart_upload_days: 7
recommended_rule:
  description: A rule that aborts incomplete multipart uploads under O(registry_root), when none does.
  returned: when O(registry_root) is given and no enabled rule aborts incomplete uploads under it
  type: dict
  sample:
    id: registry-abort-incomplete-uploads
    status: enabled
    filter: {prefix: registry/, tags: {}}
    abort_incomplete_multipart_upload_days: 7
unsafe_rules:
  description: Ids of rules in the bucket that delete or freeze registry data under O(registry_root).
  returned: when O(registry_root) is given
  type: list
  elements: str
  sample: []
diff:
  description: The rule list before and after.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.cosops.registry.plugins.module_utils._cos import bucket as cos_bucket
from ansible_collections.cosops.registry.plugins.module_utils._rules import lifecycle, naming
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def desired_rules(params: dict) -> list | None:
    """The given rules in canonical form, validated and, with registry_root, checked for registry safety."""
    if params["rules"] is None:
        return None
    if params["state"] == "absent":
        return [{"id": rule["id"]} for rule in params["rules"]]
    rules = [lifecycle.rule_from_options(rule) for rule in params["rules"]]
    lifecycle.validate_rules(rules)
    if params["registry_root"] is not None and not params["allow_unsafe_registry_rules"]:
        lifecycle.check_registry_safety(rules, params["registry_root"])
    return rules


def target_rules(params: dict, current: list, desired: list | None) -> list:
    if params["state"] == "absent":
        return lifecycle.remove_rules(current, [rule["id"] for rule in desired]) if desired is not None else []
    rules = lifecycle.merge_rules(current, desired, params["purge_rules"])
    if len(rules) > lifecycle.MAX_RULES:
        raise ValidationError(
            f"The bucket would hold {len(rules)} lifecycle rules with the ones given; COS allows at most "
            f"{lifecycle.MAX_RULES} (remove some or set purge_rules=true)."
        )
    return rules


def handle_rules(module, api, bucket: str, current: list, after: list) -> bool:
    if lifecycle.rules_equal(current, after):
        return False
    if not module.check_mode:
        if after:
            api.call(
                "put_bucket_lifecycle", Bucket=bucket, LifecycleConfiguration=lifecycle.configuration_to_api(after)
            )
        else:
            api.call("delete_bucket_lifecycle", Bucket=bucket)
    return True


def registry_advice(module, root: str, after: list, result: dict) -> None:
    """Warn about rules that endanger the registry and about a missing abort rule."""
    result["unsafe_rules"] = lifecycle.unsafe_rule_ids(after, root)
    if result["unsafe_rules"]:
        module.warn(
            f"Lifecycle rules {', '.join(result['unsafe_rules'])} delete or archive registry data under "
            f"{lifecycle.registry_data_prefix(root)!r}; images whose blobs they reach will fail to pull."
        )
    if not lifecycle.aborts_registry_uploads(after, root):
        module.warn(lifecycle.abort_rule_warning(root))
        result["recommended_rule"] = lifecycle.recommended_abort_rule(root)


def run(module: TencentCloudModule) -> dict:
    params = module.params
    region = module.connection.require_region()
    naming.validate_bucket_option(params["bucket"], region)
    if params["registry_root"] is not None:
        naming.validate_registry_root(params["registry_root"])
    desired = desired_rules(params)
    bucket, appended = naming.qualify_bucket(params["bucket"], module.appid, region)
    api = module.cos()
    current = cos_bucket.read_setting(api, bucket, cos_bucket.read_lifecycle, [], module.check_mode, module.warn)
    after = target_rules(params, current, desired)
    changed = handle_rules(module, api, bucket, current, after)
    result = {"changed": changed, "bucket": bucket, "appid_appended": appended, "rules": after}
    if params["registry_root"] is not None:
        registry_advice(module, params["registry_root"], after, result)
    if module._diff:
        result["diff"] = {"before": {"rules": current}, "after": {"rules": after}}
    return result


def main() -> None:
    storage_class = {"type": "str", "required": True, "choices": list(lifecycle.STORAGE_CLASSES)}
    rule = {
        "id": {"type": "str", "required": True},
        "status": {"type": "str", "choices": ["enabled", "disabled"], "default": "enabled"},
        "filter": {"type": "dict", "options": {"prefix": {"type": "str"}, "tags": {"type": "dict"}}},
        "expiration": {
            "type": "dict",
            "options": {
                "days": {"type": "int"},
                "date": {"type": "str"},
                "expired_object_delete_marker": {"type": "bool"},
            },
        },
        "transitions": {
            "type": "list",
            "elements": "dict",
            "options": {"days": {"type": "int"}, "date": {"type": "str"}, "storage_class": storage_class},
        },
        "noncurrent_version_expiration_days": {"type": "int"},
        "noncurrent_version_transitions": {
            "type": "list",
            "elements": "dict",
            "options": {"days": {"type": "int", "required": True}, "storage_class": storage_class},
        },
        "abort_incomplete_multipart_upload_days": {"type": "int"},
    }
    module = TencentCloudModule(
        argument_spec={
            "bucket": {"type": "str", "required": True, "aliases": ["name"]},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "rules": {"type": "list", "elements": "dict", "options": rule},
            "purge_rules": {"type": "bool", "default": False},
            "registry_root": {"type": "str"},
            "allow_unsafe_registry_rules": {"type": "bool", "default": False},
        },
        required_if=[("state", "present", ["rules"])],
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
