"""The rule tests and the rule_violation filter answer as the modules and the storage driver do, word for word."""

import importlib
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.doc_fragments.registry_storage import ModuleDocFragment
from ansible_collections.cosops.registry.plugins.filter.rule_violation import FilterModule
from ansible_collections.cosops.registry.plugins.module_utils._driver.config import DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import validate_bucket_option
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import registry_cam_policy
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_settings import (
    MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.plugin_utils.rules import RULES

TEST_DIR = Path(__file__).parents[4] / "plugins" / "test"
ROLE_SPECS = Path(__file__).parents[4] / "roles" / "registry" / "meta" / "argument_specs.yml"
VIOLATION = FilterModule().filters()["rule_violation"]
DRIVER = {"secretid": "AKID", "secretkey": "key", "region": "ap-guangzhou", "bucket": "registry-1250000000"}


def jinja_test(rule: str):
    module = importlib.import_module(f"ansible_collections.cosops.registry.plugins.test.{rule}")
    return module.TestModule().tests()[rule]


def driver_refusal(**keys) -> str:
    """The storage driver's sentence for its configuration with `keys` replaced."""
    with pytest.raises(ValidationError) as raised:
        DriverConfig.from_parameters({**DRIVER, **keys})
    return str(raised.value)


def test_every_rule_is_a_documented_test_plugin():
    assert sorted(path.stem for path in TEST_DIR.glob("*.py")) == sorted(RULES)


@pytest.mark.parametrize(
    "rule, value, args",
    [
        ("registry_root", "/registry", ()),
        ("registry_root", "", ()),
        ("registry_root", "/", ()),
        ("registry_root", "docker-data/v1/", ()),
        ("cos_bucket_name", "registry-1250000000", ()),
        ("cos_bucket_name", "registry-1250000000", ("ap-guangzhou",)),
        ("cos_region", "ap-shanghai-fsi", ()),
        ("cos_appid", 1250000000, ()),
    ],
)
def test_a_value_that_keeps_the_rule_passes_and_has_no_violation(rule, value, args):
    assert jinja_test(rule)(value, *args) is True
    assert VIOLATION(value, rule, *args) == ""


@pytest.mark.parametrize("root", ["/registry/..", "/registry/../other", "/a/./b", "/registry//blobs", "/reg*"])
def test_a_root_directory_is_refused_in_the_driver_s_words(root):
    assert jinja_test("registry_root")(root) is False
    assert VIOLATION(root, "registry_root") == driver_refusal(rootdirectory=root)


@pytest.mark.parametrize("bucket", ["registry-1", "registry", "Registry-1250000000", "-registry-1250000000"])
def test_a_bucket_is_refused_in_the_driver_s_words(bucket):
    assert jinja_test("cos_bucket_name")(bucket, "ap-guangzhou") is False
    assert VIOLATION(bucket, "cos_bucket_name", "ap-guangzhou") == driver_refusal(bucket=bucket)


@pytest.mark.parametrize("bucket", ["registry", "registry-1", "registry-1250000000"])
def test_a_bucket_option_may_leave_out_its_appid(bucket):
    assert jinja_test("cos_bucket_option")(bucket, "ap-guangzhou") is True


@pytest.mark.parametrize("bucket", ["Registry-Images", "Registry-1250000000", "-registry", "x" * 40])
def test_a_bucket_option_is_refused_in_the_modules_words(bucket):
    assert jinja_test("cos_bucket_option")(bucket, "ap-guangzhou") is False
    with pytest.raises(ValidationError) as raised:
        validate_bucket_option(bucket, "ap-guangzhou")
    assert VIOLATION(bucket, "cos_bucket_option", "ap-guangzhou") == str(raised.value)


def test_a_bucket_whose_host_is_too_long_is_refused_only_given_the_region():
    bucket = "registry-images-for-the-platform-team-in-production-1250000000"
    assert jinja_test("cos_bucket_name")(bucket) is True
    assert jinja_test("cos_bucket_name")(bucket, "ap-guangzhou") is False
    assert VIOLATION(bucket, "cos_bucket_name", "ap-guangzhou") == driver_refusal(bucket=bucket)


@pytest.mark.parametrize("region", ["Guangzhou", "ap_shanghai", "guangzhou"])
def test_a_region_is_refused_in_the_driver_s_words(region):
    assert jinja_test("cos_region")(region) is False
    assert VIOLATION(region, "cos_region") == driver_refusal(region=region)


@pytest.mark.parametrize("appid", ["125000000", "abc", ""])
def test_an_appid_is_refused_in_the_policy_filter_s_words(appid):
    assert jinja_test("cos_appid")(appid) is False
    with pytest.raises(ValidationError) as raised:
        registry_cam_policy("registry", "ap-guangzhou", appid, "/registry")
    assert VIOLATION(appid, "cos_appid") == str(raised.value)


def test_an_unknown_rule_is_a_filter_error_naming_the_rules():
    with pytest.raises(AnsibleFilterError, match="Unknown rule 'bucket'; the rules are cos_appid, cos_bucket_name, "):
        VIOLATION("registry-1250000000", "bucket")


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"])
def test_loopback_addresses_keep_the_rule(address):
    assert jinja_test("loopback_address")(address)


@pytest.mark.parametrize("address", ["", None, "0.0.0.0", "::", "[::]", "192.168.1.5", "registry.example.com"])
def test_addresses_other_machines_reach_break_the_rule(address):
    assert not jinja_test("loopback_address")(address)
    assert "reachable from other machines" in VIOLATION(address, "loopback_address")


OPEN = {"bind_address": "", "port": 5000, "htpasswd_users": [], "token_realm": "", "allow_anonymous": False}


@pytest.mark.parametrize(
    "change",
    [
        {"htpasswd_users": [{"name": "ci", "password": "secret"}]},
        {"token_realm": "https://auth.example.com/token"},
        {"bind_address": "127.0.0.1"},
        {"bind_address": "[::1]"},
        {"allow_anonymous": True},
        {"allow_anonymous": "yes"},
    ],
)
def test_a_registry_that_authenticates_stays_on_loopback_or_accepts_the_risk_is_protected(change):
    assert jinja_test("registry_protected")({**OPEN, **change}) is True
    assert VIOLATION({**OPEN, **change}, "registry_protected") == ""


@pytest.mark.parametrize(
    "change, where",
    [
        ({}, "every interface port 5000"),
        ({"bind_address": None}, "every interface port 5000"),
        ({"bind_address": "0.0.0.0", "port": 443}, "0.0.0.0 port 443"),
        ({"bind_address": "192.0.2.10", "allow_anonymous": "false"}, "192.0.2.10 port 5000"),
    ],
)
def test_an_anonymous_registry_on_the_network_is_refused_in_one_sentence(change, where):
    assert jinja_test("registry_protected")({**OPEN, **change}) is False
    assert VIOLATION({**OPEN, **change}, "registry_protected") == (
        f"The registry would accept anonymous pushes and deletes on {where}: set registry_auth_htpasswd_users or "
        "registry_auth_token, bind registry_http_bind_address to 127.0.0.1, or set registry_allow_anonymous to true "
        "to accept the risk."
    )


def test_a_switch_that_is_no_boolean_is_refused():
    assert VIOLATION({**OPEN, "allow_anonymous": "maybe"}, "registry_protected") == (
        "registry_allow_anonymous 'maybe' must be true or false."
    )


@pytest.mark.parametrize("size", [5 * 1024 * 1024, "16777216", 100 * 1024 * 1024])
def test_a_chunk_size_within_the_bounds_keeps_the_rule(size):
    assert jinja_test("registry_chunksize")(size) is True


@pytest.mark.parametrize("size", [1048576, 104857601, "16MB", True])
def test_a_chunk_size_is_refused_in_the_driver_s_words(size):
    assert jinja_test("registry_chunksize")(size) is False
    assert VIOLATION(size, "registry_chunksize") == driver_refusal(chunksize=size)


def test_the_documented_chunk_size_bounds_are_the_rule_s():
    bounds = (str(MIN_CHUNK_SIZE), str(MAX_CHUNK_SIZE))
    documents = {
        "doc fragment": ModuleDocFragment.DOCUMENTATION,
        "test plugin": importlib.import_module(
            "ansible_collections.cosops.registry.plugins.test.registry_chunksize"
        ).DOCUMENTATION,
        "role": yaml.safe_load(ROLE_SPECS.read_text())["argument_specs"]["main"]["options"][
            "registry_storage_chunksize"
        ]["description"],
    }
    assert {name: all(bound in text for bound in bounds) for name, text in documents.items()} == dict.fromkeys(
        documents, True
    )


@pytest.mark.parametrize(
    "image, version", [("registry:latest", ""), ("registry:2.8.3", ""), ("registry:4.0.0", "3"), ("registry", None)]
)
def test_an_image_of_a_known_generation_keeps_the_rule(image, version):
    assert jinja_test("registry_image")(image, version) is True
    assert VIOLATION(image, "registry_image", version) == ""


def test_an_image_of_another_major_version_is_refused_with_the_variable_to_set():
    assert jinja_test("registry_image")("registry:4.0.0", "") is False
    assert VIOLATION("registry:4.0.0", "registry_image", "").endswith("set registry_distribution_version to 2 or 3.")
