"""COS naming rules: each refusal names the value and the rule."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import (
    qualify_bucket,
    split_bucket,
    validate_appid,
    validate_bucket_name,
    validate_bucket_option,
    validate_region,
    validate_registry_root,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError


def test_appid_is_appended_only_when_missing():
    assert qualify_bucket("registry", "1250000000") == ("registry-1250000000", True)
    assert qualify_bucket("registry-1250000000", "1250000000") == ("registry-1250000000", False)


def test_appid_is_not_needed_when_the_name_has_one():
    assert qualify_bucket("registry-1250000000", None) == ("registry-1250000000", False)


def test_split_bucket_finds_the_appid_suffix():
    assert split_bucket("my-registry-1300000001") == ("my-registry", "1300000001")
    assert split_bucket("backup-20240101") == ("backup-20240101", None)


@pytest.mark.parametrize(
    "name,fragment",
    [
        ("Registry-1250000000", "lowercase letters, digits and hyphens"),
        ("-registry-1250000000", "may not start or end with a hyphen"),
        ("registry--1250000000", "may not start or end with a hyphen"),
        ("reg_istry-1250000000", "lowercase letters"),
        ("registry", "must end in '-<appid>'"),
        ("-1250000000", "empty name"),
    ],
)
def test_bad_bucket_names_are_refused_with_the_rule(name, fragment):
    with pytest.raises(ValidationError) as raised:
        validate_bucket_name(name)
    assert fragment in str(raised.value)
    assert repr(name) in str(raised.value)


def test_bucket_host_may_not_exceed_sixty_characters():
    validate_bucket_name("r" * 19 + "-1250000000", "ap-guangzhou")  # exactly 60
    with pytest.raises(ValidationError) as raised:
        validate_bucket_name("r" * 20 + "-1250000000", "ap-guangzhou")
    assert "at most 60" in str(raised.value)


@pytest.mark.parametrize("region", ["ap-guangzhou", "ap-shanghai-fsi", "na-siliconvalley", "eu-frankfurt"])
def test_real_region_names_pass(region):
    assert validate_region(region) == region


@pytest.mark.parametrize("region", ["guangzhou", "AP-GUANGZHOU", "ap_guangzhou", "", "ap-guangzhou "])
def test_malformed_regions_are_refused(region):
    with pytest.raises(ValidationError, match="is not a COS region name"):
        validate_region(region)


@pytest.mark.parametrize(
    "region, closest", [("ap-guangzou", "ap-guangzhou"), ("ap-shangai", "ap-shanghai"), ("eu-frankfort", "eu-frankfurt")]
)
def test_unknown_regions_are_refused_naming_the_closest(region, closest):
    with pytest.raises(ValidationError) as raised:
        validate_region(region)
    assert str(raised.value) == f"Region {region!r} is not one of COS's regions; did you mean {closest!r}?"


def test_a_region_like_none_of_them_is_refused_with_the_list():
    with pytest.raises(ValidationError) as raised:
        validate_region("us-east-1")
    assert "use one of ap-beijing-1, ap-beijing," in str(raised.value)


@pytest.mark.parametrize("appid", ["125000000", "0250000000", "12500000000", "abc"])
def test_malformed_appids_are_refused(appid):
    with pytest.raises(ValidationError, match="is not a Tencent Cloud AppId"):
        validate_appid(appid)


def test_unqualified_name_with_bad_appid_is_refused_before_any_call():
    with pytest.raises(ValidationError):
        qualify_bucket("registry", "12")


def test_bucket_name_is_checked_before_the_appid_is_known():
    validate_bucket_option("registry", "ap-guangzhou")
    validate_bucket_option("registry-1250000000", "ap-guangzhou")
    with pytest.raises(ValidationError, match="'Registry' may use only lowercase"):
        validate_bucket_option("Registry", "ap-guangzhou")
    with pytest.raises(ValidationError, match="'x{40}-<appid>' in region 'ap-guangzhou' is too long"):
        validate_bucket_option("x" * 40, "ap-guangzhou")


def test_appid_is_looked_up_only_when_the_name_lacks_it():
    def no_lookup():
        raise AssertionError("the AppId was looked up")

    assert qualify_bucket("registry-1250000000", no_lookup, "ap-guangzhou") == ("registry-1250000000", False)
    assert qualify_bucket("registry", lambda: "1250000000", "ap-guangzhou") == ("registry-1250000000", True)


def test_a_name_ending_in_another_appid_is_refused():
    with pytest.raises(ValidationError, match="ends in AppId 1250000001, not in the account's AppId 1250000000"):
        qualify_bucket("registry-1250000001", "1250000000")


@pytest.mark.parametrize("name", ["registry-1", "registry-125000000", "registry"])
def test_a_full_bucket_name_needs_a_ten_digit_appid(name):
    with pytest.raises(ValidationError, match="must end in '-<appid>'"):
        validate_bucket_name(name)


@pytest.mark.parametrize(
    "given, root",
    [("", ""), (None, ""), ("/", ""), ("registry", "registry"), ("/a/b/", "a/b"), ("x.y_z-1", "x.y_z-1"), ("/..a", "..a")],
)
def test_root_directory_loses_its_outer_slashes(given, root):
    assert validate_registry_root(given) == root


@pytest.mark.parametrize("root", ["/registry/..", "/registry/../other", "./registry", "/a/./b", "..", "a//b", "a/*/b", "has space"])
def test_root_directory_with_an_empty_relative_or_wildcard_part_is_refused(root):
    with pytest.raises(ValidationError) as raised:
        validate_registry_root(root)
    assert str(raised.value) == (
        f"rootdirectory {root!r} must be empty or '/'-separated names of letters, digits, '.', '_' and '-', "
        "without empty, '.' or '..' parts."
    )
