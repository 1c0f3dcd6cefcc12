"""Which hosts of a run failed a step, from the facts each kept."""

import pytest
from ansible_collections.cosops.registry.plugins.filter.failed_hosts import failed_hosts

HOSTVARS = {
    "passed": {"report": {"health_ok": True, "storage_ok": True}, "verified": True, "rolled_back": True},
    "storage": {"report": {"health_ok": True, "storage_ok": False}, "verified": "False", "rolled_back": False},
    "unhealthy": {"report": {"health_ok": False, "storage_ok": False}, "verified": "yes"},
    "unreached": {},
}
HOSTS = list(HOSTVARS)


@pytest.mark.parametrize(
    "path, failed",
    [
        ("report.storage_ok", ["storage", "unhealthy", "unreached"]),
        ("report.health_ok", ["unhealthy", "unreached"]),
        ("verified", ["storage", "unreached"]),
        ("report", ["unreached"]),
    ],
)
def test_hosts_whose_fact_is_not_true_or_missing_fail_in_the_order_given(path, failed):
    assert failed_hosts(HOSTS, HOSTVARS, path) == failed


def test_a_missing_fact_passes_when_only_hosts_that_tried_have_it():
    assert failed_hosts(HOSTS, HOSTVARS, "rolled_back", missing_fails="false") == ["storage"]


def test_reasons_name_the_first_check_each_host_fails():
    checks = {"report": "not checked", "report.health_ok": "unhealthy", "report.storage_ok": "storage"}
    assert failed_hosts(HOSTS, HOSTVARS, checks) == [
        "storage: storage",
        "unhealthy: unhealthy",
        "unreached: not checked",
    ]


def test_only_the_hosts_asked_about_are_read():
    assert failed_hosts(["passed"], HOSTVARS, "report.storage_ok") == []
    assert failed_hosts([], {}, "report.storage_ok") == []
