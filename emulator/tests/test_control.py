"""The control surface: counters, injected faults, listing delay, path-style switch, reset; and the session runner."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error

import pytest
import requests
import yaml
from botocore.exceptions import ClientError
from tencentcloud.cam.v20190116 import models as cam_models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from emulator import clients
from emulator.tests.conftest import BUCKET
from tests.support import processes


@pytest.fixture
def s3(emulator, root, bucket):
    return clients.s3_client(emulator.url, *root)


def status_and_code(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(ClientError) as error:
        call(*args, **kwargs)
    response = error.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_counters_tell_reads_from_writes_and_skip_control_requests(control, cos, bucket):
    control.clear_counters()
    cos.put_object(Bucket=bucket, Key="k", Body=b"x")
    cos.get_object(Bucket=bucket, Key="k")
    cos.head_object(Bucket=bucket, Key="k")
    cos.list_objects(Bucket=bucket)
    control.faults()
    assert control.counters() == {
        "operations": {"cos:PutObject": 1, "cos:GetObject": 1, "cos:HeadObject": 1, "cos:GetBucket": 1},
        "reads": 3,
        "writes": 1,
        "total": 4,
    }
    control.clear_counters()
    assert control.counters()["total"] == 0


def test_operations_carry_the_documented_cos_names(control, cos, bucket):
    source = {"Bucket": bucket, "Key": "a", "Region": "ap-guangzhou"}
    lifecycle = {"Rule": [{"ID": "r", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1}}]}
    cos.put_object(Bucket=bucket, Key="a", Body=b"x" * 10)
    control.clear_counters()
    cos.list_buckets()
    cos.head_bucket(Bucket=bucket)
    cos.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration=lifecycle)
    cos.get_bucket_lifecycle(Bucket=bucket)
    cos.delete_bucket_lifecycle(Bucket=bucket)
    cos.put_bucket_acl(Bucket=bucket, ACL="private")
    cos.copy_object(Bucket=bucket, Key="b", CopySource=source)
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    etag = cos.upload_part(Bucket=bucket, Key="m", Body=b"y", PartNumber=1, UploadId=upload_id)["ETag"]
    cos.upload_part_copy(Bucket=bucket, Key="m", PartNumber=2, UploadId=upload_id, CopySource=source)
    cos.list_parts(Bucket=bucket, Key="m", UploadId=upload_id)
    cos.list_multipart_uploads(Bucket=bucket)
    cos.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=upload_id)
    cos.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": "a"}, {"Key": "b"}]})
    assert etag and set(control.counters()["operations"]) == {
        "cos:GetService",
        "cos:HeadBucket",
        "cos:PutBucketLifecycle",
        "cos:GetBucketLifecycle",
        "cos:DeleteBucketLifecycle",
        "cos:PutBucketACL",
        "cos:PutObjectCopy",
        "cos:InitiateMultipartUpload",
        "cos:UploadPart",
        "cos:UploadPartCopy",
        "cos:ListParts",
        "cos:ListMultipartUploads",
        "cos:AbortMultipartUpload",
        "cos:DeleteMultipleObjects",
    }


def test_api_actions_are_counted_by_service_and_action(emulator, control, root):
    cam = clients.cam(emulator.url, *root)
    cam.ListUsers(cam_models.ListUsersRequest())
    request = cam_models.AddUserRequest()
    request.Name = "registry"
    cam.AddUser(request)
    counters = control.counters()
    assert counters["operations"] == {"cam:ListUsers": 1, "cam:AddUser": 1}
    assert (counters["reads"], counters["writes"]) == (1, 1)


@pytest.mark.parametrize(
    "kind, status, code",
    [("slowdown", 503, "SlowDown"), ("internal", 500, "InternalError"), ("unavailable", 503, "ServiceUnavailable")],
)
def test_error_faults_hit_the_next_matching_requests_only(control, s3, kind, status, code):
    control.add_fault(kind, count=2, operation="cos:PutObject")
    for attempt in range(2):
        assert status_and_code(s3.put_object, Bucket=BUCKET, Key="k", Body=b"x") == (status, code)
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    assert control.faults() == []


def test_faults_match_method_and_path(control, s3):
    control.add_fault("internal", method="GET", path=r"/docker/.*/data$")
    s3.put_object(Bucket=BUCKET, Key="docker/blobs/data", Body=b"x")
    s3.put_object(Bucket=BUCKET, Key="docker/blobs/other", Body=b"y")
    s3.get_object(Bucket=BUCKET, Key="docker/blobs/other")
    assert status_and_code(s3.get_object, Bucket=BUCKET, Key="docker/blobs/data") == (500, "InternalError")
    assert s3.get_object(Bucket=BUCKET, Key="docker/blobs/data")["Body"].read() == b"x"


def test_drop_closes_the_connection_without_an_answer(emulator, control, cos, bucket):
    control.add_fault("drop", operation="cos:GetService")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{emulator.url}/", timeout=30)
    assert cos.list_buckets()["Buckets"]["Bucket"][0]["Name"] == BUCKET


def test_delay_still_answers_normally(control, s3):
    control.add_fault("delay", delay=0.2, operation="cos:HeadBucket")
    s3.head_bucket(Bucket=BUCKET)
    assert control.faults() == []


def test_api_faults_use_the_api_error_envelope(emulator, control, root):
    control.add_fault("slowdown", service="cam")
    with pytest.raises(TencentCloudSDKException) as error:
        clients.cam(emulator.url, *root).ListUsers(cam_models.ListUsersRequest())
    assert error.value.get_code() == "RequestLimitExceeded"


def test_bad_fault_is_refused_with_the_rule(control):
    with pytest.raises(urllib.error.HTTPError) as error:
        control.add_fault("explode")
    assert error.value.code == 400 and "kind" in json.loads(error.value.read())["error"]


def test_listing_delay_hides_new_objects_until_lifted(control, cos, bucket):
    cos.put_object(Bucket=bucket, Key="old", Body=b"")
    control.set_list_delay(300)
    cos.put_object(Bucket=bucket, Key="new", Body=b"")
    assert [c["Key"] for c in cos.list_objects(Bucket=bucket)["Contents"]] == ["old"]
    assert cos.head_object(Bucket=bucket, Key="new")["Content-Length"] == "0"
    control.set_list_delay(0)
    assert [c["Key"] for c in cos.list_objects(Bucket=bucket)["Contents"]] == ["new", "old"]


def test_objects_stored_through_the_engine_read_as_put_objects_do(emulator, control, cos, bucket):
    """What a bench loads without requests is listed, headed and read as an object PUT through the API is; no
    request is counted for it."""
    cos.put_object(Bucket=bucket, Key="put", Body=b"registry data")
    control.clear_counters()
    emulator.engine.put_objects(bucket, {"stored": b"registry data"})
    assert control.counters()["total"] == 0
    put, stored = (cos.head_object(Bucket=bucket, Key=key) for key in ("put", "stored"))
    for header in ("ETag", "Content-Length", "Content-Type", "x-cos-hash-crc64ecma"):
        assert stored[header] == put[header], header
    assert cos.get_object(Bucket=bucket, Key="stored")["Body"].get_raw_stream().read() == b"registry data"
    assert [item["Key"] for item in cos.list_objects(Bucket=bucket)["Contents"]] == ["put", "stored"]


def test_reset_empties_storage_identities_counters_and_faults(emulator, control, cos, root, bucket):
    request = cam_models.AddUserRequest()
    request.Name = "temporary"
    clients.cam(emulator.url, *root).AddUser(request)
    control.add_fault("internal", count=5)
    control.set_list_delay(60)
    control.reset()
    assert control.counters()["total"] == 0 and control.faults() == []
    assert "Bucket" not in (cos.list_buckets()["Buckets"] or {})
    listed = clients.cam(emulator.url, *root).ListUsers(cam_models.ListUsersRequest())
    assert listed.Data == []


def control_request_from_elsewhere(emulator, authorization: str | None = None) -> int:
    """The control surface's answer to POST /_emulator/reset from a non-loopback address (built, not sent)."""
    headers = {"Host": "127.0.0.1"} | ({"Authorization": authorization} if authorization else {})
    environ = EnvironBuilder(
        method="POST", path="/_emulator/reset", headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.10"}
    ).get_environ()
    return emulator.control.handle(Request(environ)).status_code


def test_control_from_elsewhere_needs_the_root_signature(emulator, root, cos):
    assert control_request_from_elsewhere(emulator) == 403
    forged = clients.cos_client(emulator.url, root[0], "wrong").get_auth(
        "POST", BUCKET, "/_emulator/reset", SignHost=False
    )
    assert control_request_from_elsewhere(emulator, forged) == 403
    signed = cos.get_auth("POST", BUCKET, "/_emulator/reset", SignHost=False)
    assert control_request_from_elsewhere(emulator, signed) == 200


def test_session_writes_config_exports_credentials_and_returns_the_status(tmp_path):
    config = tmp_path / "state" / "emulator.yml"
    script = (
        "import os, sys, yaml\n"
        "from emulator import clients\n"
        f"config = yaml.safe_load(open({str(config)!r}))\n"
        "assert config['cos_endpoint'] == os.environ['TENCENTCLOUD_COS_ENDPOINT'] == config['emulator_url']\n"
        "cos = clients.cos_client(config['cos_endpoint'], os.environ['TENCENTCLOUD_SECRET_ID'],"
        " os.environ['TENCENTCLOUD_SECRET_KEY'], os.environ['TENCENTCLOUD_REGION'])\n"
        "cos.create_bucket(Bucket='session-' + config['tencentcloud_appid'])\n"
        "sys.exit(7)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "emulator.session", "--config", str(config), "--", sys.executable, "-c", script],
        cwd=processes.REPOSITORY,
        timeout=120,
        check=False,
    )
    assert result.returncode == 7
    settings = yaml.safe_load(config.read_text())
    assert set(settings) >= {
        "emulator_url",
        "emulator_control_url",
        "cos_endpoint",
        "api_endpoint",
        "tencentcloud_secret_id",
        "tencentcloud_secret_key",
        "tencentcloud_region",
        "tencentcloud_appid",
    }
    assert settings["emulator_control_url"] == settings["emulator_url"] + "/_emulator"
    assert oct(config.stat().st_mode & 0o777) == "0o600"


def test_session_rejecting_path_style_refuses_it_and_names_the_endpoint(tmp_path):
    config = tmp_path / "emulator.yml"
    script = (
        "import os, yaml\n"
        "from botocore.exceptions import ClientError\n"
        "from emulator import clients\n"
        f"config = yaml.safe_load(open({str(config)!r}))\n"
        "keys = (config['tencentcloud_secret_id'], config['tencentcloud_secret_key'])\n"
        "bucket = 'named-' + config['tencentcloud_appid']\n"
        "clients.cos_client(config['emulator_url'], *keys).create_bucket(Bucket=bucket)\n"
        "try:\n"
        "    clients.s3_client(config['emulator_url'], *keys).list_objects_v2(Bucket=bucket)\n"
        "except ClientError as error:\n"
        "    print(error.response['Error']['Code'])\n"
        "print(config['emulator_named_url'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "emulator.session", "--reject-path-style", "--config", str(config), "--"]
        + [sys.executable, "-c", script],
        cwd=processes.REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    code, named_url = result.stdout.split()
    assert code == "PathStyleDomainForbidden"
    port = yaml.safe_load(config.read_text())["emulator_url"].rsplit(":", 1)[1]
    assert named_url == f"http://cos.ap-guangzhou.myqcloud.com:{port}"
