"""COS errors: the exception the COS face raises and the XML body COS answers with; and the API v3 refusal that
CAM, STS and the TC3 gateway share."""

from __future__ import annotations

import base64
import os
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response


class CosError(Exception):
    """A request COS refuses; rendered as COS's <Error> document."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class ApiError(Exception):
    """A request an API v3 service refuses; `code` is the API v3 error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def access_denied(message: str = "Access Denied.") -> CosError:
    return CosError(403, "AccessDenied", message)


def no_such_bucket() -> CosError:
    return CosError(404, "NoSuchBucket", "The specified bucket does not exist.")


def invalid_bucket_name(bucket: str) -> CosError:
    return CosError(400, "InvalidBucketName", f"The specified bucket name is not valid: {bucket}")


def new_request_id() -> str:
    """An opaque id in the shape COS uses (base64 text)."""
    return base64.b64encode(os.urandom(24)).decode().rstrip("=")


def new_trace_id() -> str:
    return base64.b64encode(os.urandom(48)).decode()


def error_document(code: str, message: str, resource: str, request_id: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n"
        f"\t<Code>{escape(code)}</Code>\n"
        f"\t<Message>{escape(message)}</Message>\n"
        f"\t<Resource>{escape(resource)}</Resource>\n"
        f"\t<RequestId>{escape(request_id)}</RequestId>\n"
        f"\t<TraceId>{new_trace_id()}</TraceId>\n"
        "</Error>"
    ).encode()


def error_response(status: int, code: str, message: str, resource: str = "", request_id: str = "") -> Response:
    request_id = request_id or new_request_id()
    return Response(
        error_document(code, message, resource, request_id),
        status=status,
        content_type="application/xml",
        headers={"x-cos-request-id": request_id},
    )
