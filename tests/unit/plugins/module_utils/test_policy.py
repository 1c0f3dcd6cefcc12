import json

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.policy_documents import (
    normalize_policy,
    policies_equal,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

DOCUMENT = {
    "version": "2.0",
    "statement": [
        {
            "effect": "allow",
            "action": ["name/cos:GetObject", "name/cos:PutObject"],
            "resource": ["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/r/*"],
        },
        {
            "effect": "allow",
            "action": "name/cos:GetBucket",
            "resource": "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*",
            "condition": {"string_like": {"cos:prefix": ["r/*", "r"]}},
        },
    ],
}


def test_statement_and_list_order_do_not_matter():
    reordered = {
        "version": "2.0",
        "statement": [
            {
                "effect": "allow",
                "resource": ["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"],
                "action": ["name/cos:GetBucket"],
                "condition": {"string_like": {"cos:prefix": ["r", "r/*"]}},
            },
            {
                "action": ["name/cos:PutObject", "name/cos:GetObject"],
                "effect": "allow",
                "resource": "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/r/*",
            },
        ],
    }
    assert policies_equal(DOCUMENT, reordered)


def test_effect_and_key_case_do_not_matter():
    shouted = {
        "Version": "2.0",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": s["action"],
                "Resource": s["resource"],
                **{k: v for k, v in s.items() if k == "condition"},
            }
            for s in DOCUMENT["statement"]
        ],
    }
    assert policies_equal(DOCUMENT, shouted)


def test_json_string_equals_dict():
    assert policies_equal(json.dumps(DOCUMENT), DOCUMENT)


def test_duplicates_collapse():
    doubled = json.loads(json.dumps(DOCUMENT))
    doubled["statement"][0]["action"].append("name/cos:GetObject")
    doubled["statement"].append(doubled["statement"][1])
    assert policies_equal(DOCUMENT, doubled)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["statement"][0]["action"].append("name/cos:DeleteBucket"),
        lambda d: d["statement"][0].update(effect="deny"),
        lambda d: d["statement"][1]["condition"]["string_like"].update({"cos:prefix": "other/*"}),
        lambda d: d["statement"][1].pop("condition"),
        lambda d: d.update(version="1.0"),
    ],
)
def test_a_different_grant_is_not_equal(change):
    other = json.loads(json.dumps(DOCUMENT))
    change(other)
    assert not policies_equal(DOCUMENT, other)


def test_principals_compare_as_sets():
    first = {"version": "2.0", "principal": {"qcs": ["a", "b"]}, "statement": []}
    second = {"version": "2.0", "principal": {"qcs": ["b", "a"]}, "statement": []}
    assert normalize_policy(first) == normalize_policy(second)


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", 42])
def test_a_document_that_is_not_an_object_is_refused(bad):
    with pytest.raises(ValidationError):
        normalize_policy(bad)
