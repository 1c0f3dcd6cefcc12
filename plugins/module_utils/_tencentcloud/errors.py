# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error type for every Tencent Cloud failure, and which failures are worth retrying.

Lowest layer: imports nothing from the SDKs, so it works (and unit-tests) without them.
"""

from __future__ import annotations

# COS error codes that mean "try again later", not "you asked wrong".
RETRYABLE_COS_CODES = frozenset(("SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "InternalErrorException"))
# API v3 codes (and code prefixes before a dot) with the same meaning.
RETRYABLE_API_CODES = frozenset(("RequestLimitExceeded", "InternalError", "ClientNetworkError", "ServerNetworkError"))
# Failures that prove the server did not act on the request, so even a create may be sent again.
NOT_PROCESSED_CODES = frozenset(("SlowDown", "ServiceUnavailable", "RequestLimitExceeded"))


RENEWED_KEYS = (
    "or use profile, the CVM instance role or assume_role, whose temporary keys are renewed before they expire."
)
# Temporary keys refused for their token, and what to do about it.
CREDENTIAL_FIXES = {
    "ExpiredToken": "The temporary keys (security_token) have expired: set new ones, " + RENEWED_KEYS,
    "AuthFailure.TokenFailure": "The temporary keys were refused for their token (missing, not theirs or expired): set"
    " security_token (TENCENTCLOUD_SECURITY_TOKEN) to the token issued with secret_id, " + RENEWED_KEYS,
}


class TencentCloudError(Exception):
    """A failed call, described the way people search for it: action, code, message, RequestId."""

    def __init__(self, action, code, message, request_id=None, status=None, retryable=False, processed=True):
        self.action = action
        self.code = code or "Unknown"
        self.message = " ".join(str(message or "").split())
        self.request_id = request_id
        self.status = status
        self.retryable = retryable
        # False when the server certainly did nothing (throttled), so a non-idempotent call is safe to repeat.
        self.processed = processed
        super().__init__(self.summary())

    def summary(self) -> str:
        details = []
        if self.status:
            details.append(f"HTTP {self.status}")
        if self.request_id:
            details.append(f"RequestId {self.request_id}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{self.action} failed: {self.code}: {self.message}{suffix}"

    def explained(self) -> str:
        """The summary, followed by the fix when the code says what it is."""
        fix = CREDENTIAL_FIXES.get(self.code)
        return f"{self.summary()} {fix}" if fix else self.summary()

    def as_result(self) -> dict:
        """The error's parts for a module result, next to the one-line msg."""
        return {"action": self.action, "code": self.code, "message": self.message, "request_id": self.request_id, "status": self.status}


def _code_family(code: str) -> str:
    return (code or "").split(".", 1)[0]


# Codes for error answers without a body (HEAD requests carry none), by HTTP status.
BODYLESS_CODES = {400: "BadRequest", 403: "Forbidden", 404: "NoSuchResource", 409: "Conflict", 500: "InternalError", 503: "ServiceUnavailable"}


# The causes of a COS 403 and their fixes (product 436/40105, "403 Error for COS Access").
REFUSAL_FIXES = {
    "SignatureDoesNotMatch": "wrong SecretKey: the request's signature does not match, so secret_key is not the "
    "SecretKey of secret_id; set the SecretKey shown when that key was created.",
    "InvalidAccessKeyId": "unknown or deactivated key: COS does not accept this secret_id; check it, and that the key "
    "exists and is active in CAM (API keys).",
    "AccessDenied": "missing permission: the key may not call {action}; allow {action} on {resource} in the key's CAM "
    "policy.",
}


def refusal_fix(code: str, action: str, resource: str) -> str | None:
    """Which refusal a COS 403 is and what to do, or None for a code without a known fix."""
    fix = REFUSAL_FIXES.get(code)
    return fix.format(action=action, resource=resource) if fix else None


def _cos_error_parts(exc):
    """(code, message, request id) from a CosServiceError, whether COS sent an XML body or only headers."""
    digest = exc.get_digest_msg()
    if isinstance(digest, dict):
        return digest.get("code"), digest.get("message"), digest.get("requestid")
    headers = digest if hasattr(digest, "get") else {}
    status = exc.get_status_code()
    code = headers.get("x-cos-error-code") or BODYLESS_CODES.get(status, "Unknown")
    return code, f"COS answered HTTP {status} without an error body", headers.get("x-cos-request-id")


def from_cos_exception(action: str, exc: Exception) -> TencentCloudError:
    """Translate a cos-python-sdk-v5 exception (CosServiceError or CosClientError)."""
    if hasattr(exc, "get_status_code"):
        code, message, request_id = _cos_error_parts(exc)
        status = exc.get_status_code()
        retryable = code in RETRYABLE_COS_CODES or (status is not None and int(status) >= 500)
        return TencentCloudError(
            action, code, message, request_id, status, retryable=retryable, processed=code not in NOT_PROCESSED_CODES
        )
    # CosClientError: the request never got an answer (connection refused or dropped, timeout).
    return TencentCloudError(action, "ClientNetworkError", str(exc), retryable=True)


def from_api_exception(action: str, exc: Exception) -> TencentCloudError:
    """Translate a tencentcloud-sdk-python TencentCloudSDKException."""
    code = exc.get_code() or "Unknown"
    message = exc.get_message()
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    retryable = code in RETRYABLE_API_CODES or _code_family(code) in RETRYABLE_API_CODES
    return TencentCloudError(
        action, code, message, exc.get_request_id(), retryable=retryable, processed=_code_family(code) not in NOT_PROCESSED_CODES
    )
