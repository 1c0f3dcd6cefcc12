import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cosops.registry.plugins.filter.registry_cam_policy import FilterModule
from ansible_collections.cosops.registry.plugins.module_utils.registry_policy import registry_cam_policy

FILTER = FilterModule().filters()["registry_cam_policy"]


def test_filter_returns_the_registry_policy():
    assert FILTER("registry", "ap-guangzhou", 1250000000, "registry") == registry_cam_policy(
        "registry-1250000000", "ap-guangzhou", "1250000000", "registry"
    )


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="Region"):
        FILTER("registry", "nowhere", "1250000000")
