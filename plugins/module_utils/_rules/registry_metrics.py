# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a registry replica's Prometheus metrics say, and where Prometheus finds them. Pure: no network, no Ansible.

distribution 3 and 2 serve on their debug server: registry_http_requests_total{handler,method,code},
registry_storage_action_seconds{driver,action} (a histogram), the blob descriptor cache's counters
(registry_storage_cache_requests_total and _hits_total in 3, registry_storage_cache_total{type} in 2) and
process_start_time_seconds; /debug/health answers the failing health checks as JSON. Neither counts failed storage
actions: the storage health check's verdict is where they show. prometheus/registry-rules.yml reads the same series."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timezone

from ansible_collections.cosops.registry.plugins.module_utils._rules.exposure import is_loopback
from ansible_collections.cosops.registry.plugins.module_utils._rules.prometheus_text import parse_text
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

REQUESTS = "registry_http_requests_total"
STORAGE_COUNT, STORAGE_SUM = "registry_storage_action_seconds_count", "registry_storage_action_seconds_sum"
UPLOAD_HANDLERS = ("blob_upload", "blob_upload_chunk")
# An upload request failed: a server error, or the replica refused the upload's state (400 BLOB_UPLOAD_INVALID, 404
# BLOB_UPLOAD_UNKNOWN). The recording rule instance:registry_blob_upload_failures:rate5m counts the same answers.
UPLOAD_FAILURE = re.compile(r"5..|400|404")
SERVER_ERROR = re.compile(r"5..")
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::", "[::]")
# The Prometheus jobs prometheus/registry-rules.yml expects: the metrics, and the registry port's root path.
METRICS_JOB, SERVING_JOB = "registry", "registry-serving"


def metrics_report(metrics: Mapping, health: Mapping | None = None) -> dict:
    """The report of one replica from the `ansible.builtin.uri` results of its /metrics and its /debug/health (both
    read with return_content and failed_when false): ok when the metrics answer and no health check fails."""
    url = metrics.get("url", "")
    if metrics.get("status") != 200:
        reason = metrics.get("msg") or f"HTTP {metrics.get('status')}"
        return {"ok": False, "answered": False, "url": url, "lines": [f"no answer from {url}: {reason}"]}
    try:
        report = counts(parse_text(metrics.get("content", "")))
    except ValidationError as error:
        return {"ok": False, "answered": True, "url": url, "lines": [f"{url} answered, but not with metrics: {error}"]}
    failing = failing_checks(health)
    report.update(url=url, answered=True, failing_checks=failing or {}, ok=failing == {})
    report["lines"] = report_lines(report, failing)
    return report


def counts(samples) -> dict:
    """Requests, server errors, upload requests and failures, storage actions and cache lookups since the start."""
    requests = [sample for sample in samples if sample.name == REQUESTS]
    uploads = [sample for sample in requests if sample.labels.get("handler") in UPLOAD_HANDLERS]
    return {
        "requests": total(requests),
        "server_errors": total(sample for sample in requests if SERVER_ERROR.fullmatch(sample.labels.get("code", ""))),
        "upload_requests": total(uploads),
        "upload_failures": total(
            sample for sample in uploads if UPLOAD_FAILURE.fullmatch(sample.labels.get("code", ""))
        ),
        "storage_actions": total(sample for sample in samples if sample.name == STORAGE_COUNT),
        "slowest_storage_action": slowest_action(samples),
        **cache_counts(samples),
        "started": started(samples),
    }


def total(samples) -> int:
    return int(sum(sample.value for sample in samples))


def slowest_action(samples) -> dict | None:
    """The storage action with the longest mean time since the start: {action, mean_seconds, count}."""
    seconds, count = defaultdict(float), defaultdict(float)
    for sample in samples:
        if sample.name in (STORAGE_SUM, STORAGE_COUNT):
            (seconds if sample.name == STORAGE_SUM else count)[sample.labels.get("action", "")] += sample.value
    means = {action: seconds[action] / count[action] for action in count if count[action]}
    if not means:
        return None
    action = max(means, key=means.get)
    return {"action": action, "mean_seconds": means[action], "count": int(count[action])}


def cache_counts(samples) -> dict:
    """Blob descriptor cache lookups and hits: distribution 3's two counters, or distribution 2's one by type."""
    by_name = {sample.name: sample.value for sample in samples if not sample.labels}
    by_type = {s.labels.get("type"): s.value for s in samples if s.name == "registry_storage_cache_total"}
    lookups = by_name.get("registry_storage_cache_requests_total", by_type.get("Request", 0))
    hits = by_name.get("registry_storage_cache_hits_total", by_type.get("Hit", 0))
    return {"cache_lookups": int(lookups), "cache_hit_ratio": hits / lookups if lookups else None}


def started(samples) -> str:
    """When the replica's process started, in UTC; empty when the metrics do not say."""
    for sample in samples:
        if sample.name == "process_start_time_seconds":
            return datetime.fromtimestamp(sample.value, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return ""


def failing_checks(health: Mapping | None) -> dict | None:
    """{check: error} of the failing health checks from /debug/health's answer (200 {} when all pass, 503 with the
    errors otherwise); None when it did not answer."""
    if not health or health.get("status") not in (200, 503):
        return None
    try:
        checks = json.loads(health.get("content") or "{}")
    except ValueError:
        return None
    return {str(name): str(error) for name, error in checks.items()} if isinstance(checks, dict) else None


def report_lines(report: Mapping, failing: dict | None) -> list[str]:
    since = f" since {report['started']}" if report["started"] else " since the start"
    lines = [
        f"requests: {report['requests']}{since}, {report['server_errors']} answered 5xx",
        f"blob uploads: {report['upload_requests']} requests, {report['upload_failures']} failed",
        f"storage: {report['storage_actions']} actions{slowest_words(report['slowest_storage_action'])}",
    ]
    if report["cache_hit_ratio"] is not None:
        lines.append(f"cache: {report['cache_hit_ratio']:.0%} of {report['cache_lookups']} lookups hit")
    if failing is None:
        lines.append("health checks: /debug/health did not answer")
    elif failing:
        lines.extend(
            f"health check {name} FAILING: {' '.join(error.split())}" for name, error in sorted(failing.items())
        )
    else:
        lines.append("health checks: passing (storage reachable)")
    return lines


def slowest_words(slowest: Mapping | None) -> str:
    if not slowest:
        return ""
    mean = slowest["mean_seconds"]
    shown = f"{mean * 1000:.0f} ms" if mean < 1 else f"{mean:.1f} s"
    return f", slowest on average {slowest['action']} ({shown} over {slowest['count']})"


def scrape_targets(replicas) -> dict:
    """Prometheus file_sd target groups of the two jobs the rules expect, from each replica's description (the role's
    `tasks_from: scrape_target` fact: instance, host, scheme, http_bind_address, http_port, metrics_enabled,
    metrics_bind_address, metrics_port, metrics_path), and the instances whose metrics only their own host reaches."""
    jobs = {METRICS_JOB: [], SERVING_JOB: []}
    local_only = []
    for replica in replicas:
        labels = {"instance": str(replica["instance"])}
        serving = host_port(reachable_host(replica["http_bind_address"], replica["host"]), replica["http_port"])
        jobs[SERVING_JOB].append(
            {"targets": [serving], "labels": {**labels, "__scheme__": replica["scheme"], "__metrics_path__": "/"}}
        )
        if not replica["metrics_enabled"]:
            continue
        bind = str(replica["metrics_bind_address"] or "")
        metrics = host_port(reachable_host(bind, replica["host"]), replica["metrics_port"])
        jobs[METRICS_JOB].append(
            {"targets": [metrics], "labels": {**labels, "__metrics_path__": replica["metrics_path"]}}
        )
        if is_loopback(bind):
            local_only.append(labels["instance"])
    return {"jobs": jobs, "local_only": local_only}


def reachable_host(bind_address, inventory_host) -> str:
    """Where others reach a service bound to bind_address: that address, or the host's own when it binds to all."""
    bind = str(bind_address or "").strip()
    return str(inventory_host) if bind in WILDCARD_ADDRESSES else bind


def host_port(host: str, port) -> str:
    bare = host.strip("[]")
    return f"[{bare}]:{int(port)}" if ":" in bare else f"{bare}:{int(port)}"
