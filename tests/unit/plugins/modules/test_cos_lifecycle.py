import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.lifecycle import MAX_RULES, rule_from_options
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.modules.cos_lifecycle import desired_rules, target_rules

from tests.support.lifecycle_options import rule_options


def params(state="present", rules=None, purge_rules=False, registry_root=None, allow_unsafe=False):
    return {
        "state": state,
        "rules": rules,
        "purge_rules": purge_rules,
        "registry_root": registry_root,
        "allow_unsafe_registry_rules": allow_unsafe,
    }


def expiring(rule_id, days=1):
    return rule_options(rule_id, expiration={"days": days, "date": None, "expired_object_delete_marker": None})


def test_merge_beyond_the_limit_is_refused_with_the_way_out():
    current = [rule_from_options(expiring(f"old{index}")) for index in range(MAX_RULES)]
    given = params(rules=[expiring("new")])
    with pytest.raises(ValidationError, match="would hold 1001 lifecycle rules.*purge_rules=true"):
        target_rules(given, current, desired_rules(given))


def test_absent_needs_only_ids_and_keeps_other_rules():
    current = [rule_from_options(expiring("keep")), rule_from_options(expiring("drop"))]
    given = params(state="absent", rules=[{"id": "drop"}])
    assert [rule["id"] for rule in target_rules(given, current, desired_rules(given))] == ["keep"]


def test_absent_without_rules_removes_the_configuration():
    given = params(state="absent")
    assert target_rules(given, [rule_from_options(expiring("any"))], desired_rules(given)) == []


def test_unsafe_rule_is_refused_only_with_a_registry_root_and_without_the_override():
    rules = [rule_options("everything", expiration={"days": 30, "date": None, "expired_object_delete_marker": None})]
    assert desired_rules(params(rules=rules))
    assert desired_rules(params(rules=rules, registry_root="/registry", allow_unsafe=True))
    with pytest.raises(ValidationError, match="'everything' covers the registry data"):
        desired_rules(params(rules=rules, registry_root="/registry"))
