"""registry:3 deployed by deploy.yml on a bucket that refuses path-style requests, as every bucket created after 2024,
passes the OCI distribution-spec conformance suite but for the failures named here, which belong to distribution."""

from __future__ import annotations

import pytest

from tests.playbooks.oci_conformance import (
    REFERRERS,
    SHA512,
    check_conformance,
    deploy,
)

HOST = "registry-oci-3"
UPSTREAM = {
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


@pytest.fixture(scope="module")
def deployment(deployments):
    return deploy(deployments, HOST, rejects_path_style=True)


def test_registry_3_passes_the_oci_conformance_suite(deployment, tmp_path):
    check_conformance(deployment, HOST, tmp_path, "registry:3", "virtual-host requests, path style refused", UPSTREAM)
