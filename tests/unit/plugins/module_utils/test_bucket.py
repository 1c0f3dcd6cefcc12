import pytest
from ansible_collections.cosops.registry.plugins.module_utils._cos.bucket import (
    canned_acl,
    cors_from_api,
    cors_from_options,
    cors_to_api,
    desired_encryption,
    desired_tags,
    encryption_from_api,
    encryption_matches,
    encryption_to_api,
    tags_from_api,
    tags_to_api,
    validate_bucket_policy,
    validate_tags,
    versioning_matches,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError


def grant(group, permission):
    return {
        "Grantee": {"Type": "Group", "URI": f"http://cam.qcloud.com/groups/global/{group}"},
        "Permission": permission,
    }


OWNER = {"Grantee": {"Type": "CanonicalUser", "ID": "qcs::cam::uin/1:uin/1"}, "Permission": "FULL_CONTROL"}


@pytest.mark.parametrize(
    "grants, expected",
    [
        ([OWNER], "private"),
        ([OWNER, grant("AllUsers", "READ")], "public-read"),
        ([OWNER, grant("AllUsers", "READ"), grant("AllUsers", "WRITE")], "public-read-write"),
        ([OWNER, grant("AuthenticatedUsers", "READ")], "authenticated-read"),
        (OWNER, "private"),
    ],
)
def test_canned_acl_is_recognised_from_grants(grants, expected):
    assert canned_acl({"AccessControlList": {"Grant": grants}}) == expected


def test_s3_group_uris_are_recognised_too():
    s3_grant = {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}
    assert canned_acl({"AccessControlList": {"Grant": [OWNER, s3_grant]}}) == "public-read"


def test_never_versioned_bucket_already_counts_as_suspended():
    assert versioning_matches("disabled", "suspended")
    assert not versioning_matches("disabled", "enabled")
    assert not versioning_matches("enabled", "suspended")


def test_tags_round_trip_and_single_tag_answer():
    tags = {"team": "ops", "empty": ""}
    assert tags_from_api(tags_to_api(tags)) == tags
    assert tags_from_api({"TagSet": {"Tag": {"Key": "k", "Value": None}}}) == {"k": ""}
    assert tags_from_api(None) == {}


def test_purge_tags_decides_whether_unnamed_tags_stay():
    current = {"keep": "1", "change": "old"}
    assert desired_tags(current, {"change": "new"}, purge=False) == {"keep": "1", "change": "new"}
    assert desired_tags(current, {"change": "new"}, purge=True) == {"change": "new"}


def test_tag_values_become_strings_and_empty_keys_are_refused():
    assert validate_tags({"n": 1, "team:运维/a-b_c.d=e+f g@x": "v"}) == {"n": "1", "team:运维/a-b_c.d=e+f g@x": "v"}
    with pytest.raises(ValidationError, match="key ''"):
        validate_tags({"": "x"})


@pytest.mark.parametrize(
    "tags, message",
    [
        ({"k" * 128: "v"}, "key 'kkk"),
        ({"team#1": "v"}, "key 'team#1'"),
        ({"qcs:env": "v"}, "qcs: or project"),
        ({"Project-id": "v"}, "qcs: or project"),
        ({"k": "v" * 256}, "value 'vvv"),
        ({"k": None}, "value ''"),
        ({"k": "a;b"}, "value 'a;b'"),
    ],
)
def test_tags_cos_refuses_are_refused_before_any_call(tags, message):
    with pytest.raises(ValidationError, match=message):
        validate_tags(tags)


def test_encryption_round_trip():
    for encryption in ({"algorithm": "AES256"}, {"algorithm": "KMS", "kms_key_id": "key-1"}):
        assert encryption_from_api(encryption_to_api(encryption)) == encryption
    assert encryption_from_api(None) == {"algorithm": "none"}
    header_spelling = {"Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "cos/kms"}}}
    assert encryption_from_api(header_spelling) == {"algorithm": "KMS"}


def test_kms_without_key_id_accepts_any_key():
    assert encryption_matches({"algorithm": "KMS", "kms_key_id": "k"}, {"algorithm": "KMS"})
    assert not encryption_matches({"algorithm": "KMS", "kms_key_id": "k"}, {"algorithm": "KMS", "kms_key_id": "other"})
    assert not encryption_matches({"algorithm": "none"}, {"algorithm": "AES256"})


def test_key_id_without_kms_is_refused():
    with pytest.raises(ValidationError, match="'key-1' is only valid with encryption=KMS"):
        desired_encryption("AES256", "key-1")


CORS_OPTIONS = {
    "id": "web",
    "allowed_origins": ["https://b.example", "https://a.example"],
    "allowed_methods": ["put", "GET"],
    "allowed_headers": ["*"],
    "expose_headers": None,
    "max_age_seconds": 600,
}


def test_cors_options_and_api_answer_compare_equal():
    api = {
        "CORSRule": {
            "ID": "web",
            "AllowedOrigin": ["https://a.example", "https://b.example"],
            "AllowedMethod": ["GET", "PUT"],
            "AllowedHeader": "*",
            "MaxAgeSeconds": "600",
        }
    }
    assert cors_from_api(api) == cors_from_options([CORS_OPTIONS])


def test_cors_round_trip_keeps_rule_order():
    rules = cors_from_options([CORS_OPTIONS, dict(CORS_OPTIONS, id="second", max_age_seconds=None)])
    assert cors_from_api(cors_to_api(rules)) == rules


@pytest.mark.parametrize(
    "change, message",
    [
        ({"allowed_origins": []}, "allowed_origins"),
        ({"allowed_methods": ["FETCH"]}, "allowed_methods \\['FETCH'\\]"),
        ({"max_age_seconds": -1}, "max_age_seconds -1"),
    ],
)
def test_invalid_cors_rule_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        cors_from_options([dict(CORS_OPTIONS, **change)])


STATEMENT = {
    "Principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
    "Effect": "Allow",
    "Action": ["name/cos:GetObject"],
    "Resource": ["qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/*"],
}


def test_bucket_policy_accepts_json_text_and_any_key_case():
    text = '{"version": "2.0", "statement": [{"principal": "*", "effect": "deny", "action": "*", "resource": "*"}]}'
    assert validate_bucket_policy(text)["version"] == "2.0"
    assert validate_bucket_policy({"Statement": [STATEMENT]})["Statement"] == [STATEMENT]


@pytest.mark.parametrize(
    "document, message",
    [
        ("{not json", "not valid JSON"),
        ([STATEMENT], "must be a JSON object"),
        ({"Statement": []}, "non-empty 'Statement'"),
        ({"Statement": ["allow"]}, "statement 1 is 'allow'"),
        ({"Statement": [dict(STATEMENT, Effect="Permit")]}, "effect 'Permit'"),
        ({"Statement": [STATEMENT, {"Effect": "Deny", "Action": "*"}]}, "statement 2 lacks principal, resource"),
    ],
)
def test_malformed_bucket_policy_is_refused(document, message):
    with pytest.raises(ValidationError, match=message):
        validate_bucket_policy(document)
