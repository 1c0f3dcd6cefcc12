"""TC3-HMAC-SHA256: the signature of Tencent Cloud API v3 requests, checked as the API gateway checks it.

Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<yyyy-mm-dd>/<service>/tc3_request,
               SignedHeaders=content-type;host, Signature=<hex>
The canonical request is method, path, query string (GET), the signed headers (lower-cased, trimmed), and the
SHA-256 of the body (or of the literal UNSIGNED-PAYLOAD when X-TC-Content-SHA256 says so).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from werkzeug.wrappers import Request

from emulator.errors import ApiError

ALGORITHM = "TC3-HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 300
AUTHORIZATION_RULE = re.compile(
    r"TC3-HMAC-SHA256\s+Credential=(?P<secret_id>[^/\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/\s]+)/tc3_request"
    r"\s*,\s*SignedHeaders=(?P<signed_headers>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*"
)
SCOPE_SERVICE_RULE = re.compile(r"Credential=[^/\s]+/[^/\s]+/(?P<service>[^/\s]+)/tc3_request")


class Tc3Error(ApiError):
    """A request the gateway refuses before any action runs; `code` is the API v3 error code."""


@dataclass(frozen=True)
class Credential:
    secret_id: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def scope_service(request: Request) -> str | None:
    """The service named in the credential scope, without checking anything else."""
    match = SCOPE_SERVICE_RULE.search(request.headers.get("Authorization", ""))
    return match.group("service") if match else None


def parse_authorization(request: Request) -> Credential:
    header = request.headers.get("Authorization", "")
    match = AUTHORIZATION_RULE.fullmatch(header.strip())
    if match is None:
        raise Tc3Error("AuthFailure.InvalidAuthorization", "Authorization is not a valid TC3-HMAC-SHA256 header")
    signed_headers = tuple(match.group("signed_headers").lower().split(";"))
    if "content-type" not in signed_headers or "host" not in signed_headers:
        raise Tc3Error("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host")
    return Credential(
        match.group("secret_id"), match.group("date"), match.group("service"), signed_headers, match.group("signature")
    )


def request_timestamp(request: Request) -> int:
    value = request.headers.get("X-TC-Timestamp")
    if value is None:
        raise Tc3Error("MissingParameter", "The request is missing the X-TC-Timestamp header")
    if not value.isdigit():
        raise Tc3Error("InvalidParameterValue", f"X-TC-Timestamp {value!r} is not a Unix timestamp")
    return int(value)


def check_timestamp(timestamp: int, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if abs(now - timestamp) > MAX_CLOCK_SKEW_SECONDS:
        raise Tc3Error(
            "AuthFailure.SignatureExpire",
            f"Signature expired: X-TC-Timestamp {timestamp} is more than {MAX_CLOCK_SKEW_SECONDS} seconds from now",
        )


def check_signature(request: Request, credential: Credential, timestamp: int, secret_key: str) -> None:
    if credential.date != time.strftime("%Y-%m-%d", time.gmtime(timestamp)):
        raise Tc3Error("AuthFailure.SignatureFailure", "Credential date does not match X-TC-Timestamp")
    expected = signature(secret_key, credential, timestamp, canonical_request(request, credential.signed_headers))
    if not hmac.compare_digest(expected, credential.signature.lower()):
        raise Tc3Error("AuthFailure.SignatureFailure", "The provided credentials could not be validated")


def canonical_request(request: Request, signed_headers: tuple[str, ...]) -> str:
    headers = "".join(f"{name}:{request.headers.get(name, '').strip().lower()}\n" for name in signed_headers)
    if request.headers.get("X-TC-Content-SHA256") == "UNSIGNED-PAYLOAD":
        body = b"UNSIGNED-PAYLOAD"
    else:
        body = request.get_data(cache=True)
    return "\n".join(
        [
            request.method,
            request.path,
            request.query_string.decode("latin-1"),
            headers,
            ";".join(signed_headers),
            hashlib.sha256(body).hexdigest(),
        ]
    )


def signature(secret_key: str, credential: Credential, timestamp: int, canonical: str) -> str:
    scope = f"{credential.date}/{credential.service}/tc3_request"
    string_to_sign = "\n".join([ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("TC3" + secret_key).encode()
    for part in (credential.date, credential.service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
