"""registry:3 deployed by deploy.yml on a bucket that refuses path-style requests, as every bucket created after 2024,
passes the OCI distribution-spec conformance suite but for the failures named here, which belong to distribution."""

from __future__ import annotations

import pytest

from tests.playbooks.oci_conformance import DISTRIBUTION_FAILURES, check_conformance, deploy

HOST = "registry-oci-3"
UPSTREAM = DISTRIBUTION_FAILURES


@pytest.fixture(scope="module")
def deployment(deployments):
    return deploy(deployments, HOST, rejects_path_style=True)


def test_registry_3_passes_the_oci_conformance_suite(deployment, tmp_path):
    check_conformance(deployment, HOST, tmp_path, "registry:3", "virtual-host requests, path style refused", UPSTREAM)
