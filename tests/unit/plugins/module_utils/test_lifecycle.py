import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.lifecycle import (
    MAX_RULES,
    abort_rule_warning,
    aborts_registry_uploads,
    check_registry_safety,
    configuration_to_api,
    merge_rules,
    recommended_abort_rule,
    registry_data_prefix,
    remove_rules,
    rule_from_api,
    rule_from_options,
    rule_to_api,
    rules_equal,
    rules_from_api,
    unsafe_rule_ids,
    validate_rules,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

from tests.support.lifecycle_options import rule_options


def canonical(rule_id="r", **given):
    return rule_from_options(rule_options(rule_id, **given))


def expire(days=None, date=None, marker=None):
    return {"days": days, "date": date, "expired_object_delete_marker": marker}


def transition(storage_class, days=None, date=None):
    return {"days": days, "date": date, "storage_class": storage_class}


# Normalisation


def test_unset_suboptions_leave_no_keys():
    assert canonical(abort_incomplete_multipart_upload_days=7) == {
        "id": "r",
        "status": "enabled",
        "filter": {"prefix": "", "tags": {}},
        "abort_incomplete_multipart_upload_days": 7,
    }


def test_string_days_and_case_are_normalised():
    given = canonical(
        status="Enabled",
        expiration=expire(days="30"),
        transitions=[transition("archive", days="90"), transition("standard_ia", days="10")],
    )
    assert given["status"] == "enabled"
    assert given["expiration"] == {"days": 30}
    assert given["transitions"] == [
        {"days": 10, "storage_class": "STANDARD_IA"},
        {"days": 90, "storage_class": "ARCHIVE"},
    ]


def test_non_numeric_days_are_refused_with_the_value():
    with pytest.raises(ValidationError, match="'soon' is not a whole number"):
        canonical(expiration=expire(days="soon"))


@pytest.mark.parametrize(
    "given",
    ["2030-01-01", "2030-01-01T00:00:00+08:00", "2029-12-31T16:00:00.000Z", "2030-01-01T00:00:00"],
)
def test_dates_become_the_calendar_day_in_china_standard_time(given):
    assert canonical(expiration=expire(date=given))["expiration"] == {"date": "2030-01-01"}


def test_bad_date_is_refused_with_the_value():
    with pytest.raises(ValidationError, match="'next year' is not a date"):
        canonical(expiration=expire(date="next year"))


def test_false_delete_marker_flag_is_not_an_action():
    assert "expiration" not in canonical(expiration=expire(marker=False), abort_incomplete_multipart_upload_days=1)


API_RULE = {
    "ID": "r",
    "Status": "Enabled",
    "Filter": {"And": {"Prefix": "logs/", "Tag": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]}},
    "Expiration": {"Days": "365"},
    "Transition": [{"Days": "90", "StorageClass": "ARCHIVE"}, {"Days": "30", "StorageClass": "STANDARD_IA"}],
    "NoncurrentVersionExpiration": {"NoncurrentDays": "30"},
    "NoncurrentVersionTransition": {"NoncurrentDays": "10", "StorageClass": "STANDARD_IA"},
}


def test_api_answer_and_options_describe_the_same_rule():
    from_options = canonical(
        filter={"prefix": "logs/", "tags": {"a": "1", "b": "2"}},
        expiration=expire(days=365),
        transitions=[transition("STANDARD_IA", days=30), transition("ARCHIVE", days=90)],
        noncurrent_version_expiration_days=30,
        noncurrent_version_transitions=[{"days": 10, "storage_class": "STANDARD_IA"}],
    )
    assert rule_from_api(API_RULE) == from_options


def test_rule_survives_a_round_trip_through_the_api_form():
    rule = canonical(
        filter={"prefix": "a/", "tags": {"k": "v"}},
        expiration=expire(date="2031-05-01"),
        transitions=[transition("DEEP_ARCHIVE", date="2030-05-01")],
    )
    assert rule_from_api(rule_to_api(rule)) == rule


@pytest.mark.parametrize(
    "api_filter, expected",
    [
        ({"Filter": {"Prefix": None}}, {"prefix": "", "tags": {}}),
        ({"Prefix": "old/"}, {"prefix": "old/", "tags": {}}),
        ({"Filter": {"Tag": [{"Key": "k", "Value": "v"}]}}, {"prefix": "", "tags": {"k": "v"}}),
        ({"Filter": {"And": {"Tag": {"Key": "k", "Value": None}}}}, {"prefix": "", "tags": {"k": ""}}),
    ],
)
def test_every_api_filter_shape_is_read(api_filter, expected):
    rule = dict(
        {"ID": "r", "Status": "Disabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": "3"}}, **api_filter
    )
    assert rule_from_api(rule)["filter"] == expected


def test_filter_is_written_in_the_simplest_form_cos_accepts():
    assert rule_to_api(canonical(filter={"prefix": "p/"}, abort_incomplete_multipart_upload_days=1))["Filter"] == {
        "Prefix": "p/"
    }
    assert rule_to_api(canonical(filter={"tags": {"k": "v"}}, expiration=expire(days=1)))["Filter"] == {
        "Tag": {"Key": "k", "Value": "v"}
    }


def test_missing_configuration_reads_as_no_rules():
    assert rules_from_api(None) == []
    assert rules_from_api({"Rule": {"ID": "one", "Status": "Enabled", "Expiration": {"Days": "1"}}})[0]["id"] == "one"


def test_configuration_holds_every_rule():
    rules = [canonical("a", expiration=expire(days=1)), canonical("b", expiration=expire(days=2))]
    assert [rule["ID"] for rule in configuration_to_api(rules)["Rule"]] == ["a", "b"]


# Validation


@pytest.mark.parametrize(
    "given, message",
    [
        ({"expiration": expire(days=0)}, "expiration days is 0, but days must be greater than 0"),
        ({"abort_incomplete_multipart_upload_days": -1}, "abort_incomplete_multipart_upload_days is -1"),
        ({"transitions": [transition("GLACIER", days=3)]}, "storage class 'GLACIER' is not one of"),
        ({"noncurrent_version_transitions": [{"days": 3, "storage_class": "COLD"}]}, "storage class 'COLD'"),
        (
            {"expiration": expire(days=30, date="2030-01-01")},
            "exactly one of days, date and expired_object_delete_marker",
        ),
        (
            {"expiration": expire(date="2030-01-01"), "transitions": [transition("ARCHIVE", days=3)]},
            "mixes days and dates",
        ),
        ({"transitions": [transition("ARCHIVE", days=3, date="2030-01-01")]}, "exactly one of days and date"),
        ({}, "has no action"),
        ({"filter": {"prefix": "/registry/"}, "expiration": expire(days=1)}, "starts with '/'.*write 'registry/'"),
        ({"status": "paused", "expiration": expire(days=1)}, "status 'paused'"),
        (
            {"filter": {"tags": {"k": "v"}}, "abort_incomplete_multipart_upload_days": 3},
            "filters by tags",
        ),
    ],
)
def test_invalid_rule_is_refused_with_one_sentence(given, message):
    with pytest.raises(ValidationError, match=message) as raised:
        validate_rules([canonical("bad-rule", **given)])
    assert "'bad-rule'" in str(raised.value)


def test_duplicate_ids_are_refused():
    rules = [canonical("same", expiration=expire(days=1)), canonical("same", expiration=expire(days=2))]
    with pytest.raises(ValidationError, match="'same' is given more than once"):
        validate_rules(rules)


def test_more_than_1000_rules_are_refused():
    rules = [canonical(f"r{index}", expiration=expire(days=1)) for index in range(MAX_RULES + 1)]
    with pytest.raises(ValidationError, match="1001 lifecycle rules"):
        validate_rules(rules)


def test_1000_rules_are_accepted():
    validate_rules([canonical(f"r{index}", expiration=expire(days=1)) for index in range(MAX_RULES)])


@pytest.mark.parametrize("rule_id", ["", None, "   "])
def test_empty_id_is_refused(rule_id):
    with pytest.raises(ValidationError, match="must be a non-empty string"):
        canonical(rule_id, expiration=expire(days=1))


# Merging and comparing


A = canonical("a", expiration=expire(days=1))
B = canonical("b", expiration=expire(days=2))
B_CHANGED = canonical("b", expiration=expire(days=3))
C = canonical("c", expiration=expire(days=4))


def test_merge_replaces_by_id_and_keeps_other_rules():
    assert merge_rules([A, B], [B_CHANGED, C], purge=False) == [A, B_CHANGED, C]


def test_purge_makes_the_list_exact():
    assert merge_rules([A, B], [C], purge=True) == [C]


def test_remove_rules_by_id():
    assert remove_rules([A, B, C], ["b", "missing"]) == [A, C]


def test_rule_order_does_not_matter():
    assert rules_equal([A, B], [B, A])
    assert not rules_equal([A, B], [A, B_CHANGED])


# Registry safety


@pytest.mark.parametrize(
    "root, expected",
    [
        ("", "docker/registry/v2/"),
        ("/", "docker/registry/v2/"),
        ("/registry", "registry/docker/registry/v2/"),
        ("a/b/", "a/b/docker/registry/v2/"),
    ],
)
def test_registry_data_prefix(root, expected):
    assert registry_data_prefix(root) == expected


@pytest.mark.parametrize(
    "prefix, action",
    [
        ("", {"expiration": expire(days=30)}),
        ("registry/", {"expiration": expire(date="2030-01-01")}),
        ("registry/docker/registry/v2/blobs/", {"expiration": expire(days=30)}),
        ("reg", {"transitions": [transition("ARCHIVE", days=30)]}),
        (
            "registry/docker/",
            {"transitions": [transition("STANDARD_IA", days=30), transition("DEEP_ARCHIVE", days=90)]},
        ),
    ],
)
def test_rule_that_deletes_or_freezes_registry_data_is_refused(prefix, action):
    rule = canonical("danger", filter={"prefix": prefix}, **action)
    with pytest.raises(ValidationError, match="'danger' covers the registry data under 'registry/docker/registry/v2/'"):
        check_registry_safety([rule], "/registry")
    assert unsafe_rule_ids([rule], "/registry") == ["danger"]


@pytest.mark.parametrize(
    "filters, action",
    [
        ({"prefix": "logs/"}, {"expiration": expire(days=1)}),
        ({"prefix": "registry-old/"}, {"expiration": expire(days=1)}),
        ({"prefix": "registry/", "tags": {"tier": "cold"}}, {"expiration": expire(days=1)}),
        (
            {"prefix": "registry/"},
            {"transitions": [transition("STANDARD_IA", days=30), transition("INTELLIGENT_TIERING", days=60)]},
        ),
        ({"prefix": "registry/"}, {"expiration": expire(marker=True)}),
        ({"prefix": "registry/"}, {"noncurrent_version_expiration_days": 30}),
        ({"prefix": "registry/"}, {"abort_incomplete_multipart_upload_days": 7}),
    ],
)
def test_rule_that_keeps_registry_data_readable_is_allowed(filters, action):
    check_registry_safety([canonical("fine", filter=filters, **action)], "registry")


def test_abort_rule_must_cover_all_registry_data():
    assert aborts_registry_uploads(
        [canonical(filter={"prefix": "registry/"}, abort_incomplete_multipart_upload_days=7)], "registry"
    )
    assert aborts_registry_uploads([canonical(abort_incomplete_multipart_upload_days=7)], "registry")
    narrow = canonical(
        filter={"prefix": "registry/docker/registry/v2/blobs/"}, abort_incomplete_multipart_upload_days=7
    )
    disabled = canonical(status="disabled", abort_incomplete_multipart_upload_days=7)
    assert not aborts_registry_uploads([narrow, disabled, canonical(expiration=expire(days=1))], "registry")


def test_recommended_rule_is_valid_and_satisfies_the_check():
    rule = recommended_abort_rule("/registry")
    validate_rules([rule])
    check_registry_safety([rule], "/registry")
    assert aborts_registry_uploads([rule], "/registry")
    assert rule["filter"]["prefix"] == "registry/"
    assert "abort_incomplete_multipart_upload_days: 7" in abort_rule_warning("/registry")
