"""The registry's generated least-privilege policy, as deploy.yml grants it: with its key the registry pushes, pulls,
deletes and garbage-collects; the same key is denied every bucket-configuration action and every object outside the
registry's root directory."""

from __future__ import annotations

import yaml
from qcloud_cos.cos_exception import CosServiceError

from emulator import clients
from tests.reliability import registry_client
from tools import oci

REPOSITORY = "least-privilege/app"
BLOBS = "registry/docker/registry/v2/blobs/"
OUTSIDE = ("outside/kept", "registry-sibling/kept")
DENIED = ("AccessDenied", "HTTP 403")


def registry_cos(deployment):
    key = deployment.key()
    return clients.cos_client(deployment.emulator.url, key["secret_id"], key["secret_key"])


def root_cos(deployment):
    iam = deployment.emulator.iam
    return clients.cos_client(deployment.emulator.url, iam.root_secret_id, iam.root_secret_key)


def stored_blobs(deployment) -> set[str]:
    """Digests of the blobs in storage (keys .../blobs/sha256/ab/<hex>/data)."""
    listing = root_cos(deployment).list_objects(Bucket=deployment.bucket, Prefix=BLOBS, MaxKeys=1000)
    return {"sha256:" + item["Key"].split("/")[-2] for item in listing.get("Contents", [])}


def test_registry_runs_on_the_generated_key(deployment):
    config = yaml.safe_load((deployment.config_dir() / "config.yml").read_text())
    assert config["storage"]["s3"]["accesskey"] == deployment.key()["secret_id"]
    assert config["storage"]["s3"]["accesskey"] != deployment.emulator.iam.root_secret_id


def test_registry_pushes_pulls_deletes_and_collects_garbage(deployment, tmp_path, figures):
    image = oci.write_image(tmp_path / "pushed", "v1", (2 * 1024 * 1024,))
    registry_client.push(deployment, image, REPOSITORY)
    pulled = registry_client.pull(deployment, REPOSITORY, "v1", tmp_path / "pulled")
    assert registry_client.same_image(image, pulled)
    assert set(image.layer_digests) <= stored_blobs(deployment)

    assert registry_client.delete_manifest(deployment, REPOSITORY, image.manifest_digest) == 202
    assert registry_client.manifest_status(deployment, REPOSITORY, image.manifest_digest) == 404
    collected = registry_client.garbage_collect(deployment)
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    assert not set(image.layer_digests) & stored_blobs(deployment), "garbage collection left the deleted layer"
    figures.add("least_privilege_allowed", 4)


def bucket_configuration_calls(bucket: str, appid: str) -> dict:
    """Every bucket-configuration action, as cos-python-sdk-v5 calls with their arguments."""
    rule = {"ID": "probe", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}
    policy = {"version": "2.0", "Statement": []}
    return {
        "put_bucket_lifecycle": {"LifecycleConfiguration": {"Rule": [rule]}},
        "get_bucket_lifecycle": {},
        "delete_bucket_lifecycle": {},
        "put_bucket_acl": {"ACL": "public-read"},
        "get_bucket_acl": {},
        "put_bucket_policy": {"Policy": policy},
        "get_bucket_policy": {},
        "delete_bucket_policy": {},
        "put_bucket_cors": {"CORSConfiguration": {"CORSRule": [{"AllowedOrigin": "*", "AllowedMethod": "GET"}]}},
        "get_bucket_cors": {},
        "delete_bucket_cors": {},
        "put_bucket_versioning": {"Status": "Enabled"},
        "get_bucket_versioning": {},
        "put_bucket_tagging": {"Tagging": {"TagSet": {"Tag": [{"Key": "a", "Value": "b"}]}}},
        "get_bucket_tagging": {},
        "delete_bucket_tagging": {},
        "put_bucket_encryption": {
            "ServerSideEncryptionConfiguration": {
                "Rule": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            }
        },
        "delete_bucket": {},
        "create_bucket": {"Bucket": f"another-{appid}"},
    }


def outcome(call) -> str:
    """The error code a call met ("HTTP <status>" for an answer without a body, as to HEAD), or 'allowed'."""
    try:
        call()
    except CosServiceError as error:
        code = error.get_error_code()
        return code if code and code != "Unknown" else f"HTTP {error.get_status_code()}"
    return "allowed"


def test_registry_key_is_denied_every_bucket_configuration_action(deployment, figures):
    cos = registry_cos(deployment)
    calls = bucket_configuration_calls(deployment.bucket, deployment.emulator.appid)
    outcomes = {
        name: outcome(
            lambda name=name, arguments=arguments: getattr(cos, name)(**{"Bucket": deployment.bucket, **arguments})
        )
        for name, arguments in calls.items()
    }
    assert {name: code for name, code in outcomes.items() if code not in DENIED} == {}
    figures.add("least_privilege_denied", len(outcomes))


def object_calls(cos, bucket: str, inside_key: str) -> dict:
    """Reads, writes, listings and copies that reach objects outside the root directory."""
    source = {"Bucket": bucket, "Key": OUTSIDE[0], "Region": clients.REGION}
    inside = {"Bucket": bucket, "Key": inside_key, "Region": clients.REGION}
    return {
        "put outside": lambda: cos.put_object(Bucket=bucket, Key="outside/new", Body=b"x"),
        "put beside the root": lambda: cos.put_object(Bucket=bucket, Key="registry-sibling/new", Body=b"x"),
        "put the root's own name": lambda: cos.put_object(Bucket=bucket, Key="registry", Body=b"x"),
        "get outside": lambda: cos.get_object(Bucket=bucket, Key=OUTSIDE[0]),
        "head outside": lambda: cos.head_object(Bucket=bucket, Key=OUTSIDE[0]),
        "get beside the root": lambda: cos.get_object(Bucket=bucket, Key=OUTSIDE[1]),
        "delete outside": lambda: cos.delete_object(Bucket=bucket, Key=OUTSIDE[0]),
        "multipart outside": lambda: cos.create_multipart_upload(Bucket=bucket, Key="outside/upload"),
        "copy outside into the root": lambda: cos.copy_object(Bucket=bucket, Key="registry/copied", CopySource=source),
        "copy the root outside": lambda: cos.copy_object(Bucket=bucket, Key="outside/copied", CopySource=inside),
        "list the whole bucket": lambda: cos.list_objects(Bucket=bucket, Prefix=""),
        "list outside": lambda: cos.list_objects(Bucket=bucket, Prefix="outside/"),
        "list beside the root": lambda: cos.list_objects(Bucket=bucket, Prefix="registry-sibling/"),
        "list uploads of the whole bucket": lambda: cos.list_multipart_uploads(Bucket=bucket, Prefix=""),
    }


def batch_delete_outcome(cos, bucket: str, key: str) -> str:
    """COS refuses the whole batch, or reports the refused keys one by one."""
    try:
        answer = cos.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": key}], "Quiet": "false"})
    except CosServiceError as error:
        return error.get_error_code()
    errors = answer.get("Error", [])
    errors = [errors] if isinstance(errors, dict) else errors
    return errors[0]["Code"] if errors else "allowed"


def test_registry_key_is_denied_every_object_outside_its_root(deployment, figures):
    root = root_cos(deployment)
    for key in OUTSIDE:
        root.put_object(Bucket=deployment.bucket, Key=key, Body=b"someone else's")
    inside_key = "registry/docker/registry/v2/probe"
    root.put_object(Bucket=deployment.bucket, Key=inside_key, Body=b"registry data")
    cos = registry_cos(deployment)
    outcomes = {name: outcome(call) for name, call in object_calls(cos, deployment.bucket, inside_key).items()}
    outcomes["batch delete outside"] = batch_delete_outcome(cos, deployment.bucket, OUTSIDE[0])
    assert {name: code for name, code in outcomes.items() if code not in DENIED} == {}

    remaining = {item["Key"] for item in root.list_objects(Bucket=deployment.bucket).get("Contents", [])}
    assert (
        set(OUTSIDE) <= remaining
        and not {"outside/new", "registry-sibling/new", "registry", "outside/copied"} & remaining
    )
    for key in (*OUTSIDE, inside_key):
        root.delete_object(Bucket=deployment.bucket, Key=key)
    figures.add("least_privilege_denied", len(outcomes))
