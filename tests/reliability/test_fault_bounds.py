"""Persistent faults: each module and the driver fail within a stated bound of attempts, say which action failed with
which code and RequestId, and leave no partial state - no half-applied lifecycle, no extra access key, no orphaned
multipart upload, no bucket half made. The bounds: a call is tried `retries` + 1 times (client layer), a create that is
not idempotent once unless throttled, CreateAccessKey in at most 3 rounds (each cleaning up a key whose answer was
lost); the driver sends each part `retries` + 1 times at most. The counts are the client layer's attempts: the SDKs
under it do not resend (cos-python-sdk-v5 retry=0, no tencentcloud-sdk-python retryer), so each attempt is one
request the emulator counts."""

from __future__ import annotations

import os
import re
import time

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import CosApi
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

from emulator import clients
from tests.support import ansible_runner

RETRIES = 2
PERSISTENT = 1000
CREATE_ACCESS_KEY_ROUNDS = 3
MIB = 1024 * 1024
BUCKET = "bounds-{appid}"
USER = "bounds-user"
ROOT_DIRECTORY = "/registry"
RULE_KEPT = {"id": "abort", "filter": {"prefix": "registry/"}, "abort_incomplete_multipart_upload_days": 7}
RULE_REFUSED = {"id": "logs", "filter": {"prefix": "logs/"}, "expiration": {"days": 30}}
# "<Action> failed: <Code>: <message> (..., RequestId <id>)", as the client layer words every failure.
FAILURE = re.compile(r"^(?P<action>\w+) failed: (?P<code>[\w.]+): .*RequestId (?P<request_id>\S+)\)")


def root_cos(emulator):
    return clients.cos_client(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)


def root_cam(emulator):
    return clients.cam(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)


def bucket_of(emulator) -> str:
    return BUCKET.format(appid=emulator.appid)


def assert_names_the_failure(message: str, action: str, code: str) -> None:
    match = FAILURE.match(message)
    assert match, f"the failure does not read '<Action> failed: <Code>: ... RequestId <id>': {message!r}"
    assert (match["action"], match["code"]) == (action, code), message


def calls(control, operation: str) -> int:
    return control.counters()["operations"].get(operation, 0)


def run_failing(emulator, control, figures, module: str, args: dict) -> dict:
    control.clear_counters()
    started = time.monotonic()
    result = ansible_runner.run_module(emulator, module, {**args, "retries": RETRIES})
    figures.set("persistent_fault_seconds", round(time.monotonic() - started, 1))
    assert result.get("failed"), f"{module} succeeded under a persistent fault"
    figures.add("persistent_faults_bounded")
    return result


def lifecycle_rule_ids(emulator) -> list[str]:
    rules = root_cos(emulator).get_bucket_lifecycle(Bucket=bucket_of(emulator))["Rule"]
    return sorted(rule["ID"] for rule in rules)


def test_lifecycle_is_never_half_applied(emulator, control, figures):
    root_cos(emulator).create_bucket(Bucket=bucket_of(emulator))
    applied = ansible_runner.run_module(
        emulator, "cos_lifecycle", {"bucket": bucket_of(emulator), "rules": [RULE_KEPT]}
    )
    assert applied.get("changed") and not applied.get("failed"), applied.get("msg")
    control.add_fault("slowdown", PERSISTENT, operation="cos:PutBucketLifecycle")
    result = run_failing(
        emulator,
        control,
        figures,
        "cos_lifecycle",
        {"bucket": bucket_of(emulator), "rules": [RULE_REFUSED], "purge_rules": True},
    )
    assert calls(control, "cos:PutBucketLifecycle") == RETRIES + 1
    assert_names_the_failure(result["msg"], "PutBucketLifecycle", "SlowDown")
    control.clear_faults()
    assert lifecycle_rule_ids(emulator) == ["abort"]


def test_bucket_creation_fails_without_a_half_made_bucket(emulator, control, figures):
    control.add_fault("unavailable", PERSISTENT, operation="cos:PutBucket")
    result = run_failing(emulator, control, figures, "cos_bucket", {"name": bucket_of(emulator), "tags": {"a": "b"}})
    assert calls(control, "cos:PutBucket") == RETRIES + 1
    assert_names_the_failure(result["msg"], "CreateBucket", "ServiceUnavailable")
    control.clear_faults()
    assert bucket_of(emulator) not in [bucket["Name"] for bucket in root_cos(emulator).list_buckets()["Buckets"] or []]


@pytest.mark.parametrize(
    "kind, code, attempts",
    [
        ("internal", "InternalError", CREATE_ACCESS_KEY_ROUNDS),
        ("slowdown", "RequestLimitExceeded", CREATE_ACCESS_KEY_ROUNDS * (RETRIES + 1)),
    ],
)
def test_access_key_creation_leaves_no_extra_key(emulator, control, figures, tmp_path, kind, code, attempts):
    root_cam(emulator).call_json("AddUser", {"Name": USER})
    uin = root_cam(emulator).call_json("GetUser", {"Name": USER})["Response"]["Uin"]
    control.add_fault(kind, PERSISTENT, operation="cam:CreateAccessKey")
    secret_file = tmp_path / "key.yml"
    result = run_failing(
        emulator, control, figures, "cam_access_key", {"user_name": USER, "secret_file": str(secret_file)}
    )
    assert calls(control, "cam:CreateAccessKey") <= attempts
    assert_names_the_failure(result["msg"], "CreateAccessKey", code)
    control.clear_faults()
    keys = root_cam(emulator).call_json("ListAccessKeys", {"TargetUin": uin})["Response"]["AccessKeys"]
    assert keys == [] and not secret_file.exists()


def open_uploads(driver: CosDriver) -> list:
    return driver.api.call("list_multipart_uploads", Bucket=driver.bucket).get("Upload", [])


def driver_with_retries(emulator) -> CosDriver:
    config = DriverConfig.from_parameters(
        {
            "secretid": emulator.iam.root_secret_id,
            "secretkey": emulator.iam.root_secret_key,
            "region": clients.REGION,
            "bucket": bucket_of(emulator),
            "endpoint": emulator.url,
            "rootdirectory": ROOT_DIRECTORY,
            "chunksize": 5 * MIB,
            "maxconcurrency": 2,
        }
    )
    return CosDriver(config, CosApi(config.connection(retries=RETRIES), config.region))


@pytest.mark.parametrize(
    "operation, kind, code, most_calls",
    [
        ("cos:UploadPart", "internal", "InternalError", 3 * (RETRIES + 1)),
        ("cos:CompleteMultipartUpload", "internal", "InternalError", 1),
        ("cos:CompleteMultipartUpload", "slowdown", "SlowDown", RETRIES + 1),
    ],
)
def test_driver_leaves_no_orphaned_upload(emulator, control, figures, operation, kind, code, most_calls):
    driver = driver_with_retries(emulator)
    driver.api.call("create_bucket", Bucket=driver.bucket)
    control.add_fault(kind, PERSISTENT, operation=operation)
    control.clear_counters()
    with pytest.raises(TencentCloudError) as failure:
        writer = driver.writer("/docker/registry/v2/blobs/blob")
        writer.write(os.urandom(11 * MIB))
        writer.commit()
    assert calls(control, operation) <= most_calls
    assert_names_the_failure(str(failure.value), operation.split(":")[1], code)
    control.clear_faults()
    assert open_uploads(driver) == []
    assert not driver.api.call("list_objects", Bucket=driver.bucket).get("Contents")
    figures.add("persistent_faults_bounded")


def test_storage_check_fails_and_cleans_up(emulator, control, figures):
    root_cos(emulator).create_bucket(Bucket=bucket_of(emulator))
    control.add_fault("slowdown", PERSISTENT, operation="cos:UploadPart")
    result = run_failing(
        emulator,
        control,
        figures,
        "registry_storage_check",
        {
            "bucket": bucket_of(emulator),
            "rootdirectory": ROOT_DIRECTORY,
            "chunksize": 5 * MIB,
            "smoke_size": 11 * MIB,
            # The multipart check alone: the move check uploads in parts too, and would fail the same way.
            "checks": ["credentials", "bucket", "multipart"],
            "secure": False,
        },
    )
    multipart = next(check for check in result["checks"] if check["name"] == "multipart")
    assert not multipart["ok"] and "UploadPart" in multipart["detail"] and "SlowDown" in multipart["detail"]
    assert calls(control, "cos:UploadPart") <= 3 * (RETRIES + 1)
    control.clear_faults()
    listing = root_cos(emulator).list_objects(Bucket=bucket_of(emulator))
    assert not listing.get("Contents"), f"left behind: {[item['Key'] for item in listing['Contents']]}"
    assert not root_cos(emulator).list_multipart_uploads(Bucket=bucket_of(emulator)).get("Upload")
