import math
from pathlib import Path

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.prometheus_text import Sample, parse_text
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

# What distribution 3.1.2 and 2.8.2 served on their debug servers (tests/unit/plugins/filter/data).
EXPOSITIONS = sorted((Path(__file__).parents[1] / "filter" / "data").glob("registry-*-metrics.txt"))

EXPOSITION = r"""
# HELP registry_http_requests_total Total number of HTTP requests made.
# TYPE registry_http_requests_total counter
registry_http_requests_total{code="200",handler="base",method="get"} 2
go_info{version="go1.26.8"} 1

registry_storage_cache_hits_total 0 1712345678000
odd{path="C:\\dir\\\"quoted\"\nnext", trailing="comma",} +Inf
gauge{ spaced = "x" } NaN
histogram_bucket{le="+Inf"} -3.5e-05
"""


def test_samples_keep_names_labels_and_values_and_skip_comments():
    samples = parse_text(EXPOSITION)
    assert samples[:3] == [
        Sample("registry_http_requests_total", {"code": "200", "handler": "base", "method": "get"}, 2.0),
        Sample("go_info", {"version": "go1.26.8"}, 1.0),
        Sample("registry_storage_cache_hits_total", {}, 0.0),
    ]
    assert len(samples) == 6


def test_label_values_are_unescaped_and_a_trailing_comma_is_allowed():
    odd = parse_text(EXPOSITION)[3]
    assert odd.labels == {"path": 'C:\\dir\\"quoted"\nnext', "trailing": "comma"}
    assert odd.value == math.inf


def test_special_values_and_exponents_are_numbers():
    samples = parse_text(EXPOSITION)
    assert math.isnan(samples[4].value) and samples[4].labels == {"spaced": "x"}
    assert samples[5].value == -3.5e-05


@pytest.mark.parametrize(
    "line, reason",
    [
        ('{code="200"} 1', "does not start with a metric name"),
        ('requests{code="200" 1', 'not comma-separated name="value" pairs closed by }'),
        ('requests{code="200" method="get"} 1', 'not comma-separated name="value" pairs closed by }'),
        ("requests{code=200} 1", 'not comma-separated name="value" pairs closed by }'),
        ("requests", "a value (and at most a timestamp) must follow"),
        ("requests 1 2 3", "a value (and at most a timestamp) must follow"),
        ("requests many", "'many' is not a number"),
        ('requests{code="200"}1', "a value (and at most a timestamp) must follow"),
    ],
)
def test_a_malformed_line_is_refused_by_its_number(line, reason):
    with pytest.raises(ValidationError) as refused:
        parse_text(f"# TYPE requests counter\n{line}\n")
    assert str(refused.value).startswith(f"Line 2 of the metrics, {line!r}, is not Prometheus text format: ")
    assert reason in str(refused.value)


@pytest.mark.parametrize("exposition", EXPOSITIONS, ids=lambda path: path.name)
def test_every_sample_line_of_a_real_exposition_parses(exposition):
    text = exposition.read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(parse_text(text)) == len(lines) > 100
