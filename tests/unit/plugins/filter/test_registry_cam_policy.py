import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.filter.registry_cam_policy import RETURN, FilterModule
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import registry_cam_policy

FILTER = FilterModule().filters()["registry_cam_policy"]


def test_filter_returns_the_registry_policy():
    assert FILTER("registry", "ap-guangzhou", 1250000000, "registry") == registry_cam_policy(
        "registry-1250000000", "ap-guangzhou", "1250000000", "registry"
    )


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="Region"):
        FILTER("registry", "nowhere", "1250000000")


def test_documented_sample_is_what_the_filter_returns():
    sample = yaml.safe_load(RETURN)["_value"]["sample"]
    assert sample == FILTER("registry-1250000000", "ap-guangzhou", "1250000000", "registry")
