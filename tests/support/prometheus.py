"""Debian's Prometheus started by a test on loopback, with a configuration and data directory of its own: it scrapes
the jobs it is given from file_sd target files and evaluates the collection's rules (prometheus/registry-rules.yml),
their `for:` durations and rate windows shortened so that a scenario of minutes takes seconds; its HTTP API is read
for targets, alerts and queries."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import requests
import yaml

from tests.support import processes

BINARY = "/usr/bin/prometheus"
RULES = processes.REPOSITORY / "prometheus" / "registry-rules.yml"
START_TIMEOUT = 60
RANGE = re.compile(r"\[\d+[smhd]\]")


def available() -> bool:
    return shutil.which(BINARY) is not None


def firing(alerts: list[dict]) -> set[tuple[str, str]]:
    """(alertname, instance) of every firing alert of `alerts` (Prometheus.alerts())."""
    return {
        (alert["labels"]["alertname"], alert["labels"].get("instance", ""))
        for alert in alerts
        if alert["state"] == "firing"
    }


def scaled_rules(destination: Path, hold: str, window: str, source: Path = RULES) -> Path:
    """The rules of `source` with every `for:` set to `hold` and every range selector ([5m]) set to `window`;
    expressions, thresholds, labels and annotations stay as shipped."""
    document = yaml.safe_load(source.read_text())
    for group in document["groups"]:
        for rule in group["rules"]:
            rule["expr"] = RANGE.sub(f"[{window}]", rule["expr"])
            if "for" in rule:
                rule["for"] = hold
    destination.write_text(yaml.safe_dump(document, sort_keys=False))
    return destination


class Prometheus:
    """jobs: {job name: file_sd target file}; rule_files: rules to evaluate. Scrapes and evaluates every `interval`."""

    def __init__(self, work: Path, jobs: dict[str, Path], rule_files: tuple[Path, ...] = (), interval: str = "1s"):
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.port = processes.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = work / "prometheus.yml"
        self.log_path = work / "prometheus.log"
        config = {
            "global": {"scrape_interval": interval, "scrape_timeout": interval, "evaluation_interval": interval},
            "rule_files": [str(path) for path in rule_files],
            "scrape_configs": [
                {"job_name": job, "file_sd_configs": [{"files": [str(path)], "refresh_interval": interval}]}
                for job, path in jobs.items()
            ],
        }
        self.config.write_text(yaml.safe_dump(config, sort_keys=False))
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Prometheus":
        command = [
            BINARY,
            f"--config.file={self.config}",
            f"--storage.tsdb.path={self.work / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            processes.wait_until(self.ready, "Prometheus answering /-/ready", START_TIMEOUT)
        except (AssertionError, TimeoutError):
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        processes.stop(self.process)

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"prometheus exited with {self.process.returncode}:\n{self.log()}")
        try:
            return requests.get(f"{self.url}/-/ready", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def api(self, path: str, **params) -> list | dict:
        answer = requests.get(f"{self.url}/api/v1/{path}", params=params, timeout=10)
        answer.raise_for_status()
        return answer.json()["data"]

    def targets(self) -> list[dict]:
        """The active targets: labels (job, instance), health (up, down, unknown), lastError."""
        return self.api("targets", state="active")["activeTargets"]

    def alerts(self) -> list[dict]:
        """Pending and firing alerts: labels (alertname, instance, ...), state, activeAt, annotations."""
        return self.api("alerts")["alerts"]

    def query(self, expression: str) -> list[dict]:
        return self.api("query", query=expression)["result"]
