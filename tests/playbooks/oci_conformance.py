"""The OCI distribution-spec conformance suite (tools/go-programs.sh conformance) against a registry deployed
by playbooks/deploy.yml: pull, push, content discovery and content management, the registry's delete enabled.

Failures that belong to distribution itself are allowed by test name, each with its upstream issue; any other
failure fails the test. The figures of each version are written to docs/figures/conformance-<image>.md."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from tests.support import processes
from tests.support.deployment import Deployment, output
from tests.support.figures import write_figures

SUITE_TIMEOUT = 1200
# The URLs the suite's non-distributable layers name; distribution refuses such manifests unless they are allowed.
FOREIGN_LAYER_URLS = [r"^https://store\.example\.com/"]

# Causes of the failures that belong to distribution, each with its upstream issue.
REFERRERS = (
    "distribution has no referrers API and sends no OCI-Subject header "
    "(https://github.com/distribution/distribution/issues/3716)"
)
SHA512 = (
    "distribution digests blobs and manifests with sha256 only "
    "(https://github.com/distribution/distribution/issues/4420)"
)
EMPTY_BLOB_2_8 = (
    "distribution 2.8's s3 driver completes a zero-byte upload as a multipart upload without parts, which S3 and COS "
    "refuse (MalformedXML); fixed in distribution 3 (https://github.com/distribution/distribution/pull/3763)"
)
OUT_OF_ORDER_2_8 = (
    "distribution 2.8 accepts an out-of-order chunk with 202 instead of 416; fixed in distribution 3 "
    "(https://github.com/distribution/distribution/issues/3141)"
)
INVALID_DIGEST_2_8 = (
    "distribution 2.8 treats a malformed digest reference as a tag and answers 500 instead of 400 "
    "(https://github.com/distribution/distribution/pull/4945)"
)
RANGE_2_8 = (
    "distribution 2.8 sets the blob's Content-Length before http.ServeContent; built with Go before 1.23, as every 2.8 "
    "release is, the 416 for an unsatisfiable range keeps that length but carries a short error text, so the client "
    "reads an unexpected EOF. Go 1.23 drops the header (https://github.com/golang/go/issues/50905, fixed by "
    "https://github.com/golang/go/pull/64312); distribution builds with Go 1.23 since "
    "https://github.com/distribution/distribution/pull/4436 (v3)"
)
TAG_PAGINATION_2_8 = (
    "distribution 2.8 ignores the n and last parameters of the tag list and returns every tag; the suite asks with "
    "last= when a repository has two tags or more, as after it tagged artifacts with a subject; pagination came with "
    "distribution 3 (https://github.com/distribution/distribution/pull/3143)"
)
# Every category of the suite: pull, push, content discovery (tags list, referrers), content management (deletes).
SUITE_SETTINGS = {
    "OCI_TLS": "disabled",
    "OCI_LOG": "error",
    "OCI_API_PULL": "true",
    "OCI_API_PUSH": "true",
    "OCI_API_TAGS_LIST": "true",
    "OCI_API_REFERRER": "true",
    "OCI_API_BLOBS_DELETE": "true",
    "OCI_API_MANIFESTS_DELETE": "true",
    "OCI_API_TAGS_DELETE": "true",
}


@dataclass
class SuiteResult:
    passed: list[str]
    failed: list[str]
    skipped: list[str]

    @property
    def run(self) -> int:
        return len(self.passed) + len(self.failed)


def run_suite(deployment: Deployment, host: str, results: Path) -> SuiteResult:
    environment = dict(
        os.environ, OCI_REGISTRY=deployment.address(host), OCI_RESULTS_DIR=str(results), **SUITE_SETTINGS
    )
    subprocess.run(
        [processes.go_program("conformance")],
        cwd=results.parent,
        env=environment,
        capture_output=True,
        timeout=SUITE_TIMEOUT,
        check=False,
    )
    return read_results(results / "junit.xml")


def read_results(junit: Path) -> SuiteResult:
    """Test names by outcome (a name the suite repeats for several manifests counts once, failed if any failed)."""
    outcomes: dict[str, set[str]] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        outcomes.setdefault(case.get("name", ""), set()).add(case.get("status", ""))
    failed = sorted(name for name, statuses in outcomes.items() if "failure" in statuses or "error" in statuses)
    passed = sorted(name for name, statuses in outcomes.items() if statuses == {"passed"})
    skipped = sorted(set(outcomes) - set(failed) - set(passed))
    return SuiteResult(passed, failed, skipped)


def unexplained(result: SuiteResult, upstream: dict[str, str]) -> list[str]:
    return [name for name in result.failed if name not in upstream]


def publish(image: str, world: str, result: SuiteResult, upstream: dict[str, str]) -> None:
    """The suite's figures for `image`, in docs/figures/conformance-<image>.md (tests/support/figures.py)."""
    lines = [
        f"# OCI conformance of {image}",
        "",
        f"**{image}** ({world}): {result.run} tests run, {len(result.passed)} passed, {len(result.failed)} failed "
        f"(each named below with its cause), {len(result.skipped)} skipped by the suite.",
        "",
    ]
    lines += [f"- `{name}`: {upstream[name]}" for name in result.failed]
    name = image.replace(":", "")
    write_figures(
        f"conformance-{name}", f"tests/playbooks/test_oci_conformance_{name}.py (make playbooks)", "\n".join(lines)
    )


def deploy(deployments, host: str, rejects_path_style: bool, extra_vars: dict | None = None) -> Deployment:
    """deploy.yml with the registry's delete enabled, on a bucket that refuses path-style requests or accepts them."""
    deployment = deployments(
        host, registry_storage_delete_enabled=True, registry_validation_manifests_urls_allow=FOREIGN_LAYER_URLS
    )
    deployment.emulator.state.set_path_style(deployment.bucket, rejects_path_style)
    run = deployment.playbook("deploy.yml", extra_vars=extra_vars)
    assert run.returncode == 0, output(run)
    return deployment


# The pinned suite runs 329 (registry:2) and 344 (registry:3) tests with SUITE_SETTINGS; one cut short by a crash or
# the timeout runs far fewer, and its few failures must not pass for conformance.
MINIMUM_RUN = 300


def check_conformance(deployment: Deployment, host: str, work: Path, image: str, world: str, upstream: dict) -> None:
    """Runs the suite; every failure must be one of `upstream` (test name: cause and issue). Writes the figures."""
    results = work / "results"
    result = run_suite(deployment, host, results)
    assert result.run >= MINIMUM_RUN, f"the suite ran {result.run} tests, fewer than {MINIMUM_RUN}; see {results}"
    assert not unexplained(
        result, upstream
    ), f"failures not known upstream: {unexplained(result, upstream)}; see {results / 'report.html'}"
    publish(image, world, result, upstream)


# Failures of every distribution version the tests run, allowed by test name: the referrers API and sha512 digests.
DISTRIBUTION_FAILURES = {
    "OCI Conformance Test/artifacts-with-subject/push/manifest-by-digest": REFERRERS,
    "OCI Conformance Test/artifacts-with-subject/push/manifest-by-tag": REFERRERS,
    "OCI Conformance Test/artifacts-with-subject/referrers": REFERRERS,
    "OCI Conformance Test/empty/referrers": REFERRERS,
    "OCI Conformance Test/index-with-subject/push/manifest-by-digest": REFERRERS,
    "OCI Conformance Test/index-with-subject/push/manifest-by-tag": REFERRERS,
    "OCI Conformance Test/index-with-subject/referrers": REFERRERS,
    "OCI Conformance Test/missing-subject/push/manifest-by-digest": REFERRERS,
    "OCI Conformance Test/missing-subject/push/manifest-by-tag": REFERRERS,
    "OCI Conformance Test/missing-subject/referrers": REFERRERS,
    "OCI Conformance Test/sha512 blobs/chunked multi and put chunk/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/chunked multi/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/chunked out-of-order and put chunk/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/chunked out-of-order/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/chunked single/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/empty/blob-get": SHA512,
    "OCI Conformance Test/sha512 blobs/empty/blob-head": SHA512,
    "OCI Conformance Test/sha512 blobs/empty/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/empty/blob-patch-stream": SHA512,
    "OCI Conformance Test/sha512 blobs/empty/blob-post-put": SHA512,
    "OCI Conformance Test/sha512 blobs/emptyJSON/blob-get": SHA512,
    "OCI Conformance Test/sha512 blobs/emptyJSON/blob-head": SHA512,
    "OCI Conformance Test/sha512 blobs/emptyJSON/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/emptyJSON/blob-patch-stream": SHA512,
    "OCI Conformance Test/sha512 blobs/emptyJSON/blob-post-put": SHA512,
    "OCI Conformance Test/sha512 blobs/mount anonymous/blob-mount-anonymous": SHA512,
    "OCI Conformance Test/sha512 blobs/mount anonymous/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/mount anonymous/blob-patch-stream": SHA512,
    "OCI Conformance Test/sha512 blobs/mount anonymous/blob-post-put": SHA512,
    "OCI Conformance Test/sha512 blobs/mount missing/blob-mount": SHA512,
    "OCI Conformance Test/sha512 blobs/mount/blob-mount": SHA512,
    "OCI Conformance Test/sha512 blobs/mount/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/mount/blob-patch-stream": SHA512,
    "OCI Conformance Test/sha512 blobs/mount/blob-post-put": SHA512,
    "OCI Conformance Test/sha512 blobs/post+put/blob-post-put": SHA512,
    "OCI Conformance Test/sha512 blobs/range requests/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512 blobs/range requests/blob-patch-stream": SHA512,
    "OCI Conformance Test/sha512 blobs/range requests/blob-post-put": SHA512,
    "OCI Conformance Test/sha512 blobs/stream/blob-patch-stream": SHA512,
    "OCI Conformance Test/sha512/head/blob-head": SHA512,
    "OCI Conformance Test/sha512/head/manifest-head-by-digest": SHA512,
    "OCI Conformance Test/sha512/pull/blob-get": SHA512,
    "OCI Conformance Test/sha512/pull/manifest-by-digest": SHA512,
    "OCI Conformance Test/sha512/push/blob-patch-chunked": SHA512,
    "OCI Conformance Test/sha512/push/blob-patch-stream": SHA512,
    "OCI Conformance Test/sha512/push/blob-post-put": SHA512,
    "OCI Conformance Test/sha512/push/manifest-by-digest": SHA512,
}
