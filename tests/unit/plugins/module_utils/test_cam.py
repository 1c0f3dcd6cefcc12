"""CAM input rules, checked before any call."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules import cam_naming, policy_documents
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

STATEMENT = {"effect": "allow", "action": "name/cos:GetObject", "resource": "*"}


@pytest.mark.parametrize("name", ["registry", "a", "x" * 64, "svc+ci=1,a.b@c-d_e"])
def test_valid_user_names_pass(name):
    assert cam_naming.validate_user_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 65, "has space", "slash/name", "ünïcode", None])
def test_invalid_user_names_are_refused(name):
    with pytest.raises(ValidationError, match="1-64 characters"):
        cam_naming.validate_user_name(name)


def test_policy_names_allow_128_characters():
    assert cam_naming.validate_policy_name("p" * 128)
    with pytest.raises(ValidationError, match="1-128 characters"):
        cam_naming.validate_policy_name("p" * 129)


@pytest.mark.parametrize("key_id", ["AKIDabc123", "AKID" + "x" * 32])
def test_access_key_ids_start_with_akid(key_id):
    assert cam_naming.validate_access_key_id(key_id) == key_id


@pytest.mark.parametrize("key_id", ["akidabc", "AKID", "AKID-12", "ABCD123", ""])
def test_malformed_access_key_ids_are_refused(key_id):
    with pytest.raises(ValidationError, match="AKID"):
        cam_naming.validate_access_key_id(key_id)


def test_uins_are_numbers():
    assert cam_naming.validate_uin("100000010001") == 100000010001
    with pytest.raises(ValidationError, match="UIN"):
        cam_naming.validate_uin("12ab")


def test_description_is_limited_in_bytes():
    assert cam_naming.validate_description("é" * 150, "description")
    with pytest.raises(ValidationError, match="300 bytes"):
        cam_naming.validate_description("é" * 151, "description")


@pytest.mark.parametrize(
    "document",
    [
        {"version": "2.0", "statement": [STATEMENT]},
        {"Version": "2.0", "Statement": STATEMENT},
        '{"version": "2.0", "statement": [{"effect": "Deny", "action": ["a", "b"], "resource": ["*"]}]}',
        {"version": "2.0", "statement": [dict(STATEMENT, condition={"string_like": {"cos:prefix": "r/*"}})]},
    ],
)
def test_well_formed_documents_pass(document):
    assert policy_documents.validate_policy_document(document)


@pytest.mark.parametrize(
    "document, rule",
    [
        ({"statement": [STATEMENT]}, "version"),
        ({"version": "1.0", "statement": [STATEMENT]}, "version"),
        ({"version": "2.0", "statement": []}, "non-empty list"),
        ({"version": "2.0", "statement": [dict(STATEMENT, effect="permit")]}, "allow or deny"),
        ({"version": "2.0", "statement": [dict(STATEMENT, action=[])]}, "statement 0 action"),
        ({"version": "2.0", "statement": [STATEMENT, {"effect": "allow", "action": "a"}]}, "statement 1 resource"),
        ({"version": "2.0", "statement": [dict(STATEMENT, condition="x")]}, "condition"),
        ({"version": "2.0", "statement": [dict(STATEMENT, principal={})]}, "unknown keys"),
        ({"version": "2.0", "statement": [STATEMENT], "extra": 1}, "unknown top-level"),
        ({"version": "2.0", "statement": [dict(STATEMENT, resource=["r" * 7000])]}, "6144"),
        ("{broken", "not valid JSON"),
    ],
)
def test_malformed_documents_are_refused_with_the_rule(document, rule):
    with pytest.raises(ValidationError, match=rule):
        policy_documents.validate_policy_document(document)
