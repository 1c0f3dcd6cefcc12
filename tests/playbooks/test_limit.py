"""--limit on two registry hosts: deploy.yml and check.yml count only the hosts of the run and name the one left out;
a limit without localhost, which runs the plays on the controller, is refused; rotate_credentials.yml and
garbage_collect.yml refuse a limit that leaves a registry host out, since that host would keep the deleted key or
take pushes during the collection."""

from __future__ import annotations

import re

import pytest

from tests.support.deployment import Deployment, output

KEPT, LEFT_OUT = "registry-a", "registry-b"
LIMIT = ("--limit", f"localhost,{KEPT}")


@pytest.fixture(scope="module")
def deployment(deployments) -> Deployment:
    return deployments(KEPT, LEFT_OUT)


def test_a_limit_without_localhost_is_refused_before_anything_runs(deployment):
    run = deployment.playbook("deploy.yml", options=("--limit", KEPT))
    assert run.returncode != 0
    assert f"--limit {KEPT} leaves out localhost" in run.stdout, output(run)
    assert deployment.container_id(KEPT) == ""


def test_deploy_limited_to_one_host_deploys_it_and_names_the_other(deployment):
    run = deployment.playbook("deploy.yml", options=LIMIT)
    assert run.returncode == 0, output(run)
    assert re.search(rf"{KEPT}: http://\S+ - storage check passed", run.stdout), output(run)
    assert f"Left out by --limit, not deployed by this run: {LEFT_OUT}" in run.stdout, output(run)
    assert f"{LEFT_OUT}: not deployed" not in run.stdout
    assert deployment.container_id(KEPT) != ""
    assert deployment.container_id(LEFT_OUT) == ""


def test_check_limited_to_the_deployed_host_passes_and_fails_without_the_limit(deployment):
    limited = deployment.playbook("check.yml", "check limited", options=LIMIT)
    assert limited.returncode == 0, output(limited)
    assert f"Left out by --limit, not checked: {LEFT_OUT}" in limited.stdout, output(limited)
    whole = deployment.playbook("check.yml", "check whole")
    assert whole.returncode != 0
    assert f"{LEFT_OUT}: unhealthy" in whole.stdout + whole.stderr, output(whole)


def test_rotation_refuses_a_limit_that_leaves_a_host_with_the_old_key(deployment):
    keys = deployment.access_keys()
    run = deployment.playbook("rotate_credentials.yml", options=LIMIT)
    assert run.returncode != 0
    assert f"--limit leaves out {LEFT_OUT}, which would keep the old key" in run.stdout + run.stderr, output(run)
    assert deployment.access_keys() == keys


def test_collection_refuses_a_limit_unless_it_is_a_dry_run(deployment):
    run = deployment.playbook("garbage_collect.yml", options=LIMIT)
    assert run.returncode != 0
    assert f"--limit leaves out {LEFT_OUT}, which would stay read-write" in run.stdout + run.stderr, output(run)
    assert deployment.config(KEPT)["storage"]["maintenance"]["readonly"]["enabled"] is False
    dry = deployment.playbook(
        "garbage_collect.yml", "gc dry run", options=LIMIT, extra_vars={"registry_gc_dry_run": True}
    )
    assert dry.returncode == 0, output(dry)
    assert f"Left out by --limit: {LEFT_OUT}" in dry.stdout, output(dry)
