"""registry:2 deployed by deploy.yml on a bucket that accepts path-style requests, as buckets created before 2024,
passes the OCI distribution-spec conformance suite but for the failures named here, which belong to distribution."""

from __future__ import annotations

import subprocess

import pytest

from tests.playbooks.oci_conformance import (
    DISTRIBUTION_FAILURES,
    EMPTY_BLOB_2_8,
    INVALID_DIGEST_2_8,
    OUT_OF_ORDER_2_8,
    RANGE_2_8,
    SHA512,
    TAG_PAGINATION_2_8,
    check_conformance,
    deploy,
)
from tests.support.deployment import ROOT

HOST = "registry-oci-2"
# What a registry:2 installation on an older bucket sets: its s3 driver sends path-style requests to the endpoint.
REGISTRY_2 = {
    "registry_image": "registry:2",
    "registry_storage_s3_regionendpoint": "{{ emulator_url }}",
    "registry_storage_s3_path_style_accepted": True,
    "registry_container_etc_hosts": {},
}
UPSTREAM = {
    **DISTRIBUTION_FAILURES,
    "OCI Conformance Test/artifacts-with-subject/tag-list": TAG_PAGINATION_2_8,
    "OCI Conformance Test/index-with-subject/tag-list": TAG_PAGINATION_2_8,
    "OCI Conformance Test/invalid-digest-format/manifest-get": INVALID_DIGEST_2_8,
    "OCI Conformance Test/invalid-digest-format/manifest-put": INVALID_DIGEST_2_8,
    "OCI Conformance Test/sha256 blobs/chunked out-of-order and put chunk/blob-patch-chunked": OUT_OF_ORDER_2_8,
    "OCI Conformance Test/sha256 blobs/chunked out-of-order/blob-patch-chunked": OUT_OF_ORDER_2_8,
    "OCI Conformance Test/sha256 blobs/empty/blob-get": EMPTY_BLOB_2_8,
    "OCI Conformance Test/sha256 blobs/empty/blob-head": EMPTY_BLOB_2_8,
    "OCI Conformance Test/sha256 blobs/empty/blob-patch-chunked": EMPTY_BLOB_2_8,
    "OCI Conformance Test/sha256 blobs/empty/blob-patch-stream": EMPTY_BLOB_2_8,
    "OCI Conformance Test/sha256 blobs/empty/blob-post-only": EMPTY_BLOB_2_8,
    "OCI Conformance Test/sha256 blobs/empty/blob-post-put": EMPTY_BLOB_2_8,
    "OCI Conformance Test/sha256 blobs/range requests/range 500-0": RANGE_2_8,
    "OCI Conformance Test/sha256 blobs/range requests/range 5000-10000": RANGE_2_8,
    "OCI Conformance Test/sha512 blobs/empty/blob-post-only": SHA512,
}


@pytest.fixture(scope="module")
def deployment(deployments):
    subprocess.run([str(ROOT / "tools" / "registry-image.sh"), "docker", "registry:2"], check=True)
    return deploy(deployments, HOST, rejects_path_style=False, extra_vars=REGISTRY_2)


def test_registry_2_passes_the_oci_conformance_suite(deployment, tmp_path):
    check_conformance(deployment, HOST, tmp_path, "registry:2", "path-style requests, accepted", UPSTREAM)
