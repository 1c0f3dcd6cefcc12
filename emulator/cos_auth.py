"""COS's own request signature (q-sign-algorithm=sha1), in the Authorization header or the query string."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from .errors import CosError, access_denied

SIGNATURE_PARAMS = (
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
)
# How far a signature's start time may lie in the future before COS calls the clock skewed.
ALLOWED_SKEW = 900


@dataclass
class CosSignature:
    secret_id: str
    sign_time: str
    key_time: str
    header_list: list[str]
    param_list: list[str]
    signature: str


def signature_fields(authorization: str, args: dict[str, str]) -> dict[str, str] | None:
    """The q-* fields from the header, the query, or the query's `sign` parameter; None when absent."""
    if authorization.startswith("q-sign-algorithm="):
        return dict(parse_qsl(authorization, keep_blank_values=True))
    if "q-sign-algorithm" in args:
        return {name: args.get(name, "") for name in SIGNATURE_PARAMS}
    if args.get("sign", "").startswith("q-sign-algorithm="):
        return dict(parse_qsl(args["sign"], keep_blank_values=True))
    return None


def parse(fields: dict[str, str]) -> CosSignature:
    missing = [name for name in SIGNATURE_PARAMS if name not in fields]
    if missing or fields["q-sign-algorithm"] != "sha1":
        raise CosError(403, "AccessDenied", "Authorization is malformed: " + (", ".join(missing) or "q-sign-algorithm"))
    return CosSignature(
        secret_id=fields["q-ak"],
        sign_time=fields["q-sign-time"],
        key_time=fields["q-key-time"],
        header_list=[name for name in fields["q-header-list"].split(";") if name],
        param_list=[name for name in fields["q-url-param-list"].split(";") if name],
        signature=fields["q-signature"],
    )


def check_time(sign: CosSignature, now: float) -> None:
    try:
        start, end = (int(part) for part in sign.sign_time.split(";"))
    except ValueError:
        raise CosError(403, "AccessDenied", "q-sign-time is malformed") from None
    if now > end:
        raise access_denied("Request has expired")
    if start > now + ALLOWED_SKEW:
        raise CosError(
            403, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large."
        )


def encode(text: str) -> str:
    return quote(text.encode(), safe="-_.~")


def signed_pairs(names: list[str], available: list[tuple[str, str]]) -> str:
    """name=value pairs for the listed names, both URL-encoded, names lower-case, sorted."""
    values = {encode(name).lower(): encode(value) for name, value in available}
    return "&".join(f"{name}={values.get(name, '')}" for name in sorted(names))


def expected_signature(
    sign: CosSignature,
    secret_key: str,
    method: str,
    path: str,
    args: list[tuple[str, str]],
    headers: list[tuple[str, str]],
) -> str:
    http_string = "\n".join(
        [method.lower(), path, signed_pairs(sign.param_list, args), signed_pairs(sign.header_list, headers), ""]
    )
    string_to_sign = f"sha1\n{sign.sign_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sign_key = hmac.new(secret_key.encode(), sign.key_time.encode(), hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()


def verify(
    sign: CosSignature,
    secret_key: str,
    method: str,
    paths: list[str],
    args: list[tuple[str, str]],
    header_variants: list[list[tuple[str, str]]],
    now: float,
) -> None:
    """paths: the decoded paths the client may have signed (path style signs with or without the bucket);
    header_variants: the headers as received and as the client may have signed them (Host without its port)."""
    check_time(sign, now)
    for path in paths:
        for headers in header_variants:
            expected = expected_signature(sign, secret_key, method, path, args, headers)
            if hmac.compare_digest(expected, sign.signature):
                return
    raise CosError(
        403,
        "SignatureDoesNotMatch",
        "The Signature you specified does not match what we calculated. Check your key and signing method.",
    )
