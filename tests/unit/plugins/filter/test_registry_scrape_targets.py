import pytest
import yaml
from ansible_collections.cosops.registry.plugins.filter.registry_scrape_targets import RETURN, FilterModule

TARGETS = FilterModule().filters()["registry_scrape_targets"]


def replica(instance: str = "registry1", **overrides) -> dict:
    """A replica as the role's scrape_target entry point describes it, with the role's defaults."""
    return {
        "instance": instance,
        "host": "10.0.0.5",
        "scheme": "http",
        "http_bind_address": "",
        "http_port": 5000,
        "metrics_enabled": True,
        "metrics_bind_address": "10.0.0.5",
        "metrics_port": 5002,
        "metrics_path": "/metrics",
        **overrides,
    }


def test_every_replica_gets_a_metrics_and_a_serving_target_named_by_its_instance():
    result = TARGETS([replica("registry1"), replica("registry2", host="10.0.0.6", metrics_bind_address="0.0.0.0")])
    assert result["jobs"] == {
        "registry": [
            {"targets": ["10.0.0.5:5002"], "labels": {"instance": "registry1", "__metrics_path__": "/metrics"}},
            {"targets": ["10.0.0.6:5002"], "labels": {"instance": "registry2", "__metrics_path__": "/metrics"}},
        ],
        "registry-serving": [
            {
                "targets": ["10.0.0.5:5000"],
                "labels": {"instance": "registry1", "__scheme__": "http", "__metrics_path__": "/"},
            },
            {
                "targets": ["10.0.0.6:5000"],
                "labels": {"instance": "registry2", "__scheme__": "http", "__metrics_path__": "/"},
            },
        ],
    }
    assert result["local_only"] == []


@pytest.mark.parametrize(
    "bind, target",
    [("", "registry1.example.com:5000"), ("::", "registry1.example.com:5000"), ("192.0.2.7", "192.0.2.7:5000")],
)
def test_a_service_on_every_address_is_reached_at_the_inventory_address(bind, target):
    serving = TARGETS([replica(host="registry1.example.com", http_bind_address=bind)])["jobs"]["registry-serving"]
    assert serving[0]["targets"] == [target]


def test_ipv6_addresses_are_bracketed():
    result = TARGETS([replica(metrics_bind_address="fd00::5", http_bind_address="[fd00::5]")])
    assert result["jobs"]["registry"][0]["targets"] == ["[fd00::5]:5002"]
    assert result["jobs"]["registry-serving"][0]["targets"] == ["[fd00::5]:5000"]


def test_metrics_on_loopback_are_listed_and_named_as_reached_only_from_their_host():
    result = TARGETS(
        [replica("registry1", metrics_bind_address="127.0.0.1", metrics_port="5102"), replica("registry2")]
    )
    assert result["jobs"]["registry"][0]["targets"] == ["127.0.0.1:5102"]
    assert result["local_only"] == ["registry1"]


def test_a_replica_without_metrics_has_only_its_serving_target_and_tls_is_scraped_over_https():
    result = TARGETS([replica(metrics_enabled=False, scheme="https")])
    assert result["jobs"]["registry"] == []
    assert result["jobs"]["registry-serving"][0]["labels"]["__scheme__"] == "https"


def test_documented_return_keys_are_the_result_keys():
    assert set(yaml.safe_load(RETURN)["_value"]["contains"]) == set(TARGETS([replica()]))
