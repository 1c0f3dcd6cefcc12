"""rotate_credentials.yml on two replicas behind HAProxy: a client pushing and pulling through the balancer the whole
time sees no failed request, during the rotation and during a rollback after a failure on the second host."""

from __future__ import annotations

import pytest

from tests.playbooks.balancer import Balancer, PushPullLoop
from tests.support.deployment import PLAYBOOKS, Deployment, output

HOSTS = ("registry-a", "registry-b")
HELPER = PLAYBOOKS / "files" / "haproxy_server.py"


@pytest.fixture(scope="module")
def balanced(deployments, tmp_path_factory):
    """Two replicas deployed by deploy.yml, behind HAProxy, whose drain hooks the inventory names."""
    work = tmp_path_factory.mktemp("balancer")
    deployment: Deployment = deployments(*HOSTS)
    with Balancer(work, {host: deployment.address(host) for host in HOSTS}) as balancer:
        hook = balancer.drain_command(HELPER)
        deployment.host_vars.update(cosops_drain_command=[*hook, "drain"], cosops_undrain_command=[*hook, "ready"])
        deployment.write_inventory()
        run = deployment.playbook("deploy.yml")
        assert run.returncode == 0, output(run)
        balancer.wait_all_up()
        yield deployment, balancer


def rotate_under_load(deployment, balancer, tmp_path, extra_vars=None):
    with PushPullLoop(balancer.address, tmp_path) as client:
        run = deployment.playbook("rotate_credentials.yml", extra_vars=extra_vars)
    return run, client


def test_rotation_behind_a_balancer_fails_no_request(balanced, tmp_path):
    deployment, balancer = balanced
    old = deployment.key()["secret_id"]
    run, client = rotate_under_load(deployment, balancer, tmp_path)
    assert run.returncode == 0, output(run)
    assert client.failures == [], client.failures[0]
    assert client.iterations >= 3, "the client did not run during the rotation"
    assert balancer.frontend_errors() == 0
    new = deployment.key()["secret_id"]
    assert new != old
    assert [(key["AccessKeyId"], key["Status"]) for key in deployment.access_keys()] == [(new, "Active")]
    assert {deployment.config(host)["storage"]["s3"]["accesskey"] for host in HOSTS} == {new}
    assert "taken out of the load balancer while it restarted" in run.stdout
    assert not deployment.key_file.with_name(deployment.key_file.name + ".new").exists()


def test_failure_on_the_second_host_rolls_both_back_and_keeps_the_old_key(balanced, tmp_path):
    deployment, balancer = balanced
    old = deployment.key()
    # registry-b's storage check cannot reach COS, so the new key fails verification there.
    unreachable = {
        "cosops_storage_check_endpoint": "{{ 'http://127.0.0.1:9' if inventory_hostname == 'registry-b' "
        "else emulator_url }}"
    }
    run, client = rotate_under_load(deployment, balancer, tmp_path, unreachable)
    assert run.returncode != 0
    assert "every host uses it again; the new key" in run.stdout + run.stderr, output(run)
    assert client.failures == [], client.failures[0]
    assert balancer.frontend_errors() == 0
    assert [(key["AccessKeyId"], key["Status"]) for key in deployment.access_keys()] == [(old["secret_id"], "Active")]
    assert {deployment.config(host)["storage"]["s3"]["accesskey"] for host in HOSTS} == {old["secret_id"]}
    assert deployment.key() == old
    assert not deployment.key_file.with_name(deployment.key_file.name + ".new").exists()
