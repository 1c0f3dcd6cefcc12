"""migrate.yml end to end: Debian's docker-registry with the filesystem driver, filled by skopeo, is copied into the
emulator while it serves, restarted read-only by cosops_migrate_readonly_command for the final copy, and the registry
deploy.yml then deploys serves the same catalog, tags and digests, pulled back byte for byte. The old registry's last
push, just before it turns read-only, moves a tag that the earlier copies already wrote: the final copy follows it."""

from __future__ import annotations

import re
import shlex
import sys

import pytest
import requests
import yaml

from tests.playbooks import old_registry
from tests.support import processes, registry
from tests.support.deployment import ROOT, Deployment, output
from tools import oci

NEW_HOST = "registry-new"
OLD_HOST = "registry-old"
KIB = 1024
IMAGES = {
    ("team/web", "v1"): (1024 * KIB, 64 * KIB),
    ("team/web", "v2"): (256 * KIB,),
    ("tools/a/b", "latest"): (128 * KIB,),
}
HTTP_TIMEOUT = 30
# (moved tag, the image it points at after the last push)
MOVED = (("team/web", "v2"), ("team/web", "v1"))


@pytest.fixture(scope="module")
def old(tmp_path_factory):
    """The old registry's state directory; the registry serves from it, filled with IMAGES, until the module ends."""
    state = tmp_path_factory.mktemp("old-registry")
    old_registry.write_config(state, processes.free_port())
    old_registry.start(state)
    try:
        yield state
    finally:
        old_registry.stop(state)


@pytest.fixture(scope="module")
def pushed(old, tmp_path_factory) -> dict[tuple[str, str], oci.OciImage]:
    work = tmp_path_factory.mktemp("images")
    images = {}
    for index, ((repository, tag), sizes) in enumerate(IMAGES.items()):
        images[(repository, tag)] = oci.write_image(work / f"image-{index}", tag, sizes)
        push(images[(repository, tag)], old, f"{repository}:{tag}")
    return images


def address(state) -> str:
    return f"127.0.0.1:{old_registry.port(state)}"


def push(image: oci.OciImage, state, reference: str) -> None:
    registry.skopeo("copy", "--dest-tls-verify=false", image.reference, f"docker://{address(state)}/{reference}")


@pytest.fixture(scope="module")
def migration(deployments, old, pushed):
    """migrate.yml run once, with the old registry alone in `old_registry` on this machine."""
    deployment: Deployment = deployments(NEW_HOST, ansible_host="127.0.0.1")
    inventory = deployment.inventory_content()
    local = inventory["all"]["hosts"]["localhost"]
    inventory["all"]["children"]["old_registry"] = {"hosts": {OLD_HOST: dict(local)}}
    inventory_file = deployment.work / "migrate-inventory.yml"
    inventory_file.write_text(yaml.safe_dump(inventory, sort_keys=False))
    (repository, tag), (source_repository, source_tag) = MOVED
    retag = ["skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false"]
    retag += [
        f"docker://{address(old)}/{source_repository}:{source_tag}",
        f"docker://{address(old)}/{repository}:{tag}",
    ]
    readonly = ["env", f"PYTHONPATH={ROOT}", sys.executable, "-m", old_registry.__name__, str(old), "readonly"]
    extra_vars = {
        "cosops_migrate_readonly_command": shlex.join(["sh", "-c", f"{shlex.join(retag)} && {shlex.join(readonly)}"]),
        "cosops_migrate_src_path": str(old_registry.data_directory(old)),
        "cosops_migrate_old_url": f"http://{address(old)}",
    }
    run = deployment.playbook("migrate.yml", extra_vars=extra_vars, inventory=inventory_file)
    return deployment, run


def catalog(url: str) -> dict[str, list[str]]:
    """Repository -> sorted tags, as the registry at `url` lists them."""
    repositories = requests.get(f"{url}/v2/_catalog", timeout=HTTP_TIMEOUT).json()["repositories"]
    return {
        repository: sorted(requests.get(f"{url}/v2/{repository}/tags/list", timeout=HTTP_TIMEOUT).json()["tags"])
        for repository in repositories
    }


def test_migration_passes_and_reports_every_copy_and_a_match(migration):
    _deployment, run = migration
    assert run.returncode == 0, output(run)
    for name in ("first", "second", "final"):
        assert re.search(rf"{name} pass: copied \d+ objects", run.stdout), output(run)
    # Nothing was pushed during the copies: the later passes find everything there.
    assert re.search(r"second pass: copied 0 objects", run.stdout), output(run)
    # The push before the read-only restart: the moved tag's current link and its new index entry.
    assert re.search(r"final pass: copied 2 objects", run.stdout), output(run)
    # The old catalog comes one repository per page: every tag counted means every page was read.
    assert f"compared: {len(IMAGES)} tags, {len(IMAGES)} digests; the registries match" in run.stdout, output(run)


def test_new_registry_serves_every_image_byte_for_byte(migration, pushed, tmp_path):
    deployment, run = migration
    assert run.returncode == 0, output(run)
    expected = {}
    for repository, tag in IMAGES:
        expected.setdefault(repository, []).append(tag)
    assert catalog(deployment.url(NEW_HOST)) == expected
    served = {**pushed, MOVED[0]: pushed[MOVED[1]]}
    for (repository, tag), image in served.items():
        layout = tmp_path / f"{repository.replace('/', '-')}-{tag}"
        pulled = deployment.pull(deployment.address(NEW_HOST), f"{repository}:{tag}", layout, tag)
        assert pulled.manifest_digest == image.manifest_digest
        assert [pulled.blob(digest) for digest in image.digests] == [image.blob(digest) for digest in image.digests]


def test_old_registry_is_left_read_only_and_still_serves(migration, old, pushed, tmp_path):
    deployment, run = migration
    assert run.returncode == 0, output(run)
    late = oci.write_image(tmp_path / "late", "v1", (64 * KIB,))
    with pytest.raises(AssertionError, match="(?i)read-only|readonly|405|unsupported"):
        push(late, old, "team/web:late")
    (repository, tag), image = next(iter(pushed.items()))
    pulled = deployment.pull(address(old), f"{repository}:{tag}", tmp_path / "from-old", tag)
    assert pulled.manifest_digest == image.manifest_digest
