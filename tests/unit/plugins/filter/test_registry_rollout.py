import hashlib

import pytest
import yaml
from ansible_collections.cosops.registry.plugins.filter.registry_rollout import RETURN, FilterModule

ROLLOUT = FilterModule().filters()["registry_rollout"]
CONFIG_DIR = "/etc/docker/registry"
CONFIG = "version: 0.1\n"
HTPASSWD = "ci:$2b$10$hash\n"
FINGERPRINT = "f" * 64


def sha1(content: str) -> str:
    return hashlib.sha1(content.encode()).hexdigest()


def wanted(htpasswd: bool = True) -> list[dict]:
    return [
        {"path": "config.yml", "content": CONFIG, "present": True},
        {"path": "htpasswd", "content": HTPASSWD if htpasswd else "\n", "present": htpasswd},
    ]


def live_files(**contents: str) -> list[dict]:
    return [{"path": f"{CONFIG_DIR}/{path}", "checksum": sha1(content)} for path, content in contents.items()]


def container(fingerprint: str = FINGERPRINT, running: bool = True) -> dict:
    return {"Config": {"Labels": {"org.cosops.registry.fingerprint": fingerprint}}, "State": {"Running": running}}


def plan(wanted_files, files, live_container) -> dict:
    return ROLLOUT(wanted_files, files, CONFIG_DIR, live_container, FINGERPRINT)


def test_nothing_to_do_when_files_and_spec_match_a_running_container():
    result = plan(wanted(), live_files(**{"config.yml": CONFIG, "htpasswd": HTPASSWD}), container())
    assert result == {"files_stale": False, "files_obsolete": [], "spec_stale": False, "running": True}


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"config.yml": CONFIG}, id="missing"),
        pytest.param({"config.yml": "version: 0.2\n", "htpasswd": HTPASSWD}, id="changed"),
    ],
)
def test_a_missing_or_changed_file_is_stale(files):
    assert plan(wanted(), live_files(**files), container())["files_stale"]


def test_a_file_no_longer_wanted_is_stale_and_obsolete():
    result = plan(wanted(htpasswd=False), live_files(**{"config.yml": CONFIG, "htpasswd": HTPASSWD}), container())
    assert result["files_stale"]
    assert result["files_obsolete"] == [f"{CONFIG_DIR}/htpasswd"]


def test_a_file_not_wanted_and_not_there_is_fine():
    result = plan(wanted(htpasswd=False), live_files(**{"config.yml": CONFIG}), container())
    assert not result["files_stale"] and result["files_obsolete"] == []


def test_present_flags_rendered_as_strings_count_as_booleans():
    files = [{**file, "present": str(file["present"])} for file in wanted(htpasswd=False)]
    assert not plan(files, live_files(**{"config.yml": CONFIG}), container())["files_stale"]


def test_another_fingerprint_means_the_container_must_be_recreated():
    assert plan(wanted(), [], container(fingerprint="0" * 64))["spec_stale"]


@pytest.mark.parametrize(
    "live_container",
    [
        pytest.param({}, id="no container"),
        pytest.param({"Config": {"Labels": None}, "State": {"Running": True}}, id="no labels"),
    ],
)
def test_a_container_without_our_fingerprint_must_be_recreated(live_container):
    assert plan(wanted(), [], live_container)["spec_stale"]


def test_a_stopped_or_missing_container_is_not_running():
    assert not plan(wanted(), [], container(running=False))["running"]
    assert not plan(wanted(), [], None)["running"]


def test_documented_return_keys_are_what_the_filter_returns():
    documented = yaml.safe_load(RETURN)["_value"]
    assert set(documented["contains"]) == set(plan(wanted(), [], None)) == set(documented["sample"])
