import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.filter.registry_abort_rule import RETURN, FilterModule
from ansible_collections.cosops.registry.plugins.module_utils._rules.lifecycle import (
    aborts_registry_uploads,
    rule_from_options,
)

FILTER = FilterModule().filters()["registry_abort_rule"]


def test_documented_sample_is_what_the_filter_returns():
    assert FILTER("/registry") == yaml.safe_load(RETURN)["_value"]["sample"]


@pytest.mark.parametrize("root", ["/registry", "registry/", "", "/", "/a/b"])
def test_the_rule_is_one_the_module_takes_and_counts_as_aborting_registry_uploads(root):
    rule = rule_from_options(FILTER(root, "7"))
    assert rule["abort_incomplete_multipart_upload_days"] == 7
    assert aborts_registry_uploads([rule], root)


def test_the_days_are_given_or_seven():
    assert FILTER("/registry", 3)["abort_incomplete_multipart_upload_days"] == 3
    assert FILTER("/registry")["abort_incomplete_multipart_upload_days"] == 7


@pytest.mark.parametrize("root", ["/registry/..", "/registry//blobs"])
def test_a_root_directory_the_registry_refuses_is_a_filter_error(root):
    with pytest.raises(AnsibleFilterError, match=r"rootdirectory .* without empty, '\.' or '\.\.' parts"):
        FILTER(root)
