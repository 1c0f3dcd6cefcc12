"""The identity store and CAM policy evaluation, without a server."""

from __future__ import annotations

import json
import threading

import pytest

from emulator import cam_policy
from emulator.iam import (
    DEFAULT_APPID,
    DEFAULT_OWNER_UIN,
    DEFAULT_ROOT_SECRET_ID,
    DEFAULT_ROOT_SECRET_KEY,
    AccessKey,
    CamError,
    IamStore,
    User,
)

BUCKET = "reg-1250000000"
RESOURCE_ROOT = f"qcs::cos:ap-guangzhou:uid/1250000000:{BUCKET}/"


def obj(key: str, bucket: str = BUCKET, region: str = "ap-guangzhou") -> str:
    return f"qcs::cos:{region}:uid/1250000000:{bucket}/{key}"


def document(*statements: dict) -> str:
    return json.dumps({"version": "2.0", "statement": list(statements)})


def allows(statements: list[dict], action: str, resource: str, context: dict | None = None) -> bool:
    return cam_policy.evaluate(list(cam_policy.parse_policy_document(document(*statements))), action, resource, context)


def user_and_key(store: IamStore, name: str) -> tuple[User, AccessKey]:
    created = store.add_user(name, use_api=1)
    return created.user, created.key


@pytest.fixture(name="store")
def store_fixture() -> IamStore:
    return IamStore(DEFAULT_APPID, DEFAULT_OWNER_UIN, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)


@pytest.fixture(name="user_with")
def user_with_fixture(store: IamStore):
    """A sub-user's principal with the given statements attached as one custom policy."""

    def make(*statements: dict):
        user, key = user_and_key(store, f"user{len(store.list_users())}")
        policy = store.create_policy(f"policy-{user.name}", document(*statements))
        store.attach_user_policy(policy.policy_id, user.uin)
        return store.lookup_key(key.secret_id)

    return make


# --- actions ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["name/cos:GetObject", "cos:GetObject", "name/cos:*", "cos:*", "*", "name/cos:Get*", "NAME/COS:getobject"],
)
def test_action_patterns_match_the_action(pattern):
    assert cam_policy.action_matches(pattern, "name/cos:GetObject")


@pytest.mark.parametrize("pattern", ["name/cos:PutObject", "name/cam:*", "name/cos:Get", "cos:GetObjectAcl"])
def test_other_action_patterns_do_not_match(pattern):
    assert not cam_policy.action_matches(pattern, "name/cos:GetObject")


# --- resources --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "*",
        obj("*"),
        obj("root/*"),
        obj("root/docker/*"),
        obj("root/docker/registry/v2/blobs/x"),
        f"qcs::cos::uid/1250000000:{BUCKET}/root/*",
        "qcs::cos:*:uid/1250000000:*",
        f"qcs::cos:ap-guangzhou:uid/1250000000:{BUCKET}/root/*/blobs/*",
    ],
)
def test_resource_patterns_match_the_object(pattern):
    assert cam_policy.resource_matches(pattern, obj("root/docker/registry/v2/blobs/x"))


@pytest.mark.parametrize(
    "pattern",
    [
        obj("other/*"),
        obj("root/*", bucket="other-1250000000"),
        obj("root/*", region="ap-beijing"),
        f"qcs::cos:ap-guangzhou:uid/1250000001:{BUCKET}/*",
        obj("root"),
    ],
)
def test_resource_patterns_outside_do_not_match(pattern):
    assert not cam_policy.resource_matches(pattern, obj("root/docker/registry/v2/blobs/x"))


def test_prefix_pattern_does_not_match_the_bucket_itself():
    assert not cam_policy.resource_matches(obj("root/*"), RESOURCE_ROOT)
    assert cam_policy.resource_matches(obj("*"), RESOURCE_ROOT)


# --- statements and effects -------------------------------------------------------------------------------------


def test_no_statement_means_deny():
    assert not allows([{"effect": "allow", "action": "name/cos:GetObject", "resource": "*"}], "name/cos:PutObject", "x")


def test_explicit_deny_wins_over_allow():
    statements = [
        {"effect": "allow", "action": "name/cos:*", "resource": obj("*")},
        {"effect": "deny", "action": "name/cos:DeleteObject", "resource": obj("root/keep/*")},
    ]
    assert allows(statements, "name/cos:DeleteObject", obj("root/other"))
    assert not allows(statements, "name/cos:DeleteObject", obj("root/keep/x"))
    assert allows(statements, "name/cos:GetObject", obj("root/keep/x"))


def test_deny_wins_regardless_of_statement_order():
    statements = [
        {"effect": "deny", "action": "*", "resource": "*"},
        {"effect": "allow", "action": "*", "resource": "*"},
    ]
    assert not allows(statements, "name/cos:GetObject", obj("a"))


def test_effect_and_keys_are_case_insensitive():
    text = json.dumps(
        {"Version": "2.0", "Statement": [{"Effect": "Allow", "Action": ["name/cos:GetObject"], "Resource": "*"}]}
    )
    assert cam_policy.evaluate(list(cam_policy.parse_policy_document(text)), "name/cos:GetObject", obj("k"))


def test_action_and_resource_lists_match_any_member():
    statements = [
        {
            "effect": "allow",
            "action": ["name/cos:PutObject", "name/cos:GetObject"],
            "resource": [obj("a/*"), obj("b/*")],
        }
    ]
    assert allows(statements, "name/cos:GetObject", obj("b/1"))
    assert not allows(statements, "name/cos:GetObject", obj("c/1"))
    assert not allows(statements, "name/cos:HeadObject", obj("a/1"))


# --- conditions -------------------------------------------------------------------------------------------------

LIST_ROOT_ONLY = {
    "effect": "allow",
    "action": "name/cos:GetBucket",
    "resource": obj("*"),
    "condition": {"string_like": {"cos:prefix": ["root/*", "root"]}},
}


def test_listing_allowed_under_the_root_prefix():
    assert allows([LIST_ROOT_ONLY], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root/docker/"})
    assert allows([LIST_ROOT_ONLY], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root"})


def test_listing_refused_outside_the_root_prefix():
    assert not allows([LIST_ROOT_ONLY], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "other/"})
    assert not allows([LIST_ROOT_ONLY], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": ""})


def test_condition_key_missing_from_the_request_does_not_allow():
    assert not allows([LIST_ROOT_ONLY], "name/cos:GetBucket", RESOURCE_ROOT)


def test_string_equal_compares_exactly():
    statement = dict(LIST_ROOT_ONLY, condition={"string_equal": {"cos:prefix": "root/"}})
    assert allows([statement], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root/"})
    assert not allows([statement], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root/x"})


def test_negated_conditions_deny_a_prefix():
    statements = [
        {"effect": "allow", "action": "*", "resource": "*"},
        {
            "effect": "deny",
            "action": "name/cos:GetBucket",
            "resource": "*",
            "condition": {"string_not_like": {"cos:prefix": "root/*"}},
        },
    ]
    assert allows(statements, "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root/a"})
    assert not allows(statements, "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "secret/"})


def test_all_conditions_must_hold():
    statement = dict(
        LIST_ROOT_ONLY,
        condition={"string_like": {"cos:prefix": "root/*"}, "string_not_equal": {"cos:prefix": "root/private/"}},
    )
    assert allows([statement], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root/a/"})
    assert not allows([statement], "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root/private/"})


# --- document validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "InvalidParameter.PolicyDocumentError"),
        ("[]", "InvalidParameter.PolicyDocumentError"),
        (json.dumps({"version": "1.0", "statement": []}), "InvalidParameter.VersionError"),
        (
            json.dumps({"statement": [{"effect": "allow", "action": "*", "resource": "*"}]}),
            "InvalidParameter.VersionError",
        ),
        (json.dumps({"version": "2.0", "statement": []}), "InvalidParameter.StatementError"),
        (document({"effect": "permit", "action": "*", "resource": "*"}), "InvalidParameter.EffectError"),
        (document({"effect": "allow", "resource": "*"}), "InvalidParameter.ActionError"),
        (document({"effect": "allow", "action": "*", "resource": []}), "InvalidParameter.ResourceError"),
        (
            document({"effect": "allow", "action": "*", "resource": "*", "condition": {"ip_equal": {"a": "b"}}}),
            "InvalidParameter.ConditionTypeError",
        ),
        ("x" * 7000, "InvalidParameter.PolicyDocumentLengthOverLimit"),
    ],
)
def test_invalid_documents_are_refused_with_their_code(text, code):
    with pytest.raises(cam_policy.PolicyDocumentError) as refused:
        cam_policy.parse_policy_document(text)
    assert refused.value.code == code


# --- the store --------------------------------------------------------------------------------------------------


def test_root_key_is_the_root_principal(store):
    root = store.lookup_key(DEFAULT_ROOT_SECRET_ID)
    assert (root.is_root, root.uin, root.owner_uin, root.appid, root.user_name, root.active) == (
        True,
        DEFAULT_OWNER_UIN,
        DEFAULT_OWNER_UIN,
        DEFAULT_APPID,
        None,
        True,
    )
    assert root.secret_key == DEFAULT_ROOT_SECRET_KEY
    assert store.is_allowed(root, "name/cos:DeleteBucket", RESOURCE_ROOT)


def test_unknown_key_has_no_principal(store):
    assert store.lookup_key("AKIDNOSUCHKEY") is None


def test_sub_user_without_policies_is_denied(store):
    key = store.add_user("bare", use_api=1).key
    assert not store.is_allowed(store.lookup_key(key.secret_id), "name/cos:GetObject", obj("a"))


def test_sub_user_key_looks_like_a_real_key(store):
    user, key = user_and_key(store, "reg")
    principal = store.lookup_key(key.secret_id)
    assert key.secret_id.startswith("AKID") and len(key.secret_id) == 36 and key.secret_id.isalnum()
    assert len(key.secret_key) == 32
    assert (principal.is_root, principal.uin, principal.user_name) == (False, user.uin, "reg")
    assert len(user.uin) == 12 and user.uin != DEFAULT_OWNER_UIN


def test_attached_policy_scopes_the_sub_user(store, user_with):
    principal = user_with({"effect": "allow", "action": "name/cos:*", "resource": obj("root/*")})
    assert store.is_allowed(principal, "name/cos:PutObject", obj("root/docker/x"))
    assert not store.is_allowed(principal, "name/cos:PutObject", obj("elsewhere/x"))
    assert not store.is_allowed(principal, "name/cam:AddUser", "*")


def test_listing_context_reaches_the_condition(store, user_with):
    principal = user_with(LIST_ROOT_ONLY)
    assert store.is_allowed(principal, "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "root/docker/"})
    assert not store.is_allowed(principal, "name/cos:GetBucket", RESOURCE_ROOT, {"cos:prefix": "other/"})


def test_preset_policy_grants_what_it_names(store):
    user, key = user_and_key(store, "reader")
    preset = store.list_policies("QCS", "QcloudCOSReadOnlyAccess")[0]
    store.attach_user_policy(preset.policy_id, user.uin)
    principal = store.lookup_key(key.secret_id)
    assert store.is_allowed(principal, "name/cos:GetObject", obj("a"))
    assert not store.is_allowed(principal, "name/cos:PutObject", obj("a"))


def test_deactivated_key_is_inactive_and_denied(store):
    user, key = user_and_key(store, "reg")
    store.attach_user_policy(store.list_policies("QCS", "AdministratorAccess")[0].policy_id, user.uin)
    store.update_access_key(user.uin, key.secret_id, active=False)
    principal = store.lookup_key(key.secret_id)
    assert principal.active is False
    assert not store.is_allowed(principal, "name/cos:GetObject", obj("a"))


def test_detached_policy_no_longer_allows(store):
    user, key = user_and_key(store, "reg")
    policy = store.create_policy("p", document({"effect": "allow", "action": "*", "resource": "*"}))
    store.attach_user_policy(policy.policy_id, user.uin)
    principal = store.lookup_key(key.secret_id)
    assert store.is_allowed(principal, "name/cos:GetObject", obj("a"))
    store.detach_user_policy(policy.policy_id, user.uin)
    assert not store.is_allowed(principal, "name/cos:GetObject", obj("a"))


def test_third_key_is_refused(store):
    user = store.add_user("reg", use_api=1).user
    store.create_access_key(user.uin)
    with pytest.raises(CamError) as refused:
        store.create_access_key(user.uin)
    assert refused.value.code == "OperationDenied.AccessKeyOverLimit"


def test_deleting_a_user_with_keys_needs_force(store):
    user, key = user_and_key(store, "reg")
    with pytest.raises(CamError) as refused:
        store.delete_user("reg")
    assert refused.value.code == "OperationDenied.HaveKeys"
    store.delete_user("reg", force=True)
    assert store.lookup_key(key.secret_id) is None


@pytest.mark.parametrize("name", ["", "a" * 65, "has space", "slash/name", "semi;colon"])
def test_illegal_user_names_are_refused(store, name):
    with pytest.raises(CamError) as refused:
        store.add_user(name)
    assert refused.value.code == "InvalidParameter.UserNameIllegal"


@pytest.mark.parametrize("name", ["a", "a" * 64, "ops+registry=1,2.x@y-z_w"])
def test_legal_user_names_are_accepted(store, name):
    assert store.add_user(name).user.name == name


@pytest.mark.parametrize("name", ["", "p" * 129, "bad name", "bad/name"])
def test_illegal_policy_names_are_refused(store, name):
    with pytest.raises(CamError) as refused:
        store.create_policy(name, document({"effect": "allow", "action": "*", "resource": "*"}))
    assert refused.value.code == "InvalidParameter.PolicyNameError"


def test_preset_policies_cannot_change(store):
    preset = store.list_policies("QCS", "AdministratorAccess")[0]
    with pytest.raises(CamError) as refused:
        store.delete_policies([preset.policy_id])
    assert refused.value.code == "InvalidParameter.PolicyIdError"


def test_deleting_a_policy_detaches_it(store):
    user = store.add_user("reg").user
    policy = store.create_policy("p", document({"effect": "allow", "action": "*", "resource": "*"}))
    store.attach_user_policy(policy.policy_id, user.uin)
    store.delete_policies([policy.policy_id])
    assert store.list_attached_user_policies(user.uin) == []


def test_reset_leaves_only_the_root_account(store):
    user, key = user_and_key(store, "reg")
    store.create_policy("p", document({"effect": "allow", "action": "*", "resource": "*"}))
    store.reset()
    assert store.list_users() == []
    assert store.lookup_key(key.secret_id) is None
    assert [policy.preset for policy in store.list_policies()] == [True] * len(store.list_policies())
    assert store.lookup_key(DEFAULT_ROOT_SECRET_ID).is_root


def test_record_key_use_feeds_last_used(store):
    key = store.add_user("reg", use_api=1).key
    assert store.key_last_used([key.secret_id, "AKIDUNKNOWN"]) == [(key.secret_id, None)]
    store.record_key_use(key.secret_id, "cos")
    assert store.key_last_used([key.secret_id])[0][1] is not None


def test_concurrent_user_creation_gives_distinct_users(store):
    errors = []

    def create(index: int) -> None:
        try:
            store.add_user(f"u{index}", use_api=1)
        except CamError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(index,)) for index in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    users = store.list_users()
    assert errors == []
    assert len({user.uin for user in users}) == len(users) == 32


@pytest.mark.parametrize("creator, allowed", [("100000010001", True), ("100000010002", False), ("", False)])
def test_policy_variable_uin_stands_for_the_caller_in_conditions(creator, allowed):
    statement = {
        "effect": "allow",
        "action": "name/cam:DeleteAccessKey",
        "resource": "qcs::cam::uin/100000000001:uin/*",
        "condition": {"string_equal": {"qcs:create_uin": "${uin}"}},
    }
    statements = list(cam_policy.parse_policy_document(document(statement)))
    context = {"qcs:create_uin": creator} if creator else {}
    assert (
        cam_policy.evaluate(
            statements,
            "name/cam:DeleteAccessKey",
            "qcs::cam::uin/100000000001:uin/100000010003",
            context,
            {"uin": "100000010001"},
        )
        is allowed
    )


def test_users_and_policies_remember_who_created_them(store):
    creator, _key = user_and_key(store, "controller")
    store.add_user("registry", create_uin=creator.uin)
    policy = store.create_policy(
        "registry-storage", document({"effect": "allow", "action": "*", "resource": "*"}), create_uin=creator.uin
    )
    assert store.user_resource(name="registry")[1] == {"qcs:create_uin": creator.uin}
    assert store.policy_resource(policy.policy_id)[1] == {"qcs:create_uin": creator.uin}
    assert store.user_resource(name="controller")[1] == {}
    assert store.user_resource(name="missing") == ("qcs::cam::uin/100000000001:uin/", {})
