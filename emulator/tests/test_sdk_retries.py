"""The SDKs' own retries against injected faults.

cos-python-sdk-v5 sends a request again after a 5xx answer or a lost connection, marked `x-cos-sdk-retry: true`
(every Tencent COS SDK does), and COS answers it as the request itself. tencentcloud-sdk-python retries only when its
ClientProfile carries a retryer: StandardRetryer sends a call again after a network error or RequestLimitExceeded.
"""

from __future__ import annotations

import json
import os

import pytest
from tencentcloud.cam.v20190116 import cam_client
from tencentcloud.cam.v20190116 import models as cam_models
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.retry import StandardRetryer

from emulator import clients
from emulator.tests.conftest import signed_request

KEY = "docker/registry/v2/blobs/data"


def put_object(cos, bucket: str, data: bytes) -> None:
    cos.put_object(Bucket=bucket, Key=KEY, Body=data)


def upload_part(cos, bucket: str, data: bytes) -> None:
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key=KEY)["UploadId"]
    etag = cos.upload_part(Bucket=bucket, Key=KEY, Body=data, PartNumber=1, UploadId=upload_id)["ETag"]
    cos.complete_multipart_upload(
        Bucket=bucket, Key=KEY, UploadId=upload_id, MultipartUpload={"Part": [{"PartNumber": 1, "ETag": etag}]}
    )


def get_object(cos, bucket: str, data: bytes) -> None:
    """The fault meets the GET; the object is written first, before any fault is armed."""
    assert cos.get_object(Bucket=bucket, Key=KEY)["Body"].get_raw_stream().read() == data


CALLS = {"cos:PutObject": put_object, "cos:UploadPart": upload_part, "cos:GetObject": get_object}


def test_a_request_marked_as_an_sdk_retry_is_answered_as_itself(emulator, cos, bucket):
    response = signed_request(emulator, cos, "PUT", bucket, "k", headers={"x-cos-sdk-retry": "true"}, data=b"resent")
    assert response.status_code == 200, response.text
    assert cos.get_object(Bucket=bucket, Key="k")["Body"].get_raw_stream().read() == b"resent"


@pytest.mark.parametrize("kind", ["unavailable", "drop"])
@pytest.mark.parametrize("operation", sorted(CALLS))
def test_the_cos_sdk_retry_rides_out_a_fault(control, cos, bucket, operation, kind):
    data = os.urandom(1024)
    if operation == "cos:GetObject":
        put_object(cos, bucket, data)
    control.add_fault(kind, operation=operation)
    control.clear_counters()
    CALLS[operation](cos, bucket, data)
    assert control.faults() == [], "the fault was never met"
    assert control.counters()["operations"][operation] == 2, "one failed attempt, one retry"
    assert cos.get_object(Bucket=bucket, Key=KEY)["Body"].get_raw_stream().read() == data


class RecordingRetryer(StandardRetryer):
    """tencentcloud-sdk-python's StandardRetryer, without waiting, keeping what each attempt got back."""

    def __init__(self) -> None:
        super().__init__(max_attempts=3, backoff_fn=lambda attempt: 0)
        self.answers: list = []

    def on_retry(self, attempt, sleep, response, error) -> None:
        self.answers.append(response)


def cam_with_retryer(emulator, root, retryer: StandardRetryer) -> cam_client.CamClient:
    profile = clients.api_profile(emulator.url)
    profile.retryer = retryer
    return cam_client.CamClient(credential.Credential(*root), "", profile)


@pytest.mark.parametrize("kind, code", [("slowdown", "RequestLimitExceeded"), ("drop", "ClientNetworkError")])
def test_the_tencentcloud_sdk_retryer_resends_but_keeps_the_first_error(emulator, control, root, kind, code):
    """The emulator answers the resent call normally; StandardRetryer (tencentcloud-sdk-python-common 3.1) never
    clears the first attempt's error, so it sends max_attempts calls and raises that error all the same. The
    collection's client layer retries CAM and STS itself and leaves the SDK's retryer unset."""
    control.add_fault(kind, service="cam")
    retryer = RecordingRetryer()
    with pytest.raises(TencentCloudSDKException) as error:
        cam_with_retryer(emulator, root, retryer).ListUsers(cam_models.ListUsersRequest())
    assert error.value.get_code() == code
    assert control.faults() == [] and control.counters()["operations"] == {"cam:ListUsers": 3}
    resent = retryer.answers[1]
    assert resent.status_code == 200 and json.loads(resent.content)["Response"]["Data"] == []


def test_the_tencentcloud_sdk_retryer_leaves_an_internal_error_to_the_caller(emulator, control, root):
    """StandardRetryer retries network errors and RequestLimitExceeded only: after an InternalError the server may
    have acted."""
    control.add_fault("internal", service="cam")
    with pytest.raises(TencentCloudSDKException) as error:
        cam_with_retryer(emulator, root, RecordingRetryer()).ListUsers(cam_models.ListUsersRequest())
    assert error.value.get_code() == "InternalError"
    assert control.counters()["operations"] == {"cam:ListUsers": 1}
