"""AWS Signature Version 4 as COS's S3 face checks it: header and presigned forms, payload hashes, aws-chunked bodies."""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import BinaryIO, Iterator
from urllib.parse import quote

from .errors import CosError, access_denied

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
STREAMING_UNSIGNED = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
MAX_SKEW = 900
HEADER_FIELDS = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]+)")
PRESIGN_PARAMS = {
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
}
MAX_CHUNK_HEADER = 4096


def signature_mismatch() -> CosError:
    return CosError(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    )


@dataclass
class SigV4:
    secret_id: str
    date: str  # YYYYMMDD of the scope
    region: str
    service: str
    signed_headers: list[str]
    signature: str
    amz_date: str  # the request time, YYYYMMDDTHHMMSSZ
    presigned: bool
    expires: int | None = None

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def authorization_fields(authorization: str, args: dict[str, str], headers: dict[str, str]) -> SigV4 | None:
    """The signature from the Authorization header or the X-Amz-* query parameters; None when neither is SigV4."""
    if authorization.startswith(ALGORITHM + " "):
        fields = dict(HEADER_FIELDS.findall(authorization))
        if set(fields) != {"Credential", "SignedHeaders", "Signature"}:
            raise CosError(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.")
        amz_date = headers.get("x-amz-date") or http_date_to_amz(headers.get("date", ""))
        return from_fields(fields["Credential"], fields["SignedHeaders"], fields["Signature"], amz_date, False, None)
    if args.get("X-Amz-Algorithm") == ALGORITHM:
        try:
            expires = int(args["X-Amz-Expires"])
            return from_fields(
                args["X-Amz-Credential"],
                args["X-Amz-SignedHeaders"],
                args["X-Amz-Signature"],
                args["X-Amz-Date"],
                True,
                expires,
            )
        except (KeyError, ValueError):
            raise CosError(400, "AuthorizationQueryParametersError", "The presigned query is malformed.") from None
    return None


def from_fields(
    credential: str, signed_headers: str, signature: str, amz_date: str, presigned: bool, expires: int | None
) -> SigV4:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise CosError(400, "AuthorizationHeaderMalformed", f"The credential is malformed: {credential}")
    return SigV4(
        parts[0], parts[1], parts[2], parts[3], signed_headers.split(";"), signature, amz_date, presigned, expires
    )


def http_date_to_amz(value: str) -> str:
    try:
        return time.strftime("%Y%m%dT%H%M%SZ", time.strptime(value, "%a, %d %b %Y %H:%M:%S GMT"))
    except ValueError:
        return ""


def request_time(sign: SigV4) -> int:
    try:
        return calendar.timegm(time.strptime(sign.amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise access_denied("AWS authentication requires a valid Date or x-amz-date header") from None


def check_time(sign: SigV4, now: float) -> None:
    when = request_time(sign)
    if sign.presigned:
        if now > when + (sign.expires or 0):
            raise access_denied("Request has expired")
        if when > now + MAX_SKEW:
            raise access_denied("Request is not valid yet")
    elif abs(now - when) > MAX_SKEW:
        raise CosError(
            403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."
        )


def uri_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_query(pairs: list[tuple[str, str]]) -> str:
    encoded = sorted((uri_encode(name), uri_encode(value)) for name, value in pairs if name != "X-Amz-Signature")
    return "&".join(f"{name}={value}" for name, value in encoded)


def canonical_headers(sign: SigV4, headers: dict[str, str]) -> str:
    lines = []
    for name in sign.signed_headers:
        if name not in headers:
            raise signature_mismatch()
        lines.append(f"{name}:{' '.join(headers[name].split())}\n")
    return "".join(lines)


def signing_key(secret_key: str, sign: SigV4) -> bytes:
    key = ("AWS4" + secret_key).encode()
    for part in (sign.date, sign.region, sign.service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def hmac_hex(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def payload_hash(sign: SigV4, headers: dict[str, str], args: dict[str, str]) -> str:
    if sign.presigned:
        return args.get("X-Amz-Content-Sha256", UNSIGNED)
    return headers.get("x-amz-content-sha256", EMPTY_SHA256 if sign.service != "s3" else UNSIGNED)


def verify(
    sign: SigV4,
    secret_key: str,
    method: str,
    raw_path: str,
    query_pairs: list[tuple[str, str]],
    headers: dict[str, str],
    args: dict[str, str],
    now: float,
) -> None:
    """headers: lower-case names. Raises CosError unless the signature is right and in time."""
    check_time(sign, now)
    canonical_request = "\n".join(
        [
            method,
            raw_path or "/",
            canonical_query(query_pairs),
            canonical_headers(sign, headers),
            ";".join(sign.signed_headers),
            payload_hash(sign, headers, args),
        ]
    )
    string_to_sign = "\n".join(
        [ALGORITHM, sign.amz_date, sign.scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    if not hmac.compare_digest(hmac_hex(signing_key(secret_key, sign), string_to_sign), sign.signature):
        raise signature_mismatch()


class ChunkReader:
    """Decodes an aws-chunked body, checking each chunk's signature when the payload is signed."""

    def __init__(self, stream: BinaryIO, sign: SigV4 | None, secret_key: str) -> None:
        self.stream = stream
        self.sign = sign
        self.key = signing_key(secret_key, sign) if sign else b""
        self.previous = sign.signature if sign else ""
        self.trailers: dict[str, str] = {}

    def chunks(self) -> Iterator[bytes]:
        while True:
            size, signature = self.read_chunk_header()
            data = self.read_exact(size)
            self.check_chunk(data, signature)
            if size == 0:
                self.read_trailers()
                return
            self.expect_crlf()
            yield data

    def read_chunk_header(self) -> tuple[int, str | None]:
        line = self.stream.readline(MAX_CHUNK_HEADER).strip()
        size_text, separator, extension = line.partition(b";")
        try:
            size = int(size_text, 16)
        except ValueError:
            raise CosError(400, "IncompleteBody", "The aws-chunked body is malformed.") from None
        name, separator, value = extension.partition(b"=")
        return size, value.decode() if name == b"chunk-signature" else None

    def read_exact(self, size: int) -> bytes:
        data = self.stream.read(size) if size else b""
        if len(data) != size:
            raise CosError(400, "IncompleteBody", "The request body ended before the chunk did.")
        return data

    def expect_crlf(self) -> None:
        if self.stream.read(2) != b"\r\n":
            raise CosError(400, "IncompleteBody", "The aws-chunked body is malformed.")

    def check_chunk(self, data: bytes, signature: str | None) -> None:
        if not self.sign:
            return
        expected = self.chained_signature("AWS4-HMAC-SHA256-PAYLOAD", EMPTY_SHA256, hashlib.sha256(data).hexdigest())
        if signature is None or not hmac.compare_digest(expected, signature):
            raise signature_mismatch()
        self.previous = expected

    def read_trailers(self) -> None:
        raw_trailer = b""
        for attempt in range(64):
            line = self.stream.readline(MAX_CHUNK_HEADER)
            if line in (b"\r\n", b"\n", b""):
                break
            name, separator, value = line.decode().strip().partition(":")
            if name == "x-amz-trailer-signature":
                self.check_trailer(raw_trailer, value.strip())
            else:
                self.trailers[name.lower()] = value.strip()
                raw_trailer += f"{name.lower()}:{value.strip()}\n".encode()

    def check_trailer(self, raw_trailer: bytes, signature: str) -> None:
        if not self.sign:
            return
        expected = self.chained_signature("AWS4-HMAC-SHA256-TRAILER", hashlib.sha256(raw_trailer).hexdigest())
        if not hmac.compare_digest(expected, signature):
            raise signature_mismatch()

    def chained_signature(self, algorithm: str, *hashes: str) -> str:
        """The signature of the body's next piece, chained to the previous signature (SigV4 streaming upload)."""
        string_to_sign = "\n".join([algorithm, self.sign.amz_date, self.sign.scope, self.previous, *hashes])
        return hmac_hex(self.key, string_to_sign)
