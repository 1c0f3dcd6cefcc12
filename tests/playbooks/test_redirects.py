"""Registry redirects end to end: deploy.yml with redirects on (the role's default) proves first that the clients it is
told about can fetch a presigned URL of the bucket; skopeo's pull then follows every blob's 307 to the bucket's
virtual host, and the registry sends no blob bytes - with redirects off it sends them all. A client that cannot reach
COS fails its pulls with skopeo's own generic error; check.yml and deploy.yml name redirects, the client and the fix,
and deploy.yml does not roll out redirects such a client would have to follow.

The clients are inventory hosts on this machine. The one that reaches COS has the emulator as its HTTP proxy, which
serves the bucket's virtual-host name without DNS, as skopeo does below; the one that cannot has a proxy that refuses
connections, its only way out."""

from __future__ import annotations

import dataclasses

import pytest

from tests.support import processes, registry
from tests.support.deployment import Deployment, output
from tests.support.figures import write_figures
from tools import oci

HOST = "registry-redirects"
REACHING, CUT_OFF = "runner-reaching", "runner-cut-off"
REPOSITORY = "redirects/app"
LAYERS = (8 * 1024 * 1024, 4 * 1024 * 1024)
REDIRECTS_ON = {"registry_storage_redirect_disable": False}
REDIRECTS_OFF = {"registry_storage_redirect_disable": True}


@pytest.fixture(scope="module")
def deployment(deployments, emulator_server) -> Deployment:
    """Deployed with redirects on, after the client that reaches COS proved it can follow them; an image pushed."""
    closed = f"http://127.0.0.1:{processes.free_port()}"
    clients = {
        REACHING: {"registry_redirect_check_environment": {"http_proxy": emulator_server.url}},
        CUT_OFF: {"registry_redirect_check_environment": {"http_proxy": closed}},
    }
    deployed = deployments(HOST, clients=clients)
    deployed.proxies = {REACHING: emulator_server.url, CUT_OFF: closed}
    deployed.first_run = deployed.playbook(
        "deploy.yml", extra_vars={**REDIRECTS_ON, "cosops_redirect_clients": REACHING}
    )
    assert deployed.first_run.returncode == 0, output(deployed.first_run)
    deployed.image = oci.write_image(deployed.work / "image", "v1", LAYERS)
    deployed.push(deployed.image, deployed.address(HOST), f"{REPOSITORY}:v1")
    return deployed


def bucket_host(deployment: Deployment) -> str:
    """Where the registry's redirects point: the bucket's virtual host under the endpoint it reaches COS by."""
    return f"{deployment.bucket}.{deployment.config(HOST)['storage']['s3']['regionendpoint'].split('://')[1]}"


def measured_pull(deployment: Deployment, layout, proxy: str) -> tuple[oci.OciImage, registry.Served, float]:
    """A pull through the live registry: the image, what the registry answered meanwhile (its access log) and the
    CPU seconds it used."""
    pid, before = deployment.container_pid(HOST), registry.served(deployment.container_log(HOST))
    cpu = processes.cpu_seconds(pid)
    pulled = deployment.pull(deployment.address(HOST), f"{REPOSITORY}:v1", layout, "v1", proxy=proxy)
    cpu = processes.cpu_seconds(pid) - cpu
    after = registry.served(deployment.container_log(HOST))
    served = registry.Served(
        *(now - then for now, then in zip(dataclasses.astuple(after), dataclasses.astuple(before)))
    )
    return pulled, served, cpu


def image_bytes(image: oci.OciImage) -> int:
    return sum(len(image.blob(digest)) for digest in image.digests)


def render(total: int, measured: dict[str, tuple[registry.Served, float]]) -> str:
    rows = [
        f"| {mode} | {served.blob_gets} | {served.redirected} | {served.body_bytes:,} | {cpu:.2f} |"
        for mode, (served, cpu) in measured.items()
    ]
    return "\n".join(
        [
            "## One pull through a deployed registry, redirects on and off",
            "",
            "Written by `tests/playbooks/test_redirects.py`: registry:3 in a container, deployed by `deploy.yml` on a",
            "bucket that refuses path-style requests, pulled once with skopeo (the emulator as its proxy to the bucket's",
            f"virtual host) with redirects on, then again after `deploy.yml` turned them off; the image is {total:,} bytes",
            "(two layers and a config). Bytes are the response bodies of the registry's access log; CPU is the registry",
            "process's over the pull (`/proc/PID/stat`, 10 ms ticks). `make bench` measures the same at scale",
            "([redirects.md](redirects.md)).",
            "",
            "| redirects | blob GETs | answered 307 | bytes the registry sent | registry CPU (s) |",
            "| --- | ---: | ---: | ---: | ---: |",
            *rows,
        ]
    )


def test_deploy_proves_the_named_client_follows_redirects_before_the_rollout(deployment):
    report = deployment.first_run.stdout
    assert f"redirects on; {REACHING} fetched a presigned URL of {bucket_host(deployment)}" in report
    assert deployment.config(HOST)["storage"]["redirect"] == {"disable": False}
    # The probe the clients fetched is gone again.
    assert not [key for key in deployment.object_keys() if "/_storage_check/" in key]


def test_a_client_that_cannot_reach_cos_fails_its_pulls_and_check_names_redirects(deployment, tmp_path):
    """Redirects are on (as deployed by the fixture): skopeo on the cut-off client fails with its transport's error,
    which does not say why; check.yml does."""
    pull = registry.pull_from(
        deployment.address(HOST),
        f"{REPOSITORY}:v1",
        f"oci:{tmp_path / 'pulled'}:v1",
        deployment.proxies[CUT_OFF],
        check=False,
    )
    assert pull.returncode != 0
    # The pull fails on the bucket's host the registry redirected it to, without saying so.
    assert bucket_host(deployment) in pull.stderr and "redirect" not in pull.stderr.lower(), pull.stderr
    check = deployment.playbook("check.yml", extra_vars={**REDIRECTS_ON, "cosops_redirect_clients": "clients"})
    assert check.returncode != 0
    assert f"{HOST}: clients cannot follow redirects" in check.stdout + check.stderr, output(check)
    assert f"redirects: FAILED: redirects on, but {CUT_OFF} (" in check.stdout
    assert f"cannot fetch a presigned URL of {bucket_host(deployment)}" in check.stdout
    assert "storage: ok" in check.stdout and "health: ok" in check.stdout


def test_pulls_follow_redirects_to_cos_and_the_registry_sends_no_blob_bytes(deployment, tmp_path):
    """The same pull with redirects on (as deployed by the fixture) and, after a deploy that turns them off, without:
    the registry's access log says what it sent; its CPU time goes with the bytes (measured at scale by `make bench`).
    Redirects stay off for the next test."""
    image, total = deployment.image, image_bytes(deployment.image)
    pulled_on, on, cpu_on = measured_pull(deployment, tmp_path / "on", deployment.proxies[REACHING])
    run = deployment.playbook("deploy.yml", extra_vars={**REDIRECTS_OFF, "cosops_redirect_clients": "clients"})
    assert run.returncode == 0, output(run)
    pulled_off, off, cpu_off = measured_pull(deployment, tmp_path / "off", deployment.proxies[REACHING])
    figures = render(total, {"on": (on, cpu_on), "off (`registry_storage_redirect_disable: true`)": (off, cpu_off)})
    assert pulled_on.digests == pulled_off.digests == image.digests
    assert on.blob_gets == on.redirected == len(image.digests) - 1, figures
    assert on.body_bytes < total / 100, figures
    assert off.redirected == 0 and off.body_bytes >= total, figures
    # With redirects off, a client that cannot reach COS is advice for the day they are turned on, not a failure.
    assert f"redirects off; {CUT_OFF} (" in run.stdout
    assert "cannot fetch a presigned URL" in run.stdout and "keep redirects off for them" in run.stdout
    write_figures("redirect-pulls", "tests/playbooks/test_redirects.py (make playbooks)", figures)


def test_deploy_does_not_turn_redirects_on_for_a_client_that_cannot_reach_cos(deployment, tmp_path):
    """Redirects are off (as the test before left them); a deploy that would turn them on stops before the rollout,
    naming the client, and the registry that ran before keeps running as it was."""
    container = deployment.container_id(HOST)
    run = deployment.playbook("deploy.yml", extra_vars={**REDIRECTS_ON, "cosops_redirect_clients": "clients"})
    assert run.returncode != 0
    said = run.stdout + run.stderr
    assert f"redirects on, but {CUT_OFF} (" in said, output(run)
    assert f"Make {bucket_host(deployment)} reachable from them, or turn redirects off" in said
    # The registry that ran before is the one that runs, still streaming blobs itself: the cut-off client pulls.
    assert deployment.container_id(HOST) == container
    assert deployment.config(HOST)["storage"]["redirect"] == {"disable": True}
    pulled = deployment.pull(
        deployment.address(HOST), f"{REPOSITORY}:v1", tmp_path / "pulled", "v1", deployment.proxies[CUT_OFF]
    )
    assert pulled.digests == deployment.image.digests
