"""One description of the registry's container: what docker, podman, the garbage-collect one-off and the fingerprint
read from it."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.filter.registry_container import registry_container
from ansible_collections.cosops.registry.plugins.filter.registry_container_argv import registry_container_argv
from ansible_collections.cosops.registry.plugins.filter.registry_container_fingerprint import (
    registry_container_fingerprint,
)
from ansible_collections.cosops.registry.plugins.filter.registry_container_parameters import (
    registry_container_parameters,
)
from ansible_collections.cosops.registry.plugins.filter.registry_container_stdin import registry_container_stdin
from ansible_collections.cosops.registry.plugins.plugin_utils.container import OPTIONS

IMAGE_ID = "sha256:" + "a" * 64
# The role's defaults.
SETTINGS = {
    "engine": "docker",
    "image": "registry:3",
    "name": "registry",
    "config_dir": "/etc/docker/registry",
    "candidate_dir": "/etc/docker/registry.candidate",
    "container_dir": "/etc/docker/registry",
    "network_mode": "bridge",
    "bind_address": "",
    "port": 5000,
    "candidate_port": 5001,
    "restart_policy": "unless-stopped",
    "healthcheck": {},
    "ulimits": ["nofile=16384:16384"],
    "memory": "",
    "cpus": 0,
    "env": {},
    "etc_hosts": {},
    "oci_runtime": "",
    "metrics_bind_address": "127.0.0.1",
    "metrics_port": 5002,
}
# Every option used, as the test machines run the registry with podman.
PODMAN = {
    **SETTINGS,
    "engine": "podman",
    "network_mode": "host",
    "bind_address": "127.0.0.1",
    "healthcheck": {"test": ["CMD", "wget", "-q", "http://127.0.0.1:5000/v2/"], "interval": "30s", "retries": 3},
    "ulimits": ["nofile=1024:1024", "nproc=1024:1024"],
    "memory": "512m",
    "cpus": 1.5,
    "env": {"REGISTRY_LOG_LEVEL": "debug"},
    "etc_hosts": {"cos.ap-guangzhou.myqcloud.com": "127.0.0.1"},
    "oci_runtime": "runc",
}


def test_the_live_container_is_described_in_words_of_no_engine():
    assert registry_container(SETTINGS) == {
        "engine": "docker",
        "name": "registry",
        "image": "registry:3",
        "command": ["serve", "/etc/docker/registry/config.yml"],
        "network": "bridge",
        "ports": ["5000:5000", "127.0.0.1:5002:5001"],
        "mounts": ["/etc/docker/registry:/etc/docker/registry:ro"],
        "env": {},
        "secret_env": {},
        "secrets": {},
        "etc_hosts": {},
        "ulimits": ["nofile=16384:16384"],
        "memory": "",
        "cpus": 0.0,
        "healthcheck": {},
        "restart_policy": "unless-stopped",
        "oci_runtime": "",
    }


def test_the_candidate_is_the_live_spec_on_its_own_name_directory_and_loopback_port():
    live = registry_container({**SETTINGS, "bind_address": "192.0.2.10"})
    candidate = registry_container({**SETTINGS, "bind_address": "192.0.2.10"}, "candidate")
    assert live["ports"] == ["192.0.2.10:5000:5000", "127.0.0.1:5002:5001"]
    changed = {key: (live[key], candidate[key]) for key in live if live[key] != candidate[key]}
    assert changed == {
        "name": ("registry", "registry-candidate"),
        "ports": (["192.0.2.10:5000:5000", "127.0.0.1:5002:5001"], ["127.0.0.1:5001:5000"]),
        "mounts": (
            ["/etc/docker/registry:/etc/docker/registry:ro"],
            ["/etc/docker/registry.candidate:/etc/docker/registry:ro"],
        ),
        "restart_policy": ("unless-stopped", "no"),
    }


@pytest.mark.parametrize("address, published", [("", "5002:5001"), ("192.0.2.10", "192.0.2.10:5002:5001")])
def test_the_live_debug_server_is_published_on_the_metrics_address(address, published):
    assert registry_container({**SETTINGS, "metrics_bind_address": address})["ports"] == ["5000:5000", published]


@pytest.mark.parametrize("port", [0, "0", None])
def test_no_metrics_port_publishes_no_debug_server(port):
    assert registry_container({**SETTINGS, "metrics_port": port})["ports"] == ["5000:5000"]


def test_host_networking_publishes_nothing():
    assert registry_container(PODMAN)["ports"] == []
    assert registry_container(PODMAN, "candidate")["ports"] == []


def test_only_podman_gets_an_oci_runtime():
    assert registry_container({**PODMAN, "engine": "docker"})["oci_runtime"] == ""


def test_an_unknown_purpose_or_a_missing_setting_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="purpose 'gc' is not one of live, candidate"):
        registry_container(SETTINGS, "gc")
    with pytest.raises(AnsibleFilterError, match="'image'"):
        registry_container({key: value for key, value in SETTINGS.items() if key != "image"})


def test_every_key_of_the_description_tells_each_engine_how_to_take_it():
    assert set(registry_container(SETTINGS)) == set(OPTIONS)


def test_docker_gets_its_own_spelling_and_no_defaults_of_its_own():
    parameters = registry_container_parameters(registry_container(SETTINGS), recreate="True", fingerprint="f" * 64)
    assert parameters == {
        "state": "started",
        "recreate": True,
        "container_default_behavior": "no_defaults",
        "name": "registry",
        "image": "registry:3",
        "command": ["serve", "/etc/docker/registry/config.yml"],
        "network_mode": "bridge",
        "published_ports": ["5000:5000", "127.0.0.1:5002:5001"],
        "volumes": ["/etc/docker/registry:/etc/docker/registry:ro"],
        "env": {},
        "ulimits": ["nofile:16384:16384"],
        "restart_policy": "unless-stopped",
        "labels": {"org.cosops.registry.fingerprint": "f" * 64},
    }


def test_podman_gets_host_networking_a_string_healthcheck_and_its_runtime():
    parameters = registry_container_parameters(registry_container(PODMAN, "candidate"), recreate=True)
    assert parameters == {
        "state": "started",
        "recreate": True,
        "name": "registry-candidate",
        "image": "registry:3",
        "command": ["serve", "/etc/docker/registry/config.yml"],
        "network": ["host"],
        "volume": ["/etc/docker/registry.candidate:/etc/docker/registry:ro"],
        "env": {"REGISTRY_LOG_LEVEL": "debug"},
        "etc_hosts": {"cos.ap-guangzhou.myqcloud.com": "127.0.0.1"},
        "ulimit": ["nofile=1024:1024", "nproc=1024:1024"],
        "memory": "512m",
        "cpus": 1.5,
        "healthcheck": '["CMD", "wget", "-q", "http://127.0.0.1:5000/v2/"]',
        "healthcheck_interval": "30s",
        "healthcheck_retries": 3,
        "restart_policy": "no",
        "cmd_args": ["--runtime", "runc"],
        "label": {},
    }


def test_docker_takes_the_healthcheck_as_given_and_podman_a_shell_test_as_is():
    healthcheck = {"test": "wget -q http://127.0.0.1:5000/v2/ || exit 1", "timeout": "5s"}
    docker = registry_container_parameters(registry_container({**SETTINGS, "healthcheck": healthcheck}))
    podman = registry_container_parameters(registry_container({**PODMAN, "healthcheck": healthcheck}))
    assert docker["healthcheck"] == healthcheck
    assert (podman["healthcheck"], podman["healthcheck_timeout"]) == (healthcheck["test"], "5s")


def test_a_one_off_has_the_live_environment_but_none_of_a_service():
    argv = registry_container_argv(
        registry_container(PODMAN), ["garbage-collect", "--dry-run", "/etc/docker/registry/config.yml"]
    )
    assert argv == [
        "podman",
        "run",
        "--rm",
        "--network=host",
        "--volume=/etc/docker/registry:/etc/docker/registry:ro",
        "--env=REGISTRY_LOG_LEVEL=debug",
        "--add-host=cos.ap-guangzhou.myqcloud.com:127.0.0.1",
        "--ulimit=nofile=1024:1024",
        "--ulimit=nproc=1024:1024",
        "--runtime=runc",
        "registry:3",
        "garbage-collect",
        "--dry-run",
        "/etc/docker/registry/config.yml",
    ]


def test_a_one_off_on_docker_in_bridge_mode_publishes_no_port():
    argv = registry_container_argv(registry_container(SETTINGS), ["garbage-collect"])
    assert argv == [
        "docker",
        "run",
        "--rm",
        "--network=bridge",
        "--volume=/etc/docker/registry:/etc/docker/registry:ro",
        "--ulimit=nofile=16384:16384",
        "registry:3",
        "garbage-collect",
    ]


def fingerprint(settings: dict, image_id: str = IMAGE_ID) -> str:
    return registry_container_fingerprint(registry_container(settings), image_id)


@pytest.mark.parametrize(
    "change",
    [
        {"engine": "podman"},
        {"network_mode": "host"},
        {"bind_address": "127.0.0.1"},
        {"port": 5002},
        {"config_dir": "/srv/registry"},
        {"restart_policy": "always"},
        {"healthcheck": {"test": "true"}},
        {"ulimits": ["nofile=1024:1024"]},
        {"memory": "1g"},
        {"cpus": 2},
        {"env": {"HTTP_PROXY": "http://proxy:3128"}},
        {"secret_env": {"REGISTRY_STORAGE_S3_SECRETKEY": "key"}},
        {"engine": "podman", "secrets": {"REGISTRY_STORAGE_S3_SECRETKEY": "registry-storage-key-0123"}},
        {"etc_hosts": {"cos.ap-guangzhou.myqcloud.com": "10.0.0.5"}},
        {"engine": "podman", "oci_runtime": "runc"},
    ],
    ids=",".join,
)
def test_every_option_changes_the_fingerprint(change):
    assert fingerprint({**SETTINGS, **change}) != fingerprint(SETTINGS)


def test_the_image_counts_by_id_and_the_name_not_at_all():
    assert fingerprint(SETTINGS, "sha256:" + "b" * 64) != fingerprint(SETTINGS)
    assert fingerprint({**SETTINGS, "image": "registry:latest"}) == fingerprint(SETTINGS)
    assert fingerprint({**SETTINGS, "name": "mirror"}) == fingerprint(SETTINGS)


def test_an_option_added_at_an_empty_value_keeps_the_fingerprint():
    description = registry_container(SETTINGS)
    before = registry_container_fingerprint(description, IMAGE_ID)
    for empty in ("", 0, [], {}):
        assert registry_container_fingerprint({**description, "new_option": empty}, IMAGE_ID) == before


KEY = {"REGISTRY_STORAGE_S3_SECRETKEY": "s3cr3t/key+value"}
SECRET = {"REGISTRY_STORAGE_S3_SECRETKEY": "registry-storage-key-0123456789abcdef"}


def test_secret_environment_joins_the_engines_environment():
    docker = registry_container_parameters(registry_container({**SETTINGS, "secret_env": KEY}))
    podman = registry_container_parameters(registry_container({**PODMAN, "secret_env": KEY}))
    assert docker["env"] == KEY
    assert podman["env"] == {"REGISTRY_LOG_LEVEL": "debug", **KEY}


def test_a_one_off_reads_secret_environment_from_stdin_never_its_command_line():
    description = registry_container({**PODMAN, "secret_env": KEY})
    argv = registry_container_argv(description, ["garbage-collect"])
    assert "--env-file=/dev/stdin" in argv
    assert not [argument for argument in argv if KEY["REGISTRY_STORAGE_S3_SECRETKEY"] in argument]
    assert registry_container_stdin(description) == "REGISTRY_STORAGE_S3_SECRETKEY=s3cr3t/key+value"
    assert registry_container_stdin(registry_container(PODMAN)) == ""
    assert "--env-file=/dev/stdin" not in registry_container_argv(registry_container(PODMAN), ["garbage-collect"])


def test_podman_secrets_fill_their_variables_in_the_container_and_a_one_off():
    description = registry_container({**PODMAN, "secrets": SECRET})
    secret = "registry-storage-key-0123456789abcdef,type=env,target=REGISTRY_STORAGE_S3_SECRETKEY"
    assert registry_container_parameters(description)["secrets"] == [secret]
    assert "secrets" not in registry_container_parameters(registry_container(PODMAN))
    assert f"--secret={secret}" in registry_container_argv(description, ["garbage-collect"])


def test_secrets_with_docker_are_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="REGISTRY_STORAGE_S3_SECRETKEY.*docker keeps secrets in swarm mode"):
        registry_container({**SETTINGS, "secrets": SECRET})
