"""The playbooks complete a bucket name by the modules' rule: -<appid> added only when missing, never twice."""

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.filter import cos_bucket_appid, cos_qualified_bucket

QUALIFIED = cos_qualified_bucket.FilterModule().filters()["cos_qualified_bucket"]
APPID = cos_bucket_appid.FilterModule().filters()["cos_bucket_appid"]


def test_documented_samples_are_what_the_filters_return():
    assert QUALIFIED("registry", "1250000000") == yaml.safe_load(cos_qualified_bucket.RETURN)["_value"]["sample"]
    assert APPID("registry-1250000000") == yaml.safe_load(cos_bucket_appid.RETURN)["_value"]["sample"]


@pytest.mark.parametrize("appid", ["1250000000", 1250000000])
def test_a_name_without_the_appid_gets_it_once(appid):
    assert QUALIFIED("registry", appid) == "registry-1250000000"
    assert QUALIFIED("registry-1250000000", appid) == "registry-1250000000"


def test_a_complete_name_needs_no_appid():
    assert QUALIFIED("registry-1250000000", None) == "registry-1250000000"
    assert QUALIFIED("registry-1250000000") == "registry-1250000000"


def test_a_name_ending_in_digits_that_are_no_appid_gets_the_appid():
    assert QUALIFIED("registry-1", "1250000000") == "registry-1-1250000000"


def test_a_name_without_the_appid_and_no_appid_known_is_refused():
    with pytest.raises(AnsibleFilterError, match="Bucket 'registry' has no '-<appid>' and the account's AppId is not known"):
        QUALIFIED("registry", None)


@pytest.mark.parametrize(
    "name, appid, region, message",
    [
        ("Registry", "1250000000", None, "'Registry' may use only lowercase"),
        ("registry-1250000001", "1250000000", None, "ends in AppId 1250000001, not in the account's AppId 1250000000"),
        ("registry", "12", None, "AppId '12' is not a Tencent Cloud AppId"),
        ("x" * 40, "1250000000", "ap-guangzhou", "in region 'ap-guangzhou' is too long"),
    ],
)
def test_a_name_the_modules_refuse_is_a_filter_error(name, appid, region, message):
    with pytest.raises(AnsibleFilterError, match=message):
        QUALIFIED(name, appid, region)


@pytest.mark.parametrize("bucket", ["registry", "registry-1", "Registry-1250000000"])
def test_only_a_complete_name_has_an_appid(bucket):
    with pytest.raises(AnsibleFilterError, match="Bucket"):
        APPID(bucket)
