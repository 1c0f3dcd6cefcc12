"""The report check.yml prints for a replica, from metrics distribution 3.1.2 and 2.8.2 really served (data/: each
after one pushed image, then manifest reads while the storage answered 503) and from made-up ones."""

import json
import re
from pathlib import Path

import pytest
import yaml
from ansible_collections.cosops.registry.plugins.filter.registry_metrics_report import RETURN, FilterModule
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_metrics import (
    UPLOAD_FAILURE,
    UPLOAD_HANDLERS,
)

REPORT = FilterModule().filters()["registry_metrics_report"]
DATA = Path(__file__).parent / "data"
RULES = Path(__file__).parents[4] / "prometheus" / "registry-rules.yml"
URL = "http://127.0.0.1:5002/metrics"
PASSING = {"status": 200, "content": "{}"}
STORAGE_ERROR = "s3aws: ServiceUnavailable: Service is unavailable now. Please try again.\n\tstatus code: 503"
FAILING = {"status": 503, "content": json.dumps({"storagedriver_s3": STORAGE_ERROR})}


def answered(content: str) -> dict:
    return {"status": 200, "content": content, "url": URL, "msg": "OK (1234 bytes)"}


def exposition(version: str) -> dict:
    return answered((DATA / f"registry-{version}-metrics.txt").read_text())


def test_distribution_3_counts_requests_errors_uploads_storage_and_cache():
    report = REPORT(exposition("3.1.2"), PASSING)
    assert report["ok"] and report["answered"]
    # 7 series: 2 /v2/, 2 upload PUT, 1 manifest PUT, 2 upload POST, 2 upload PATCH, 3 blob HEAD 404, 6 manifest GET 500
    assert (report["requests"], report["server_errors"]) == (18, 6)
    assert (report["upload_requests"], report["upload_failures"]) == (6, 0)
    assert report["storage_actions"] == 2 + 15 + 2 + 2 + 16 + 10
    assert report["slowest_storage_action"] == {"action": "Stat", "mean_seconds": 31.378354172 / 10, "count": 10}
    assert (report["cache_lookups"], report["cache_hit_ratio"]) == (5, 2 / 5)
    assert report["lines"] == [
        "requests: 18 since 2026-12-07 23:34:44 UTC, 6 answered 5xx",
        "blob uploads: 6 requests, 0 failed",
        "storage: 47 actions, slowest on average Stat (3.1 s over 10)",
        "cache: 40% of 5 lookups hit",
        "health checks: passing (storage reachable)",
    ]


def test_distribution_2_counts_its_one_cache_counter_by_type():
    report = REPORT(exposition("2.8.2"), PASSING)
    assert (report["requests"], report["server_errors"], report["storage_actions"]) == (15, 3, 45)
    assert (report["cache_lookups"], report["cache_hit_ratio"]) == (6, 2 / 6)
    assert report["started"] == "2026-12-07 23:35:31 UTC"
    assert "cache: 33% of 6 lookups hit" in report["lines"]


def test_upload_failures_are_server_errors_and_refused_upload_states_not_challenges():
    content = "\n".join(
        f'registry_http_requests_total{{code="{code}",handler="{handler}",method="{method}"}} {count}'
        for handler, method, code, count in (
            ("blob_upload", "post", "202", 10),
            ("blob_upload", "post", "401", 4),
            ("blob_upload_chunk", "patch", "400", 1),
            ("blob_upload_chunk", "put", "404", 2),
            ("blob_upload_chunk", "put", "500", 3),
            ("blob", "head", "404", 7),
            ("manifest", "get", "503", 5),
        )
    )
    report = REPORT(answered(content), PASSING)
    assert (report["upload_requests"], report["upload_failures"]) == (20, 6)
    assert (report["requests"], report["server_errors"]) == (32, 8)
    assert report["lines"][:3] == [
        "requests: 32 since the start, 8 answered 5xx",
        "blob uploads: 20 requests, 6 failed",
        "storage: 0 actions",
    ]
    assert not any(line.startswith("cache:") for line in report["lines"])


def test_a_failing_storage_health_check_makes_the_report_fail_with_its_error():
    report = REPORT(exposition("3.1.2"), FAILING)
    assert not report["ok"] and report["answered"]
    assert report["failing_checks"] == {"storagedriver_s3": STORAGE_ERROR}
    assert report["lines"][-1] == (
        "health check storagedriver_s3 FAILING: s3aws: ServiceUnavailable: Service is unavailable now. Please try "
        "again. status code: 503"
    )


@pytest.mark.parametrize("health", [None, {"status": -1, "msg": "Connection refused"}, {"status": 200, "content": "<"}])
def test_health_checks_that_do_not_answer_are_reported_unknown(health):
    report = REPORT(exposition("3.1.2"), health)
    assert not report["ok"]
    assert report["lines"][-1] == "health checks: /debug/health did not answer"


def test_metrics_that_do_not_answer_are_reported_with_the_reason():
    report = REPORT({"status": -1, "url": URL, "msg": "Status code was -1: Connection refused"}, None)
    assert report == {
        "ok": False,
        "answered": False,
        "url": URL,
        "lines": [f"no answer from {URL}: Status code was -1: Connection refused"],
    }
    assert REPORT({"status": 404, "url": URL}, None)["lines"] == [f"no answer from {URL}: HTTP 404"]


def test_an_answer_that_is_not_metrics_is_reported():
    report = REPORT(answered("<html>login</html>\n"), PASSING)
    assert not report["ok"] and report["answered"]
    assert report["lines"][0].startswith(f"{URL} answered, but not with metrics: Line 1 of the metrics, ")


def test_the_alert_rules_count_the_same_upload_failures():
    """The recording rule and the report mean the same by a failed upload."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    rules = {rule.get("record"): rule["expr"] for group in groups for rule in group["rules"]}
    selector = re.search(
        r"registry_http_requests_total\{([^}]*)\}", rules["instance:registry_blob_upload_failures:rate5m"]
    )
    assert selector.group(1) == f'handler=~"{"|".join(UPLOAD_HANDLERS)}",code=~"{UPLOAD_FAILURE.pattern}"'


def test_documented_return_keys_are_the_report_keys():
    documented = set(yaml.safe_load(RETURN)["_value"]["contains"])
    assert set(REPORT(exposition("3.1.2"), PASSING)) == documented
