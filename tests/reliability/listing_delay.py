"""One registry workload under lagging listings, the same for registry:2 and registry:3: COS's GET Bucket may miss an
object just written, which the emulator models by hiding keys written less than `list_delay` seconds ago.

A round pushes three images (four tags, layers below and above the s3 driver's 32 MiB multipart-copy threshold), lists
tags and the catalog at once and again once the listing has caught up, pulls everything back byte for byte, deletes a
manifest, runs the binary's garbage collector and pulls what remains. Every request the registry answered is read back
from its access log and every failure is counted, by the call it was."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.reliability.registry_client import MANIFEST_ACCEPT, same_image
from tests.support import registry
from tools import oci

LIST_DELAY = 2.0
# Listings are read again this long after the delay has passed for the last write, when they must be complete.
SETTLE_MARGIN = 0.5
MIB = 1024 * 1024
# A layer above distribution's default multipartcopythresholdsize (32 MiB), so its Move is a multipart copy.
LARGE_LAYER = 33 * MIB
# A failed push is run again, as a person or a CI job would: skopeo stops at the first failed blob and does not retry a
# 500 (its --retry-times covers network errors and 502-504), so an image of n new blobs may need n + 1 attempts where
# every first completion of a blob fails. docker retries a failed layer, but not the image config.
PUSH_ATTEMPTS = 4
HTTP_TIMEOUT = 30
# The workload's own requests carry these user agents, so that the access log tells which answers were expected.
AGENT = "cosops-listing-delay"
FRESH_AGENT = f"{AGENT} (fresh listing)"
ABSENT_AGENT = f"{AGENT} (expecting 404)"

# The call a request was, by method and path, first match wins.
CALLS = (
    ("blob upload completion", re.compile(r"PUT /v2/.+/blobs/uploads/")),
    ("blob upload", re.compile(r"(POST|PATCH) /v2/.+/blobs/uploads/")),
    ("blob read", re.compile(r"(GET|HEAD) /v2/.+/blobs/")),
    ("manifest push", re.compile(r"PUT /v2/.+/manifests/")),
    ("manifest read", re.compile(r"(GET|HEAD) /v2/.+/manifests/")),
    ("manifest delete", re.compile(r"DELETE /v2/.+/manifests/")),
    ("tag listing", re.compile(r"GET /v2/.+/tags/list")),
    ("catalog", re.compile(r"GET /v2/_catalog")),
)
# distribution 3: blobWriter.moveBlob -> s3 driver Move -> copy, then Delete(source), which lists the upload's prefix;
# a listing that misses the just-completed upload makes Delete answer PathNotFound and the PUT a 500.
UPLOAD_MOVE_FAILURE = re.compile(r'err\.detail="s3aws: Path not found: [^"]*/_uploads/[^"]*/data"')
ERROR_LINE = re.compile(r"level=(error|fatal|panic)|^panic:", re.MULTILINE)


@dataclass(frozen=True)
class Image:
    """An image of a round: where it is pushed, under which tags."""

    repository: str
    tags: tuple[str, ...]
    layer_sizes: tuple[int, ...]


def round_images(number: int) -> list[Image]:
    """Fresh repositories each round, so that every push uploads new blobs."""
    web, api = f"round{number}/web", f"round{number}/api"
    return [
        Image(web, ("v1", "latest"), (LARGE_LAYER, 256 * 1024)),
        Image(api, ("v1",), (2 * MIB,)),
        Image(api, ("v2",), (1 * MIB,)),
    ]


@dataclass
class Outcome:
    """What the workload saw from the client side, summed over rounds; `problems` says each one in a sentence."""

    rounds: int = 0
    pushes: int = 0
    pushes_failed: int = 0
    push_attempts: int = 0
    push_attempts_failed: int = 0
    pulls: int = 0
    pulls_failed: int = 0
    fresh_listings: int = 0
    fresh_listings_stale: int = 0
    settled_listings: int = 0
    settled_listings_wrong: int = 0
    deletes: int = 0
    deletes_failed: int = 0
    collections: int = 0
    collections_failed: int = 0
    problems: list[str] = field(default_factory=list)

    def failed(self, counter: str, problem: str) -> None:
        setattr(self, counter, getattr(self, counter) + 1)
        self.problems.append(problem)


def call_of(method: str, path: str) -> str:
    request = f"{method} {path}"
    return next((name for name, pattern in CALLS if pattern.match(request)), "other")


def expected_answer(method: str, path: str, status: int, agent: str) -> bool:
    """Success, or a 404 asked for: skopeo's HEAD of a blob before uploading it, the workload's probe of a deletion."""
    if status < 400:
        return True
    blob_probe = method == "HEAD" and call_of(method, path) == "blob read"
    return status == 404 and (blob_probe or agent == ABSENT_AGENT)


@dataclass
class LogFigures:
    """What the registry's log says: requests answered, failed ones by call, and error lines of no request."""

    requests: int = 0
    failed: Counter = field(default_factory=Counter)
    upload_move_failures: int = 0
    stray_errors: list[str] = field(default_factory=list)


def read_log(text: str) -> LogFigures:
    figures = LogFigures()
    for line in text.splitlines():
        access = registry.access_entry(line)
        if access:
            figures.requests += 1
            method, path, status, agent = access["method"], access["path"], int(access["status"]), access["agent"]
            if not expected_answer(method, path, status, agent):
                figures.failed["fresh listing" if agent == FRESH_AGENT else call_of(method, path)] += 1
        elif UPLOAD_MOVE_FAILURE.search(line) and 'msg="response completed with error"' in line:
            figures.upload_move_failures += 1
        elif ERROR_LINE.search(line) and "http.request.id=" not in line:
            # Errors of a request are counted by its answer above; these belong to no request.
            figures.stray_errors.append(line)
    return figures


class Workload:
    """The rounds against one running registry; images are written under `directory`."""

    def __init__(self, running: registry.RunningRegistry, directory: Path, list_delay: float = LIST_DELAY) -> None:
        self.running = running
        self.directory = directory
        self.list_delay = list_delay
        self.outcome = Outcome()
        self.last_write = 0.0

    def run(self, rounds: int) -> Outcome:
        for number in range(1, rounds + 1):
            self.round(number)
        return self.outcome

    def round(self, number: int) -> None:
        images = round_images(number)
        layouts = {
            image: oci.write_image(self.directory / f"round{number}-{index}", image.tags[0], image.layer_sizes)
            for index, image in enumerate(images)
        }
        pushed = {
            (image, tag): layout
            for image, layout in layouts.items()
            for tag in image.tags
            if self.push(layout, image.repository, tag)
        }
        self.list_everything(pushed, FRESH_AGENT)
        for (image, tag), layout in pushed.items():
            self.pull(layout, image.repository, tag)
        time.sleep(max(0.0, self.last_write + self.list_delay + SETTLE_MARGIN - time.monotonic()))
        self.list_everything(pushed, AGENT)
        # What could not be pushed is neither deleted nor collected: the failure was counted at its push.
        deleted = images[-1]
        if (deleted, deleted.tags[0]) in pushed:
            self.delete(layouts[deleted], deleted.repository)
        if pushed:
            self.collect_garbage()
        for (image, tag), layout in pushed.items():
            if image != deleted:
                self.pull(layout, image.repository, tag)
        self.outcome.rounds += 1

    def push(self, layout: oci.OciImage, repository: str, tag: str) -> bool:
        self.outcome.pushes += 1
        errors = []
        for _attempt in range(PUSH_ATTEMPTS):
            self.outcome.push_attempts += 1
            try:
                registry.push(layout.reference, self.running, f"{repository}:{tag}")
                return True
            except AssertionError as failure:
                self.outcome.push_attempts_failed += 1
                errors.append(str(failure).strip().splitlines()[-1])
            finally:
                self.last_write = time.monotonic()
        self.outcome.failed("pushes_failed", f"push of {repository}:{tag} failed {PUSH_ATTEMPTS} times: {errors[-1]}")
        return False

    def pull(self, layout: oci.OciImage, repository: str, tag: str) -> None:
        self.outcome.pulls += 1
        destination = self.directory / f"pulled-{repository.replace('/', '-')}-{tag}-{self.outcome.pulls}"
        try:
            registry.pull(self.running, f"{repository}:{tag}", f"oci:{destination}:{tag}")
        except AssertionError as failure:
            self.outcome.failed("pulls_failed", f"pull of {repository}:{tag} failed: {str(failure)[-300:]}")
            return
        if not same_image(layout, oci.read_image(destination, tag)):
            self.outcome.failed("pulls_failed", f"pull of {repository}:{tag} differs from what was pushed")

    def list_everything(self, pushed: dict, agent: str) -> None:
        """Tags of every repository and the catalog, each compared with what was pushed."""
        expected: dict[str, set[str]] = {}
        for image, tag in pushed:
            expected.setdefault(image.repository, set()).add(tag)
        for repository, tags in expected.items():
            answer = self.api("GET", f"{repository}/tags/list", agent)
            listed = set(answer.json().get("tags") or []) if answer.status_code == 200 else set()
            self.listed(agent, f"tags of {repository}", answer.status_code, tags - listed)
        answer = self.api("GET", "_catalog", agent)
        listed = set(answer.json().get("repositories") or []) if answer.status_code == 200 else set()
        self.listed(agent, "the catalog", answer.status_code, set(expected) - listed)

    def listed(self, agent: str, what: str, status: int, missing: set[str]) -> None:
        fresh = agent == FRESH_AGENT
        self.outcome.fresh_listings += fresh
        self.outcome.settled_listings += not fresh
        if status != 200 or missing:
            counter = "fresh_listings_stale" if fresh else "settled_listings_wrong"
            when = "at once" if fresh else f"{self.list_delay + SETTLE_MARGIN:g} s after the last push"
            self.outcome.failed(counter, f"{what} listed {when}: HTTP {status}, missing {sorted(missing)}")

    def delete(self, layout: oci.OciImage, repository: str) -> None:
        self.outcome.deletes += 1
        deleted = self.api("DELETE", f"{repository}/manifests/{layout.manifest_digest}", AGENT).status_code
        gone = self.api("HEAD", f"{repository}/manifests/{layout.manifest_digest}", ABSENT_AGENT).status_code
        if (deleted, gone) != (202, 404):
            self.outcome.failed(
                "deletes_failed", f"delete of {repository}@{layout.manifest_digest}: {deleted}, then {gone}"
            )

    def collect_garbage(self) -> None:
        self.outcome.collections += 1
        collected = self.running.garbage_collect(delete_untagged=True)
        output = collected.stdout + collected.stderr
        if collected.returncode != 0 or ERROR_LINE.search(output):
            self.outcome.failed("collections_failed", f"garbage-collect exited {collected.returncode}: {output[-500:]}")

    def api(self, method: str, path: str, agent: str) -> requests.Response:
        return requests.request(
            method,
            f"{self.running.url}/v2/{path}",
            timeout=HTTP_TIMEOUT,
            headers={"Accept": MANIFEST_ACCEPT, "User-Agent": agent},
        )
