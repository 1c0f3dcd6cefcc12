"""Error translation and retry classification, from the SDKs' own exception objects."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import (
    TencentCloudError,
    from_api_exception,
    from_cos_exception,
    refusal_fix,
)
from qcloud_cos.cos_exception import CosClientError, CosServiceError
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException


def cos_service_error(code, status, message="boom", request_id="NjQ2ZDE2MjFf"):
    body = (
        f"<?xml version='1.0' encoding='utf-8' ?><Error><Code>{code}</Code><Message>{message}</Message>"
        f"<Resource>bucket-1250000000.cos.ap-guangzhou.myqcloud.com/</Resource><RequestId>{request_id}</RequestId>"
        "<TraceId>OGVmYzZiMmQ3</TraceId></Error>"
    )
    return CosServiceError("PUT", body, status)


@pytest.mark.parametrize(
    "code,status,retryable",
    [
        ("SlowDown", 503, True),
        ("ServiceUnavailable", 503, True),
        ("InternalError", 500, True),
        ("AccessDenied", 403, False),
        ("NoSuchBucket", 404, False),
        ("InvalidArgument", 400, False),
        ("SignatureDoesNotMatch", 403, False),
    ],
)
def test_cos_errors_retry_only_when_transient(code, status, retryable):
    error = from_cos_exception("PutBucket", cos_service_error(code, status))
    assert error.retryable is retryable
    assert error.code == code
    assert error.status == status


def test_cos_error_summary_is_one_line_with_code_status_and_request_id():
    error = from_cos_exception("PutBucketLifecycle", cos_service_error("AccessDenied", 403, "Access\n denied."))
    assert error.summary() == "PutBucketLifecycle failed: AccessDenied: Access denied. (HTTP 403, RequestId NjQ2ZDE2MjFf)"
    assert "\n" not in str(error)


def test_cos_client_error_is_a_retryable_network_failure():
    error = from_cos_exception("GetObject", CosClientError("Connection aborted."))
    assert error.code == "ClientNetworkError"
    assert error.retryable
    assert error.processed, "a dropped connection may have reached the server"


def test_throttling_proves_nothing_happened():
    assert not from_cos_exception("PutObject", cos_service_error("SlowDown", 503)).processed
    assert from_cos_exception("PutObject", cos_service_error("InternalError", 500)).processed


@pytest.mark.parametrize(
    "code,retryable,processed",
    [
        ("RequestLimitExceeded", True, False),
        ("RequestLimitExceeded.UinLimitExceeded", True, False),
        ("InternalError", True, True),
        ("InternalError.SystemError", True, True),
        ("ClientNetworkError", True, True),
        ("AuthFailure.SignatureFailure", False, True),
        ("InvalidParameter.UserNameIllegal", False, True),
        ("ResourceNotFound.UserNotExist", False, True),
    ],
)
def test_api_errors_retry_only_when_transient(code, retryable, processed):
    error = from_api_exception("AddUser", TencentCloudSDKException(code, "message", "req-1"))
    assert (error.retryable, error.processed) == (retryable, processed)


def test_api_error_summary_carries_code_message_and_request_id():
    exc = TencentCloudSDKException("AuthFailure.SecretIdNotFound", "The SecretId is not found.", "6f1f0b5e-7b7c")
    error = from_api_exception("GetUserAppId", exc)
    assert error.summary() == (
        "GetUserAppId failed: AuthFailure.SecretIdNotFound: The SecretId is not found. (RequestId 6f1f0b5e-7b7c)"
    )
    assert error.as_result()["request_id"] == "6f1f0b5e-7b7c"


def test_api_server_network_error_with_bytes_body_is_readable():
    error = from_api_exception("ListUsers", TencentCloudSDKException("ServerNetworkError", b"502 Bad Gateway"))
    assert error.message == "502 Bad Gateway"
    assert error.retryable


def test_error_is_an_exception_with_its_summary():
    error = TencentCloudError("DeleteBucket", "BucketNotEmpty", "not empty", "r1", 409)
    assert str(error) == error.summary()


def test_head_errors_without_a_body_keep_the_request_id_and_status():
    from requests.structures import CaseInsensitiveDict

    headers = CaseInsensitiveDict({"x-cos-request-id": "NjQ2ZTM0", "Content-Length": "0"})
    error = from_cos_exception("HeadBucket", CosServiceError("HEAD", headers, 403))
    assert (error.code, error.status, error.request_id) == ("Forbidden", 403, "NjQ2ZTM0")
    assert not error.retryable


def test_head_not_found_is_recognisable():
    info = {"code": "NoSuchResource", "message": "The Resource You Head Not Exist", "resource": "u"}
    error = from_cos_exception("HeadObject", CosServiceError("HEAD", info, 404))
    assert error.code == "NoSuchResource"
    assert error.request_id is None


def test_each_refusal_says_what_it_is_and_the_fix():
    action, resource = "name/cos:HeadBucket", "qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/"
    assert refusal_fix("SignatureDoesNotMatch", action, resource).startswith("wrong SecretKey:")
    assert refusal_fix("InvalidAccessKeyId", action, resource).startswith("unknown or deactivated key:")
    assert refusal_fix("AccessDenied", action, resource) == (
        f"missing permission: the key may not call {action}; allow {action} on {resource} in the key's CAM policy."
    )
    assert refusal_fix("RequestTimeTooSkewed", action, resource) is None
