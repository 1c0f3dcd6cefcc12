"""registry:2 and registry:3 under listings that lag behind writes (the emulator's list_delay), each with a CAM
sub-user key holding the collection's least-privilege policy: registry:3 addresses the bucket by virtual host on a
bucket that refuses path style, as new COS buckets do; registry:2 can only use path style. Both run the same workload
(tests/reliability/listing_delay.py); what they did is written to docs/registry-versions.md."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
from typing import Iterator
from urllib.parse import urljoin

import pytest
import requests
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import registry_cam_policy

from emulator import clients
from tests.reliability import listing_delay
from tests.support import processes, registry

pytestmark = pytest.mark.skipif(
    not (shutil.which("skopeo") and shutil.which(registry.REGISTRY_BINARY) and shutil.which("go")),
    reason="needs skopeo, docker-registry and Go",
)

BUCKET = "images-1250000000"
REGION = "ap-guangzhou"
ROOT_DIRECTORY = "registry"
# registry:2's rounds are its measurement, registry:3's its assertion; few enough to keep both near a minute (every
# failed push is tried three times with a 33 MiB layer).
ROUNDS = {2: 2, 3: 2}


@contextlib.contextmanager
def registry_on_fresh_bucket(
    emulator, control, tmp_path, version: int, list_delay: float = listing_delay.LIST_DELAY
) -> Iterator[registry.RunningRegistry]:
    """The registry of distribution `version` on a fresh bucket with listings delayed, on a least-privilege key."""
    root = (emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    clients.cos_client(emulator.url, *root).create_bucket(Bucket=BUCKET)
    # New COS buckets refuse path style; registry:2 cannot do anything else, so its bucket is an older one.
    control.set_path_style(BUCKET, reject=version >= 3)
    control.set_list_delay(list_delay)
    key = clients.sub_user_key(emulator.url, root, registry_cam_policy(BUCKET, REGION, emulator.appid, ROOT_DIRECTORY))
    storage, proxy = registry.emulated_s3_storage(version, emulator.url, BUCKET, REGION, key, f"/{ROOT_DIRECTORY}")
    # As deployments on the emulator render it: the role's in-memory blob descriptor cache, and blob downloads through
    # the registry (the workload's pulls do not reach the bucket's name; redirects change reads, not the uploads).
    config = registry.registry_config(storage, processes.free_port(), redirect=False, cache="inmemory", access_log=True)
    with registry.run_registry(config, tmp_path / "registry", version=version, proxy=proxy) as running:
        yield running


def run_workload(
    emulator, control, tmp_path, version: int, rounds: int, list_delay: float = listing_delay.LIST_DELAY
) -> tuple[listing_delay.Outcome, listing_delay.LogFigures]:
    """The workload against a fresh registry of distribution `version`, and what its log says."""
    with registry_on_fresh_bucket(emulator, control, tmp_path, version, list_delay) as running:
        outcome = listing_delay.Workload(running, tmp_path, list_delay).run(rounds)
        return outcome, listing_delay.read_log(running.log())


def record(figures, version: int, outcome: listing_delay.Outcome, log: listing_delay.LogFigures) -> None:
    """Every count of the outcome and of the log, as listing_<name>_v<version> (docs/registry-versions.md)."""
    values = {name: value for name, value in dataclasses.asdict(outcome).items() if isinstance(value, int)}
    values |= {
        "requests": log.requests,
        "failed_requests": sum(log.failed.values()),
        "failed_upload_completions": log.failed["blob upload completion"],
        "failed_fresh_listings": log.failed["fresh listing"],
        "stray_errors": len(log.stray_errors),
    }
    for name, value in values.items():
        figures.set(f"listing_{name}_v{version}", value)


def test_registry_3_serves_the_workload_under_lagging_listings(emulator, control, tmp_path, figures):
    """Every push (run again when it failed, as a person would), pull, settled listing, delete and garbage collection
    works; the only failed requests are the known upload completions and listings made at once."""
    outcome, log = run_workload(emulator, control, tmp_path, 3, ROUNDS[3])
    record(figures, 3, outcome, log)
    client_failures = (
        outcome.pushes_failed
        + outcome.pulls_failed
        + outcome.settled_listings_wrong
        + outcome.deletes_failed
        + outcome.collections_failed
    )
    assert client_failures == 0, "\n".join(outcome.problems)
    assert set(log.failed) <= {"blob upload completion", "fresh listing"}, log.failed
    # Each failed completion is distribution's Move -> Delete missing the upload it just completed, nothing else.
    assert log.upload_move_failures == log.failed["blob upload completion"]
    assert not log.stray_errors, log.stray_errors[:5]


def test_registry_2_failure_rate_under_lagging_listings(emulator, control, tmp_path, figures):
    """A measurement, not a verdict: how many requests registry:2 fails in the same workload."""
    outcome, log = run_workload(emulator, control, tmp_path, 2, ROUNDS[2])
    assert outcome.rounds == ROUNDS[2] and log.requests > 0, "the workload did not run"
    record(figures, 2, outcome, log)


@pytest.mark.parametrize("version", [2, 3])
def test_workload_fails_nothing_when_listings_keep_up(emulator, control, tmp_path, version):
    """The control: without the delay both generations pass the same round, so what fails above is the delay's."""
    outcome, log = run_workload(emulator, control, tmp_path, version, rounds=1, list_delay=0)
    assert not outcome.problems, outcome.problems
    assert not log.failed and not log.stray_errors, (log.failed, log.stray_errors[:5])
    assert outcome.pulls and outcome.collections


def test_registry_3_refuses_the_same_upload_completion_again(emulator, control, tmp_path):
    """Why a retry in front of the registry cannot hide the failed completion: once the upload's multipart upload is
    completed, repeating the same PUT fails too; only a new upload (what a client's retry sends) succeeds."""
    with registry_on_fresh_bucket(emulator, control, tmp_path, 3) as running:
        blob = os.urandom(1024 * 1024)
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        completion = upload_completion_url(running.url, "retried/app", blob, digest)
        first = requests.put(completion, timeout=listing_delay.HTTP_TIMEOUT)
        assert first.status_code == 500 and "_uploads/" in first.text, first.text
        again = requests.put(completion, timeout=listing_delay.HTTP_TIMEOUT)
        # docs/registry-versions.md quotes this answer.
        assert again.status_code == 500 and "append to zero-size path" in again.text, again.text


def upload_completion_url(url: str, repository: str, blob: bytes, digest: str) -> str:
    """Starts an upload, sends `blob` in one PATCH and returns the URL whose PUT completes it."""
    started = requests.post(f"{url}/v2/{repository}/blobs/uploads/", timeout=listing_delay.HTTP_TIMEOUT)
    patched = requests.patch(
        urljoin(url, started.headers["Location"]),
        data=blob,
        headers={"Content-Type": "application/octet-stream"},
        timeout=listing_delay.HTTP_TIMEOUT,
    )
    location = urljoin(url, patched.headers["Location"])
    return f"{location}{'&' if '?' in location else '?'}digest={digest}"
