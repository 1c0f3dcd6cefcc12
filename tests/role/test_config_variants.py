"""Every config.yml variant the registry role renders is started for real by Debian's docker-registry
(distribution 2.8.2, the code of registry:2) and must serve /v2/ and reach its storage in the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from emulator.clients import cos_client
from tests.support import processes
from tests.support.ansible_runner import run_playbook
from tests.support.certificates import self_signed_pair
from tests.support.registry import REGISTRY_BINARY, registry_binary, registry_environment

ROLE = Path(__file__).resolve().parents[2] / "roles" / "registry"
BUCKET_NAME = "variants"
START_TIMEOUT = 30
USER, PASSWORD = "ci", "variant-password"
HTTP_SECRET = "variant-http-secret"
TOKEN_REALM, TOKEN_SERVICE = "https://auth.example.com/token", "registry.example.com"


def htpasswd(users: list[dict]) -> str:
    """The htpasswd file the role writes, made by the role's own script."""
    spec = json.dumps({"users": users, "key": HTTP_SECRET, "cost": 5})
    return subprocess.run(
        [sys.executable, str(ROLE / "files" / "htpasswd.py")], input=spec, capture_output=True, text=True, check=True
    ).stdout


def variant_settings(emulator, bucket: str, upstream: str) -> dict[str, dict]:
    """Role variables per variant; each variant also gets its own port and directory."""
    certificate, key = self_signed_pair()
    return {
        "minimal": {},
        "candidate": {"_registry_candidate": True},
        "htpasswd": {"registry_auth_htpasswd_users": [{"name": USER, "password": PASSWORD}]},
        "tls": {"registry_http_tls": {"certificate": certificate, "key": key}},
        "token": {
            "registry_auth_token": {
                "realm": TOKEN_REALM,
                "service": TOKEN_SERVICE,
                "issuer": "cosops-token-issuer",
                "rootcertbundle": certificate,
            }
        },
        "redis-cache": {"registry_cache": "redis", "registry_redis": {"addr": "127.0.0.1:6390", "password": "x"}},
        "no-cache-readonly-delete-redirect": {
            "registry_cache": "",
            "registry_storage_readonly": True,
            "registry_storage_delete_enabled": True,
            "registry_storage_redirect_disable": False,
            "registry_storage_uploadpurging": {"enabled": False},
            "registry_log_level": "debug",
            "registry_health_storagedriver": {"enabled": False},
            "registry_http_headers": {},
            "registry_metrics": {"enabled": False},
        },
        "notifications-proxy": {
            "registry_notifications_endpoints": [
                {"name": "audit", "url": "http://127.0.0.1:9/events", "timeout": "1s", "threshold": 3, "backoff": "1s"}
            ],
            "registry_proxy_remoteurl": upstream,
            "registry_proxy_username": "upstream-user",
            "registry_proxy_password": "upstream-password",
        },
    }


@pytest.fixture(scope="module")
def rendered(emulator_server, tmp_path_factory) -> dict[str, dict]:
    """Renders every variant with ansible; returns name -> {path, port, settings, files}."""
    emulator = emulator_server
    bucket = f"{BUCKET_NAME}-{emulator.appid}"
    root_id, root_key = emulator.iam.root_secret_id, emulator.iam.root_secret_key
    cos_client(emulator.url, root_id, root_key).create_bucket(Bucket=bucket)
    output = tmp_path_factory.mktemp("variants")
    upstream_port = processes.free_port()
    base = {
        # Every variant is served by Debian's docker-registry, the registry:2 code.
        "registry_image": "registry:2",
        "registry_storage_bucket": bucket,
        "registry_storage_region": "ap-guangzhou",
        "registry_storage_secret_id": root_id,
        "registry_storage_secret_key": root_key,
        "registry_storage_s3_regionendpoint": emulator.url,
        "registry_storage_secure": False,
        "registry_network_mode": "host",
        "registry_http_bind_address": "127.0.0.1",
        "_registry_http_secret": HTTP_SECRET,
        # Where the role's variables find its defaults file, as they do inside the role.
        "role_path": str(ROLE),
    }
    variants = {}
    for name, settings in variant_settings(emulator, bucket, f"http://127.0.0.1:{upstream_port}").items():
        directory = output / name
        directory.mkdir()
        port, candidate_port, metrics_port = processes.free_port(), processes.free_port(), processes.free_port()
        variants[name] = {
            **base,
            **settings,
            "registry_http_port": port,
            "registry_candidate_port": candidate_port,
            "registry_metrics": {**settings.get("registry_metrics", {}), "port": metrics_port},
            "_registry_container_dir": str(directory),
        }
    result = run_playbook(
        emulator, Path(__file__).with_name("render_variants.yml"), {"variants": variants, "output_dir": str(output)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        name: {
            "directory": output / name,
            "port": settings[
                "registry_candidate_port" if settings.get("_registry_candidate") else "registry_http_port"
            ],
            "settings": settings,
            "upstream_port": upstream_port,
        }
        for name, settings in variants.items()
    }


def write_files(variant: dict) -> None:
    """The files next to config.yml that the role writes for this variant: here only config.yml is the role's output;
    the role writing the others itself is proven where it deploys (tests/playbooks/test_deploy_check.py for token/)."""
    settings, directory = variant["settings"], variant["directory"]
    if settings.get("registry_auth_htpasswd_users"):
        (directory / "htpasswd").write_text(htpasswd(settings["registry_auth_htpasswd_users"]))
    if settings.get("registry_http_tls"):
        (directory / "tls").mkdir()
        (directory / "tls" / "certificate.pem").write_text(settings["registry_http_tls"]["certificate"])
        (directory / "tls" / "key.pem").write_text(settings["registry_http_tls"]["key"])
    if settings.get("registry_auth_token"):
        (directory / "token").mkdir()
        (directory / "token" / "rootcertbundle.pem").write_text(settings["registry_auth_token"]["rootcertbundle"])


def serve(config: Path, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            [REGISTRY_BINARY, "serve", str(config)], stdout=output, stderr=subprocess.STDOUT, env=registry_environment()
        )


@pytest.fixture
def upstream(rendered, tmp_path):
    """A plain registry (inmemory storage) for the pull-through cache to ping at start."""
    port = rendered["notifications-proxy"]["upstream_port"]
    config = tmp_path / "upstream.yml"
    config.write_text(
        yaml.safe_dump({"version": 0.1, "storage": {"inmemory": {}}, "http": {"addr": f"127.0.0.1:{port}"}})
    )
    process = serve(config, tmp_path / "upstream.log")
    try:
        processes.wait_for_port("127.0.0.1", port, START_TIMEOUT, process)
        yield
    finally:
        processes.stop(process)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
@pytest.mark.parametrize(
    "name", ["minimal", "candidate", "htpasswd", "tls", "redis-cache", "no-cache-readonly-delete-redirect"]
)
def test_variant_serves_and_reaches_storage(rendered, name):
    check_variant(rendered[name])


def test_pull_through_cache_variant_serves(rendered, upstream):
    check_variant(rendered["notifications-proxy"])


def check_variant(variant: dict) -> None:
    write_files(variant)
    settings, directory, port = variant["settings"], variant["directory"], variant["port"]
    config = yaml.safe_load((directory / "config.yml").read_text())
    scheme = "https" if settings.get("registry_http_tls") else "http"
    auth = (USER, PASSWORD) if settings.get("registry_auth_htpasswd_users") else None
    process = serve(directory / "config.yml", directory / "registry.log")
    try:
        processes.wait_for_port("127.0.0.1", port, START_TIMEOUT, process)
        url = f"{scheme}://127.0.0.1:{port}"
        assert requests.get(f"{url}/v2/", verify=False, timeout=10).status_code == (401 if auth else 200)
        # The catalog lists the bucket: the rendered credentials, endpoint and bucket work.
        catalog = requests.get(f"{url}/v2/_catalog", auth=auth, verify=False, timeout=30)
        assert catalog.status_code == 200, catalog.text
        if config["storage"]["maintenance"]["readonly"]["enabled"]:
            upload = requests.post(f"{url}/v2/variants/blobs/uploads/", auth=auth, verify=False, timeout=10)
            assert upload.status_code == 405, upload.text
        if "debug" in config["http"] and not settings.get("_registry_candidate"):
            check_metrics(settings["registry_metrics"]["port"])
        assert process.poll() is None
    finally:
        processes.stop(process)
        log = (directory / "registry.log").read_text(errors="replace")
    assert "panic" not in log, log


def check_metrics(port: int) -> None:
    """The debug server the role renders serves the catalog request just made among its Prometheus metrics."""
    metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert metrics.status_code == 200
    assert 'registry_http_requests_total{code="200",handler="catalog",method="get"} 1' in metrics.text


def test_token_variant_sends_clients_to_the_token_server(rendered):
    variant = rendered["token"]
    write_files(variant)
    directory, port = variant["directory"], variant["port"]
    process = serve(directory / "config.yml", directory / "registry.log")
    try:
        processes.wait_for_port("127.0.0.1", port, START_TIMEOUT, process)
        url = f"http://127.0.0.1:{port}"
        ping = requests.get(f"{url}/v2/", timeout=10)
        assert ping.status_code == 401
        assert ping.headers["WWW-Authenticate"] == f'Bearer realm="{TOKEN_REALM}",service="{TOKEN_SERVICE}"'
        push = requests.post(f"{url}/v2/variants/token/blobs/uploads/", timeout=10)
        assert push.status_code == 401
        challenge, scope = push.headers["WWW-Authenticate"].split(',scope="repository:variants/token:')
        assert challenge == f'Bearer realm="{TOKEN_REALM}",service="{TOKEN_SERVICE}"'
        # distribution joins the scope's actions in no fixed order.
        assert sorted(scope.rstrip('"').split(",")) == ["pull", "push"], push.headers["WWW-Authenticate"]
    finally:
        processes.stop(process)


def test_candidate_is_read_only_on_its_own_port(rendered):
    config = yaml.safe_load((rendered["candidate"]["directory"] / "config.yml").read_text())
    assert config["storage"]["maintenance"]["readonly"] == {"enabled": True}
    assert config["http"]["addr"] == f"127.0.0.1:{rendered['candidate']['settings']['registry_candidate_port']}"
    # Its debug server takes an ephemeral loopback port, never the live registry's metrics port.
    assert config["http"]["debug"]["addr"] == "127.0.0.1:0"


def test_metrics_sit_under_http_debug_on_the_metrics_address_unless_disabled(rendered):
    config = yaml.safe_load((rendered["minimal"]["directory"] / "config.yml").read_text())
    port = rendered["minimal"]["settings"]["registry_metrics"]["port"]
    assert config["http"]["debug"] == {"addr": f"127.0.0.1:{port}", "prometheus": {"enabled": True, "path": "/metrics"}}
    disabled = yaml.safe_load((rendered["no-cache-readonly-delete-redirect"]["directory"] / "config.yml").read_text())
    assert "debug" not in disabled["http"]


def test_upload_purging_is_rendered_with_all_four_keys(rendered):
    for variant in rendered.values():
        config = yaml.safe_load((variant["directory"] / "config.yml").read_text())
        assert set(config["storage"]["maintenance"]["uploadpurging"]) == {"enabled", "age", "interval", "dryrun"}


def test_a_group_given_in_part_keeps_the_role_defaults_of_its_other_keys(rendered):
    config = yaml.safe_load((rendered["no-cache-readonly-delete-redirect"]["directory"] / "config.yml").read_text())
    assert config["storage"]["maintenance"]["uploadpurging"] == {
        "enabled": False,
        "age": "168h",
        "interval": "24h",
        "dryrun": False,
    }
    assert config["health"]["storagedriver"] == {"enabled": False, "interval": "10s", "threshold": 3}
    redis = yaml.safe_load((rendered["redis-cache"]["directory"] / "config.yml").read_text())["redis"]
    assert redis == {"addr": "127.0.0.1:6390", "password": "x", "db": 0}


def render_one(emulator, settings: dict, output: Path) -> Path:
    (output / "variant").mkdir(parents=True)
    result = run_playbook(
        emulator,
        Path(__file__).with_name("render_variants.yml"),
        {"variants": {"variant": settings}, "output_dir": str(output)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output / "variant" / "config.yml"


def test_cos_variant_parses_up_to_the_driver(emulator_server, rendered, tmp_path):
    """The COS driver is not in Debian's binary: the registry must get as far as looking the driver up."""
    config_path = render_one(
        emulator_server, {**rendered["minimal"]["settings"], "registry_storage_driver": "cos"}, tmp_path
    )
    cos = yaml.safe_load(config_path.read_text())["storage"]["cos"]
    assert set(cos) == {
        "secretid",
        "secretkey",
        "region",
        "bucket",
        "rootdirectory",
        "chunksize",
        "maxconcurrency",
        "secure",
    }
    run = subprocess.run(
        [REGISTRY_BINARY, "serve", str(config_path)],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        env=registry_environment(),
        check=False,
    )
    assert run.returncode != 0
    assert "StorageDriver not registered: cos" in run.stdout + run.stderr


def test_distribution_3_gets_virtual_hosted_style_and_redis_addrs(emulator_server, rendered, tmp_path):
    """The keys only distribution v3 reads, as rendered; molecule and emulator/tests/test_registry.py serve registry:3
    from the role's configuration."""
    settings = {
        **rendered["minimal"]["settings"],
        "registry_image": "registry:3.0.0",
        "registry_cache": "redis",
        "registry_redis": {"addr": "127.0.0.1:6390"},
    }
    config = yaml.safe_load(render_one(emulator_server, settings, tmp_path).read_text())
    assert config["storage"]["s3"]["forcepathstyle"] is False
    assert config["redis"]["addrs"] == ["127.0.0.1:6390"]


def test_distribution_2_gets_no_forcepathstyle(rendered):
    config = yaml.safe_load((rendered["minimal"]["directory"] / "config.yml").read_text())
    assert "forcepathstyle" not in config["storage"]["s3"]


def catalog_status(binary: str, config: Path, environment: dict, port: int, log: Path) -> int | None:
    """The status of a catalog request to a registry started from `config` with `environment` added, None when the
    registry stopped before it listened."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [binary, "serve", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**registry_environment(), **environment},
        )
    try:
        try:
            processes.wait_for_port("127.0.0.1", port, START_TIMEOUT, process)
        except RuntimeError:
            return None
        return requests.get(f"http://127.0.0.1:{port}/v2/_catalog", timeout=30).status_code
    finally:
        processes.stop(process)


@pytest.mark.parametrize("version", [2, 3])
def test_key_from_the_environment_reaches_storage_and_is_not_in_the_file(emulator_server, rendered, tmp_path, version):
    """registry_storage_secret_key_delivery: environment. config.yml holds no SecretKey; distribution (both
    generations) signs its storage requests with REGISTRY_STORAGE_S3_SECRETKEY, and cannot without it."""
    minimal = rendered["minimal"]["settings"]
    key, port = minimal["registry_storage_secret_key"], processes.free_port()
    settings = {
        **minimal,
        "registry_image": f"registry:{version}",
        # The emulator's bucket here accepts path style, which both generations then use.
        "registry_storage_s3_forcepathstyle": True,
        "registry_storage_secret_key_delivery": "environment",
        "registry_http_port": port,
    }
    config = render_one(emulator_server, settings, tmp_path)
    assert key not in config.read_text()
    assert "secretkey" not in yaml.safe_load(config.read_text())["storage"]["s3"]
    binary = registry_binary(version)
    with_key = catalog_status(binary, config, {"REGISTRY_STORAGE_S3_SECRETKEY": key}, port, tmp_path / "key.log")
    without_key = catalog_status(binary, config, {}, port, tmp_path / "no-key.log")
    assert with_key == 200, (tmp_path / "key.log").read_text()
    assert without_key == 500, (tmp_path / "no-key.log").read_text()
