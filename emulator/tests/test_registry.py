"""The registry itself on the emulator: Debian's docker-registry (distribution 2.8.2, registry:2) and distribution v3
(registry:3, by virtual host) with their s3 driver, an image pushed and pulled back with skopeo (every blob download
redirected to a presigned URL of the bucket), first with the root key, then with a CAM sub-user key confined to the
bucket's root directory."""

from __future__ import annotations

import shutil

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import registry_cam_policy
from qcloud_cos.cos_exception import CosServiceError

from emulator import clients
from emulator.iam import DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY
from tests.support import processes, registry
from tools import oci

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("skopeo") and shutil.which(registry.REGISTRY_BINARY)),
        reason="needs skopeo and docker-registry",
    ),
]

BUCKET = "images-1250000000"
REGION = "ap-guangzhou"
ROOT_DIRECTORY = "team/registry"
MIB = 1024 * 1024


@pytest.fixture
def storage_bucket(cos) -> str:
    cos.create_bucket(Bucket=BUCKET)
    return BUCKET


def keys_under(cos, prefix: str) -> list[str]:
    keys, marker = [], ""
    for attempt in range(100):
        page = cos.list_objects(Bucket=BUCKET, Prefix=prefix, Marker=marker)
        keys += [entry["Key"] for entry in page.get("Contents", [])]
        if page["IsTruncated"] != "true":
            return keys
        marker = page["NextMarker"]
    raise AssertionError("listing did not end")


def push_and_pull_back(
    tmp_path,
    storage: dict,
    repository: str,
    ca_file: str | None = None,
    layer_sizes=(12 * MIB, 64 * 1024),
    version: int = 2,
    proxy: str | None = None,
) -> tuple[oci.OciImage, oci.OciImage]:
    """Pushes a generated image (one layer big enough for multipart) and pulls it back through the registry, which
    redirects every blob download to a presigned URL of the bucket; skopeo follows them through the same proxy as the
    registry's own requests (the emulator, for the bucket's virtual-host name)."""
    image = oci.write_image(tmp_path / "image", tag="v1", layer_sizes=layer_sizes)
    config = registry.registry_config(storage, processes.free_port(), redirect=True, access_log=True)
    with registry.run_registry(config, tmp_path / "registry", ca_file, version=version, proxy=proxy) as running:
        try:
            registry.push(image.reference, running, f"{repository}:v1")
            registry.pull(running, f"{repository}:v1", f"oci:{tmp_path / 'pulled'}:v1", proxy=proxy)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\nregistry log:\n{running.log()[-5000:]}") from None
        served = registry.served(running.log())
    # The config and every layer: each GET answered with a redirect, none with the blob's bytes.
    assert served.blob_gets == served.redirected == len(layer_sizes) + 1, served
    return image, oci.read_image(tmp_path / "pulled", "v1")


def assert_identical(pushed: oci.OciImage, pulled: oci.OciImage) -> None:
    assert pulled.digests == pushed.digests
    for digest in pushed.digests:
        assert pulled.blob(digest) == pushed.blob(digest)


def test_push_and_pull_with_the_root_key(emulator, root, cos, storage_bucket, tmp_path):
    storage = registry.s3_storage(emulator.url, storage_bucket, REGION, *root, rootdirectory=f"/{ROOT_DIRECTORY}")
    pushed, pulled = push_and_pull_back(tmp_path, storage, "apps/web")
    assert_identical(pushed, pulled)
    keys = keys_under(cos, f"{ROOT_DIRECTORY}/docker/registry/v2/")
    for digest in pushed.digests:
        hexdigest = digest.split(":")[1]
        assert f"{ROOT_DIRECTORY}/docker/registry/v2/blobs/sha256/{hexdigest[:2]}/{hexdigest}/data" in keys
    assert f"{ROOT_DIRECTORY}/docker/registry/v2/repositories/apps/web/_manifests/tags/v1/current/link" in keys
    assert keys_under(cos, "") == keys  # nothing outside the root directory


def registry_with_key(emulator, control, bucket: str, key: tuple[str, str], version: int) -> dict:
    """push_and_pull_back's storage arguments for distribution `version`, addressed as on COS (registry:3 on a bucket
    that refuses path style, as new buckets do)."""
    control.set_path_style(bucket, reject=version >= 3)
    storage, proxy = registry.emulated_s3_storage(version, emulator.url, bucket, REGION, key, f"/{ROOT_DIRECTORY}")
    return {"storage": storage, "version": version, "proxy": proxy}


@pytest.mark.parametrize("version", [2, 3], ids=["registry2", "registry3"])
def test_push_and_pull_with_a_sub_user_confined_to_the_root_directory(
    emulator, root, cos, control, storage_bucket, tmp_path, version
):
    """The collection's least-privilege policy is enough for the registry, and confines the key to the root."""
    key = clients.sub_user_key(
        emulator.url, root, registry_cam_policy(storage_bucket, REGION, emulator.appid, ROOT_DIRECTORY)
    )
    running = registry_with_key(emulator, control, storage_bucket, key, version)
    control.clear_counters()
    # Blobs below and above the s3 driver's 32 MiB multipart-copy threshold: its Move copies them whole or in parts.
    pushed, pulled = push_and_pull_back(
        tmp_path, repository="apps/api", layer_sizes=(12 * MIB, 33 * MIB, 64 * 1024), **running
    )
    assert_identical(pushed, pulled)
    used = control.counters()["operations"]
    assert {
        "cos:InitiateMultipartUpload",
        "cos:UploadPart",
        "cos:PutObjectCopy",
        "cos:UploadPartCopy",
        "cos:GetBucket",
        "cos:DeleteMultipleObjects",
    } <= set(used)
    assert keys_under(cos, f"{ROOT_DIRECTORY}/docker/registry/v2/blobs/")

    confined = clients.cos_client(emulator.url, *key)
    blob = (
        f"{ROOT_DIRECTORY}/docker/registry/v2/blobs/sha256/{pushed.config_digest[7:9]}/{pushed.config_digest[7:]}/data"
    )
    assert confined.get_object(Bucket=storage_bucket, Key=blob)["Body"].get_raw_stream().read() == pushed.blob(
        pushed.config_digest
    )
    for denied in (
        lambda: confined.put_object(Bucket=storage_bucket, Key="outside/blob", Body=b"x"),
        lambda: confined.get_object(Bucket=storage_bucket, Key="team/other/file"),
        lambda: confined.list_objects(Bucket=storage_bucket, Prefix=""),
        lambda: confined.list_objects(Bucket=storage_bucket, Prefix="team/"),
        lambda: confined.delete_bucket(Bucket=storage_bucket),
        lambda: confined.put_bucket_lifecycle(
            Bucket=storage_bucket,
            LifecycleConfiguration={
                "Rule": [{"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 1}}]
            },
        ),
    ):
        with pytest.raises(CosServiceError) as error:
            denied()
        assert (error.value.get_status_code(), error.value.get_error_code()) == (403, "AccessDenied")


@pytest.mark.parametrize("version", [2, 3], ids=["registry2", "registry3"])
def test_a_policy_without_put_object_copy_is_refused_at_the_blob_commit(
    emulator, root, cos, control, storage_bucket, tmp_path, version
):
    """Registry policies used to grant PutObject for the registry's Move; COS asks cos:PutObjectCopy (api 436/10881)."""
    policy = registry_cam_policy(storage_bucket, REGION, emulator.appid, ROOT_DIRECTORY)
    policy["statement"][0]["action"].remove("name/cos:PutObjectCopy")
    key = clients.sub_user_key(emulator.url, root, policy)
    running = registry_with_key(emulator, control, storage_bucket, key, version)
    control.clear_counters()
    with pytest.raises(AssertionError):
        push_and_pull_back(tmp_path, repository="apps/refused", layer_sizes=(64 * 1024,), **running)
    assert control.counters()["operations"].get("cos:PutObjectCopy")
    assert not keys_under(cos, f"{ROOT_DIRECTORY}/docker/registry/v2/blobs/")


def test_stock_registry_fails_where_path_style_is_refused(emulator, root, control, storage_bucket, tmp_path):
    """distribution 2.8 always addresses buckets path-style, which COS refuses for buckets made after 2024."""
    control.set_path_style(storage_bucket, reject=True)
    storage = registry.s3_storage(emulator.url, storage_bucket, REGION, *root, rootdirectory=f"/{ROOT_DIRECTORY}")
    with pytest.raises(AssertionError) as failure:
        push_and_pull_back(tmp_path, storage, "apps/refused")
    assert "PathStyleDomainForbidden" in str(failure.value)


def test_push_and_pull_over_https(tmp_path):
    """`secure: true` against the emulator's --tls endpoint, trusting its generated CA."""
    process, url, ca_file = processes.start_emulator("--tls")
    try:
        key = (DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
        clients.cos_client(url, *key, VerifySSL=ca_file).create_bucket(Bucket=BUCKET)
        storage = registry.s3_storage(url, BUCKET, REGION, *key, rootdirectory=f"/{ROOT_DIRECTORY}")
        assert storage["s3"]["secure"] is True
        pushed, pulled = push_and_pull_back(tmp_path, storage, "apps/secure", ca_file)
        assert_identical(pushed, pulled)
    finally:
        processes.stop(process)
