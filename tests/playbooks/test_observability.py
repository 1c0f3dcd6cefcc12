"""Two replicas deployed by deploy.yml, scraped by a real Prometheus (Debian's) through the target files
prometheus_targets.yml writes, with the collection's rules (prometheus/registry-rules.yml, their `for:` durations and
windows shortened): storage faults injected in the emulator - 503s, then the registry's key deactivated (403) - fire
the matching alerts, which clear once the fault ends; a stopped replica fires RegistryDown for itself alone. check.yml
reports each replica's metrics, and a replica whose metrics do not answer."""

from __future__ import annotations

import re
import subprocess
import threading
from urllib.parse import urljoin

import pytest
import requests

from emulator import clients
from emulator.control import EmulatorControl
from tests.support import processes, prometheus
from tests.support.deployment import output
from tools import oci

pytestmark = pytest.mark.skipif(not prometheus.available(), reason="needs Debian's prometheus package")

HOSTS = ("registry-a", "registry-b")
JOBS = ("registry", "registry-serving")
REPOSITORY = "observed/app"
# Each alert holds 2 s before it fires and reads rates over 15 s, instead of minutes.
HOLD, WINDOW = "2s", "15s"
# A 503 from COS makes the s3 driver back off and retry: each storage action then takes seconds, and the storage health
# check (every 2 s, 3 failures in a row) takes about 30 s to fail.
FIRE_TIMEOUT = 120
CLEAR_TIMEOUT = 90
STORAGE_FAILING = {("RegistryStorageFailing", host) for host in HOSTS}
SERVER_ERRORS = re.compile(r'^registry_http_requests_total\{code="5\d\d",[^}]*\} (\S+)$', re.M)


class Traffic:
    """Reads the manifest and starts (then cancels) a blob upload on every replica, each in a loop of its own, until
    stopped, as clients would; failures are expected while a fault lasts."""

    def __init__(self, deployment) -> None:
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(deployment.url(host),)) for host in HOSTS]

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(60)

    def run(self, url: str) -> None:
        while not self.stopped.wait(0.2):
            try:
                requests.get(f"{url}/v2/{REPOSITORY}/manifests/v1", timeout=30)
                upload = requests.post(f"{url}/v2/{REPOSITORY}/blobs/uploads/", timeout=30)
                if upload.status_code == 202:
                    requests.delete(urljoin(url, upload.headers["Location"]), timeout=30)
            except requests.RequestException:
                pass


class Alerts:
    """Prometheus's alerts, watched: every (alert, instance) seen firing is kept in `seen`."""

    def __init__(self, server) -> None:
        self.server = server
        self.seen: set[tuple[str, str]] = set()

    def watch(self) -> tuple[list[dict], set[tuple[str, str]]]:
        """The pending and firing alerts now, and (alert, instance) of the firing ones."""
        alerts = self.server.alerts()
        firing = prometheus.firing(alerts)
        self.seen |= firing
        return alerts, firing

    def wait_firing(self, expected: set[tuple[str, str]]) -> None:
        what = f"{sorted(expected)} firing"
        processes.wait_until(lambda: expected <= self.watch()[1], what, FIRE_TIMEOUT, poll=0.5)

    def wait_cleared(self) -> None:
        processes.wait_until(lambda: not self.watch()[0], "every alert cleared", CLEAR_TIMEOUT, poll=0.5)

    def seen_for(self, alert: str) -> set[str]:
        return {instance for name, instance in self.seen if name == alert}


@pytest.fixture(scope="module")
def deployment(deployments, tmp_path_factory):
    """Two replicas on the emulator, an image pushed through the first."""
    deployed = deployments(*HOSTS)
    run = deployed.playbook("deploy.yml")
    assert run.returncode == 0, output(run)
    image = oci.write_image(tmp_path_factory.mktemp("image"), "v1", (256 * 1024,))
    deployed.push(image, deployed.address(HOSTS[0]), f"{REPOSITORY}:v1")
    return deployed


@pytest.fixture(scope="module")
def targets(deployment, tmp_path_factory):
    """The directory prometheus_targets.yml wrote the file_sd target files to."""
    directory = tmp_path_factory.mktemp("targets")
    deployment.targets_run = deployment.playbook(
        "prometheus_targets.yml", extra_vars={"cosops_prometheus_targets_dir": str(directory)}
    )
    assert deployment.targets_run.returncode == 0, output(deployment.targets_run)
    return directory


@pytest.fixture(scope="module")
def server(targets, tmp_path_factory):
    """Prometheus scraping every replica's metrics and registry port every second, evaluating the rules every second."""
    work = tmp_path_factory.mktemp("prometheus")
    rules = prometheus.scaled_rules(work / "registry-rules.yml", HOLD, WINDOW)
    with prometheus.Prometheus(work, {job: targets / f"{job}.yml" for job in JOBS}, (rules,)) as running:
        processes.wait_until(lambda: targets_up(running) == {(job, host) for job in JOBS for host in HOSTS}, "", 60)
        yield running


@pytest.fixture
def faults(deployment) -> EmulatorControl:
    """The control surface of the deployment's emulator; no fault outlives the test."""
    control = EmulatorControl(deployment.emulator.url)
    yield control
    control.clear_faults()


def targets_up(server) -> set[tuple[str, str]]:
    return {(t["labels"]["job"], t["labels"]["instance"]) for t in server.targets() if t["health"] == "up"}


def set_key_status(deployment, status: str) -> None:
    """Activates or deactivates the registry's CAM key, as an operator does in the console."""
    root = (deployment.emulator.iam.root_secret_id, deployment.emulator.iam.root_secret_key)
    cam = clients.cam(deployment.emulator.url, *root)
    uin = cam.call_json("GetUser", {"Name": "registry"})["Response"]["Uin"]
    params = {"TargetUin": uin, "AccessKeyId": deployment.key()["secret_id"], "Status": status}
    cam.call_json("UpdateAccessKey", params)


def test_prometheus_scrapes_every_replica_from_the_generated_targets(deployment, server):
    assert targets_up(server) == {(job, host) for job in JOBS for host in HOSTS}
    counted = {sample["metric"]["instance"] for sample in server.query("registry_http_requests_total")}
    assert counted == set(HOSTS)
    assert server.alerts() == []
    # The replicas' metrics listen on loopback: the playbook says only a Prometheus on their host reaches them.
    assert "WARNING: the metrics of registry-a, registry-b listen on loopback" in deployment.targets_run.stdout


def test_tracing_is_off_and_nothing_is_exported(deployment):
    for host in HOSTS:
        environment = subprocess.run(
            ["docker", "inspect", "--format", "{{json .Config.Env}}", deployment.container(host)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert '"OTEL_TRACES_EXPORTER=none"' in environment
        # distribution 3's default exporter would log "traces export: Post \"https://localhost:4318/v1/traces\": ...".
        assert "localhost:4318" not in deployment.container_log(host)


def test_storage_answering_503_fires_the_storage_alerts_until_it_recovers(deployment, server, faults):
    alerts = Alerts(server)
    with Traffic(deployment):
        faults.add_fault("unavailable", count=1_000_000, service="cos")
        alerts.wait_firing(STORAGE_FAILING)
        faults.clear_faults()
        alerts.wait_cleared()
    for alert in ("RegistryStorageSlow", "RegistryServerErrors", "RegistryBlobUploadsFailing"):
        assert alerts.seen_for(alert) == set(HOSTS), alerts.seen
    assert not alerts.seen_for("RegistryDown"), alerts.seen


def test_a_deactivated_key_fires_storage_failing_until_it_is_active_again(deployment, server):
    alerts = Alerts(server)
    with Traffic(deployment):
        set_key_status(deployment, "Inactive")
        try:
            alerts.wait_firing(STORAGE_FAILING)
        finally:
            set_key_status(deployment, "Active")
        alerts.wait_cleared()
    assert alerts.seen_for("RegistryServerErrors") == set(HOSTS), alerts.seen
    # Not RegistryStorageSlow: a refused key fails fast, but with the window shortened to 15 s one action slowed by a
    # busy machine is the 99th percentile, so its absence here would say more about the machine than the rules.
    assert not alerts.seen_for("RegistryDown"), alerts.seen


def test_a_stopped_replica_fires_registry_down_for_itself_alone(deployment, server):
    alerts = Alerts(server)
    container = deployment.container(HOSTS[1])
    subprocess.run(["docker", "stop", container], capture_output=True, check=True)
    try:
        alerts.wait_firing({("RegistryDown", HOSTS[1])})
    finally:
        subprocess.run(["docker", "start", container], capture_output=True, check=True)
    alerts.wait_cleared()
    assert alerts.seen == {("RegistryDown", HOSTS[1])}


def test_check_reports_what_each_replicas_metrics_say(deployment):
    run = deployment.playbook("check.yml")
    assert run.returncode == 0, output(run)
    assert run.stdout.count("metrics: ok") == len(HOSTS), output(run)
    assert run.stdout.count("health checks: passing (storage reachable)") == len(HOSTS)
    reported = [int(count) for count in re.findall(r"requests: \d+ since [^,]+, (\d+) answered 5xx", run.stdout)]
    assert reported == [server_errors(deployment, host) for host in HOSTS], output(run)


def server_errors(deployment, host: str) -> int:
    """The 5xx answers a replica's metrics count, summed here without the collection's parser."""
    metrics = requests.get(deployment.metrics_url(host), timeout=10).text
    return sum(int(float(value)) for value in SERVER_ERRORS.findall(metrics))


def test_check_fails_for_replicas_whose_metrics_do_not_answer(deployment):
    silent = processes.free_port()
    run = deployment.playbook("check.yml", extra_vars={"registry_metrics": {"port": silent}})
    assert run.returncode != 0
    assert run.stdout.count(f"no answer from http://127.0.0.1:{silent}/metrics") == len(HOSTS), output(run)
    assert "Failed: registry-a: metrics; registry-b: metrics" in run.stdout + run.stderr
