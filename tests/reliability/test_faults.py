"""Transient faults: every module and the storage driver run against an emulator that answers each API they call with
three consecutive 503 SlowDown (RequestLimitExceeded on CAM), 500 InternalError, dropped connections or slow answers,
and they succeed with the outcome of a fault-free run.

The APIs are those a fault-free run calls, read from the emulator's counters, so a new call is covered without a
change here. AddUser and CreatePolicy name what they create, so after any transient failure the module looks the name
up before sending them again, and they meet every fault kind. CreateAccessKey and CompleteMultipartUpload are retried
by the client only when throttled, since after an InternalError or a lost answer the server may have acted; for them
only throttling and slow answers are injected here, and test_fault_bounds.py proves their failures clean.
What rides the faults out is the client layer's retries alone: cos-python-sdk-v5 runs with retry=0 and
tencentcloud-sdk-python without a retryer (tests/unit: test_client.py), so an SDK resend never hides a fault here,
although the emulator answers one as cos-python-sdk-v5 expects (emulator/tests/test_sdk_retries.py).
The (module, fault kind) runs go in parallel, each on its own emulator, since backoff is mostly waiting."""

from __future__ import annotations

import os
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig

from emulator import clients
from tests.reliability import emulators
from tests.support import ansible_runner

CONSECUTIVE = 3
SLOW_ANSWER = 0.5
KINDS = ("slowdown", "internal", "drop", "delay")
NOT_IDEMPOTENT = frozenset(("cam:CreateAccessKey", "cos:CompleteMultipartUpload"))
RETRIED_ONLY_WHEN_THROTTLED = frozenset(("internal", "drop"))
LANES = 8
BUCKET = "faults-{appid}"
ROOT_DIRECTORY = "/registry"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Target:
    """What runs under faults: a setup on an empty emulator, then the run, which returns a comparable outcome."""

    name: str
    setup: Callable
    run: Callable


def root_cos(lane):
    return clients.cos_client(lane.url, lane.iam.root_secret_id, lane.iam.root_secret_key)


def root_cam(lane):
    return clients.cam(lane.url, lane.iam.root_secret_id, lane.iam.root_secret_key)


def bucket_of(lane) -> str:
    return BUCKET.format(appid=lane.appid)


def create_bucket(lane, work: Path) -> None:
    root_cos(lane).create_bucket(Bucket=bucket_of(lane))


def create_bucket_with_object(lane, work: Path) -> None:
    create_bucket(lane, work)
    root_cos(lane).put_object(Bucket=bucket_of(lane), Key="registry/docker/registry/v2/repositories/a", Body=b"a")


def create_policy(lane, work: Path) -> None:
    document = '{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetObject","resource":"*"}]}'
    root_cam(lane).call_json("CreatePolicy", {"PolicyName": "faults-policy", "PolicyDocument": document})


def create_user(lane, work: Path) -> None:
    root_cam(lane).call_json("AddUser", {"Name": "faults-user"})


def nothing(lane, work: Path) -> None:
    """The run creates what it needs."""


def module_run(module: str, args: Callable[[object, Path], dict]) -> Callable:
    def run(lane, work: Path) -> dict:
        result = ansible_runner.run_module(lane, module, args(lane, work))
        assert not result.get("failed"), f"{module} failed: {result.get('msg')}"
        return {"changed": result.get("changed")}

    return run


def driver_run(lane, work: Path) -> dict:
    """The driver's calls as the registry makes them: a multipart blob, small files, stat, list, move, delete."""
    driver = CosDriver(
        DriverConfig.from_parameters(
            {
                "secretid": lane.iam.root_secret_id,
                "secretkey": lane.iam.root_secret_key,
                "region": clients.REGION,
                "bucket": bucket_of(lane),
                "endpoint": lane.url,
                "rootdirectory": ROOT_DIRECTORY,
                "chunksize": 5 * MIB,
                "maxconcurrency": 2,
            }
        )
    )
    blob = os.urandom(11 * MIB)
    writer = driver.writer("/faults/blob")
    writer.write(blob)
    writer.commit()
    driver.put_content("/faults/link", b"sha256:0")
    driver.move("/faults/link", "/faults/moved")
    outcome = {
        "blob intact": driver.get_content("/faults/blob") == blob,
        "size": driver.stat("/faults/blob").size,
        "listed": sorted(driver.list("/faults")),
    }
    driver.delete("/faults")
    uploads = driver.api.call("list_multipart_uploads", Bucket=driver.bucket).get("Upload", [])
    outcome["uploads left"] = len(uploads)
    return outcome


def secret_file(lane, work: Path) -> dict:
    return {"user_name": "faults-user", "secret_file": str(work / "key.yml")}


TARGETS = [
    # The longest runs first, so the lanes finish together.
    Target(
        "registry_storage_check",
        create_bucket,
        module_run(
            "registry_storage_check",
            lambda lane, work: {
                "bucket": bucket_of(lane),
                "rootdirectory": ROOT_DIRECTORY,
                "chunksize": 5 * MIB,
                "smoke_size": 11 * MIB,
                "secure": False,
            },
        ),
    ),
    Target(
        "cos_bucket_info",
        create_bucket_with_object,
        module_run("cos_bucket_info", lambda lane, work: {"name": bucket_of(lane), "object_stats": True}),
    ),
    Target(
        "cos_bucket",
        nothing,
        module_run(
            "cos_bucket",
            lambda lane, work: {"name": bucket_of(lane), "acl": "private", "versioning": "enabled", "tags": {"a": "b"}},
        ),
    ),
    Target("cos_driver", create_bucket, driver_run),
    Target(
        "cam_user",
        create_policy,
        module_run("cam_user", lambda lane, work: {"name": "faults-user", "policies": ["faults-policy"]}),
    ),
    Target("cam_access_key", create_user, module_run("cam_access_key", secret_file)),
    Target(
        "cam_policy",
        nothing,
        module_run(
            "cam_policy",
            lambda lane, work: {
                "name": "faults-policy",
                "document": {"version": "2.0", "statement": [{"effect": "allow", "action": "cos:*", "resource": "*"}]},
            },
        ),
    ),
    Target(
        "cos_lifecycle",
        create_bucket,
        module_run(
            "cos_lifecycle",
            lambda lane, work: {
                "bucket": bucket_of(lane),
                "registry_root": ROOT_DIRECTORY,
                "rules": [
                    {"id": "abort", "filter": {"prefix": "registry/"}, "abort_incomplete_multipart_upload_days": 7}
                ],
            },
        ),
    ),
]


class Lanes:
    """Child emulators handed out one job at a time."""

    def __init__(self, count: int) -> None:
        with ThreadPoolExecutor(count) as pool:
            self.all = list(pool.map(lambda index: emulators.start(), range(count)))
        self.free: queue.Queue = queue.Queue()
        for lane in self.all:
            self.free.put(lane)

    def run(self, job: Callable, *arguments):
        lane = self.free.get()
        try:
            lane.reset()
            return job(lane, *arguments)
        finally:
            self.free.put(lane)

    def stop(self) -> None:
        for lane in self.all:
            lane.stop()


@pytest.fixture(scope="module")
def lanes():
    pool = Lanes(LANES)
    yield pool
    pool.stop()


def operations_called(lane, target: Target, work: Path) -> tuple[list[str], dict]:
    """The APIs a fault-free run calls (from the counters), and its outcome."""
    target.setup(lane, work)
    lane.control.clear_counters()
    outcome = target.run(lane, work)
    return sorted(lane.control.counters()["operations"]), outcome


def injected_faults(operations: list[str], kind: str) -> list[str]:
    if kind in RETRIED_ONLY_WHEN_THROTTLED:
        return [operation for operation in operations if operation not in NOT_IDEMPOTENT]
    return operations


def run_under_faults(lane, target: Target, kind: str, operations: list[str], work: Path) -> tuple[dict, list, int]:
    """(outcome, faults left, faults injected) of a run whose every API first meets `kind` 3 times. A slow answer
    is no failure, so an API called once meets one slow answer and leaves the other two."""
    target.setup(lane, work)
    faulted = injected_faults(operations, kind)
    for operation in faulted:
        lane.control.add_fault(kind, CONSECUTIVE, SLOW_ANSWER if kind == "delay" else 0, operation=operation)
    return target.run(lane, work), lane.control.faults(), CONSECUTIVE * len(faulted)


def test_every_module_and_the_driver_survive_three_consecutive_faults_on_each_api(lanes, tmp_path, figures):
    def directory(*parts: str) -> Path:
        path = tmp_path.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    with ThreadPoolExecutor(LANES) as pool:
        clean = dict(
            zip(
                [target.name for target in TARGETS],
                pool.map(lambda target: lanes.run(operations_called, target, directory(target.name, "clean")), TARGETS),
            )
        )
        jobs = [(target, kind) for target in TARGETS for kind in KINDS]
        results = list(
            pool.map(
                lambda job: lanes.run(
                    run_under_faults, job[0], job[1], clean[job[0].name][0], directory(job[0].name, job[1])
                ),
                jobs,
            )
        )
    problems = []
    for (target, kind), (outcome, left, injected) in zip(jobs, results):
        operations, expected = clean[target.name]
        if outcome != expected:
            problems.append(f"{target.name} under {kind}: {outcome} instead of {expected}")
        unreached = [fault for fault in left if kind != "delay" or fault["count"] == CONSECUTIVE]
        if unreached:
            problems.append(f"{target.name} under {kind}: faults never reached: {unreached}")
        figures.add("faults_survived", injected - sum(fault["count"] for fault in left))
    figures.add("apis_faulted", sum(len(operations) for operations, _outcome in clean.values()))
    assert not problems, "\n".join(problems)
