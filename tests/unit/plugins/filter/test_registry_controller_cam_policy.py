import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.filter.registry_controller_cam_policy import RETURN, FilterModule
from ansible_collections.cosops.registry.plugins.module_utils._rules.controller_policy import controller_cam_policy

FILTER = FilterModule().filters()["registry_controller_cam_policy"]


def test_filter_returns_the_controller_policy():
    assert FILTER("registry", "ap-guangzhou", 1250000000, 100000000001, "/registry/") == controller_cam_policy(
        "registry-1250000000", "ap-guangzhou", "1250000000", "100000000001", "registry"
    )


@pytest.mark.parametrize(
    "args, rule",
    [
        (("registry", "nowhere", "1250000000", "100000000001"), "Region"),
        (("registry", "ap-guangzhou", "1250000000", "root"), "UIN 'root'"),
        (("registry-1250000001", "ap-guangzhou", "1250000000", "100000000001"), "AppId"),
        (("registry", "ap-guangzhou", "1250000000", "100000000001", "../x"), "rootdirectory"),
    ],
)
def test_bad_input_is_a_filter_error_naming_the_rule(args, rule):
    with pytest.raises(AnsibleFilterError, match=rule):
        FILTER(*args)


def test_documented_sample_is_what_the_filter_returns():
    sample = yaml.safe_load(RETURN)["_value"]["sample"]
    assert sample == FILTER("registry-1250000000", "ap-guangzhou", "1250000000", "100000000001", "registry")
