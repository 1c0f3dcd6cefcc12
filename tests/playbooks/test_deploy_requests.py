"""The requests each module makes on a re-run of deploy.yml that changes nothing, counted by the emulator task by task
and published in docs/figures/deploy-requests.md."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.support.deployment import Deployment, output, recap
from tests.support.figures import write_figures

HOST = "registry-requests"
CALLBACKS = Path(__file__).parent / "callbacks"
# What deploy.yml's cos_bucket task manages here: the ACL always, versioning and tags when asked for.
READS = ("Get", "Head", "List", "Describe")
BUCKET_SETTINGS = {"cosops_bucket_versioning": "enabled", "cosops_bucket_tags": {"app": "registry"}}


@pytest.fixture(scope="module")
def rerun_requests(deployments) -> list[dict]:
    """[{task, action, operations}] of a no-change re-run; the registry's own storage health checks and upload
    purging are turned off, as they would count between the modules' requests."""
    deployed: Deployment = deployments(
        HOST, registry_health_storagedriver={"enabled": False}, registry_storage_uploadpurging={"enabled": False}
    )
    first = deployed.playbook("deploy.yml", extra_vars=BUCKET_SETTINGS)
    assert first.returncode == 0, output(first)
    requests_file = deployed.work / "requests.json"
    rerun = deployed.playbook(
        "deploy.yml",
        extra_vars=BUCKET_SETTINGS,
        environment={
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "emulator_requests",
            "EMULATOR_REQUESTS_FILE": str(requests_file),
        },
    )
    assert rerun.returncode == 0, output(rerun)
    assert {host: counts["changed"] for host, counts in recap(rerun).items()} == {"localhost": 0, HOST: 0}
    return json.loads(requests_file.read_text())


def per_module(tasks: list[dict]) -> dict[str, Counter]:
    """The operations of every module that made requests, in the order the modules first ran."""
    modules: dict[str, Counter] = {}
    for task in tasks:
        if task["operations"]:
            modules.setdefault(task["action"].rsplit(".", 1)[-1], Counter()).update(task["operations"])
    return modules


def render(modules: dict[str, Counter]) -> str:
    rows = [
        f"| `{module}` | {sum(operations.values())} | "
        + ", ".join(f"{name} {count}" for name, count in sorted(operations.items()))
        + " |"
        for module, operations in modules.items()
    ]
    total = sum(sum(operations.values()) for operations in modules.values())
    return "\n".join(
        [
            "## Requests of a deploy that changes nothing",
            "",
            "Written by `tests/playbooks/test_deploy_requests.py`: `playbooks/deploy.yml` re-run on one registry host,",
            "with bucket versioning and tags given, counted by the emulator task by task (a callback reads its counters",
            "when each task starts). Every request is a read, except the storage check's: it writes probe objects under",
            "`_storage_check/` and removes them again. The registry's own storage health check and upload purging",
            "are off during the count: they run on their own timers and add their requests to whichever task is running.",
            "",
            "| module | requests | operations |",
            "| --- | ---: | --- |",
            *rows,
            f"| total | {total} | |",
        ]
    )


def test_cos_bucket_reads_only_the_settings_it_manages(rerun_requests):
    assert per_module(rerun_requests)["cos_bucket"] == {
        "cos:HeadBucket": 1,
        "cos:GetBucketACL": 1,
        "cos:GetBucketVersioning": 1,
        "cos:GetBucketTagging": 1,
    }


def test_a_rerun_only_reads_and_its_requests_are_published(rerun_requests):
    modules = per_module(rerun_requests)
    writes = {
        module: [name for name in operations if not name.split(":", 1)[1].startswith(READS)]
        for module, operations in modules.items()
    }
    # The storage check proves the registry's storage by writing probe objects, which it removes again.
    assert writes.pop("registry_storage_check")
    assert writes == {module: [] for module in writes}
    write_figures("deploy-requests", "tests/playbooks/test_deploy_requests.py (make playbooks)", render(modules))
