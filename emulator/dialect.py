"""COS's dialect of the S3 protocol: x-cos-* headers and COS values in, x-cos-* headers and COS values out.

The storage engine speaks S3 and silently ignores headers it does not know, so every x-cos-* request header is
either translated to its S3 meaning or refused: none may pass through and change meaning by being ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from . import customer_keys
from .addressing import COS_HOST, host_without_port
from .engine import PRESERVED_HEADER_NAMES_ENVIRON_KEY
from .errors import CosError

# COS storage classes and the engine's names for them.
STORAGE_CLASSES = {
    "STANDARD": "STANDARD",
    "STANDARD_IA": "STANDARD_IA",
    "INTELLIGENT_TIERING": "INTELLIGENT_TIERING",
    "ARCHIVE": "GLACIER",
    "DEEP_ARCHIVE": "DEEP_ARCHIVE",
}
ENGINE_STORAGE_CLASSES = {engine: cos for cos, engine in STORAGE_CLASSES.items()}
# The multi-AZ classes (PUT Object, api 436/7749) and the engine's names for them; stored objects are reported with
# the single-AZ name. A multi-AZ bucket takes only these, a single-AZ bucket none of them.
MULTI_AZ_STORAGE_CLASSES = {
    "MAZ_STANDARD": "STANDARD",
    "MAZ_STANDARD_IA": "STANDARD_IA",
    "MAZ_INTELLIGENT_TIERING": "INTELLIGENT_TIERING",
}
# Canned ACLs (x-cos-acl, and x-amz-acl on the S3 face): a bucket's private, public-read, public-read-write (PUT Bucket,
# api 436/7738) and authenticated-read (the AuthenticatedUsers group of the ACL overview, product 436/30583); an
# object's default (the bucket's), private and public-read (PUT Object acl, api 436/7748). The engine, which does not
# enforce ACLs, stores default as private.
BUCKET_ACLS = ("private", "public-read", "public-read-write", "authenticated-read")
OBJECT_ACLS = ("default", "private", "public-read")
# Classes whose objects must be restored before they can be read.
UNREADABLE_STORAGE_CLASSES = {"GLACIER", "DEEP_ARCHIVE"}
ENCRYPTION = {"AES256": "AES256", "cos/kms": "aws:kms", "SM4": None}
ENGINE_ENCRYPTION = {"AES256": "AES256", "aws:kms": "cos/kms"}
DIRECTIVES = {"copy": "COPY", "replaced": "REPLACE"}
# x-cos-* request headers whose meaning the engine has under the x-amz-* name, unchanged.
SAME_MEANING = {
    "x-cos-acl",
    "x-cos-grant-read",
    "x-cos-grant-write",
    "x-cos-grant-read-acp",
    "x-cos-grant-write-acp",
    "x-cos-grant-full-control",
    "x-cos-tagging",
    "x-cos-copy-source-range",
    "x-cos-copy-source-if-match",
    "x-cos-copy-source-if-none-match",
    "x-cos-copy-source-if-modified-since",
    "x-cos-copy-source-if-unmodified-since",
    "x-cos-server-side-encryption-context",
}
CUSTOMER_KEY_HEADERS = tuple(
    prefix for prefix in customer_keys.OBJECT_HEADERS + customer_keys.SOURCE_HEADERS if prefix.startswith("x-cos-")
)
# x-cos-* request headers that do not change what is stored or returned. Tencent's SDKs mark a request they send again
# after a 5xx or a network error with x-cos-sdk-retry: true; it is the same request.
WITHOUT_EFFECT = {
    "x-cos-traffic-limit",
    "x-cos-security-token",
    "x-cos-content-sha1",
    "x-cos-request-id",
    "x-cos-sdk-retry",
}
RENAMED_REQUEST = {"x-cos-server-side-encryption-cos-kms-key-id": "x-amz-server-side-encryption-aws-kms-key-id"}
RENAMED_RESPONSE = {
    "x-amz-server-side-encryption-aws-kms-key-id": "x-cos-server-side-encryption-cos-kms-key-id",
}
DROPPED_RESPONSE = {"x-amz-request-id", "x-amz-id-2", "x-amzn-requestid"}
COPY_SOURCE = re.compile(r"^/?(?P<host>[^/]+)/(?P<key>[^?]+)(?:\?versionId=(?P<version>.+))?$")
ENGINE_OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
ENGINE_OWNER_NAME = "webfile"


@dataclass
class CopySource:
    bucket: str
    key: str
    region: str | None
    version_id: str | None


def environ_name(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def header_name(environ_key: str) -> str:
    return environ_key[5:].lower().replace("_", "-")


def parse_copy_source(value: str) -> CopySource:
    """x-cos-copy-source: <bucket>.cos.<region>.myqcloud.com/<key>[?versionId=<id>]; S3 clients send /<bucket>/<key>."""
    match = COPY_SOURCE.match(value.strip())
    if not match:
        raise CosError(400, "InvalidArgument", f"The copy source is malformed: {value}")
    host = host_without_port(match.group("host"))
    cos_host = COS_HOST.match(host)
    if cos_host and cos_host.group("bucket"):
        bucket, region = cos_host.group("bucket"), cos_host.group("region")
    else:
        bucket, region = unquote(match.group("host")), None
    return CopySource(bucket, unquote(match.group("key")), region, match.group("version"))


def engine_copy_source(source: CopySource) -> str:
    text = f"/{source.bucket}/{quote(source.key.encode(), safe='/-_.~')}"
    return text + (f"?versionId={source.version_id}" if source.version_id else "")


def translate_request_headers(environ: dict) -> None:
    """Rewrites the x-cos-* headers of a WSGI environ in place into what the engine understands."""
    # Names with underscores (x-cos-meta-my_key) are kept apart by the server, which WSGI keys cannot tell.
    names = environ.get(PRESERVED_HEADER_NAMES_ENVIRON_KEY) or {}
    for key in [key for key in environ if key.startswith("HTTP_X_COS_")]:
        value = environ.pop(key)
        translated = translate_request_header(names.pop(key, None) or header_name(key), value)
        if translated:
            environ[environ_name(translated[0])] = translated[1]
            if "_" in translated[0]:
                names[environ_name(translated[0])] = translated[0]


def translate_request_header(name: str, value: str) -> tuple[str, str] | None:
    if name.startswith(CUSTOMER_KEY_HEADERS):
        return None  # the COS face checks and keeps SSE-C keys (customer_keys.py); the engine has no use for them
    if name.startswith("x-cos-meta-"):
        return "x-amz-meta-" + name[len("x-cos-meta-") :], value
    if name in SAME_MEANING:
        return "x-amz-" + name[len("x-cos-") :], value
    if name in RENAMED_REQUEST:
        return RENAMED_REQUEST[name], value
    if name in WITHOUT_EFFECT:
        return None
    if name == "x-cos-copy-source":
        return "x-amz-copy-source", engine_copy_source(parse_copy_source(value))
    if name == "x-cos-storage-class":
        return "x-amz-storage-class", engine_storage_class(value)
    if name == "x-cos-server-side-encryption":
        return "x-amz-server-side-encryption", engine_encryption(value)
    if name in ("x-cos-metadata-directive", "x-cos-tagging-directive"):
        return "x-amz-" + name[len("x-cos-") :], engine_directive(name, value)
    raise CosError(400, "InvalidArgument", f"The header {name} is not supported here.")


def engine_storage_class(value: str) -> str:
    try:
        return {**STORAGE_CLASSES, **MULTI_AZ_STORAGE_CLASSES}[value.upper()]
    except KeyError:
        raise CosError(400, "InvalidStorageClass", f"The storage class you specified is not valid: {value}") from None


def engine_encryption(value: str) -> str:
    engine = ENCRYPTION.get(value)
    if not engine:
        raise CosError(400, "InvalidArgument", f"The server-side encryption algorithm is not valid: {value}")
    return engine


def engine_directive(name: str, value: str) -> str:
    try:
        return DIRECTIVES[value.lower()]
    except KeyError:
        raise CosError(400, "InvalidArgument", f"{name} must be Copy or Replaced: {value}") from None


def canonical_header_name(name: str) -> str:
    """COS spells standard headers in title case (Content-Range, ETag) and its own in lower case."""
    lower = name.lower()
    if lower.startswith("x-"):
        return lower
    if lower == "etag":
        return "ETag"
    return "-".join(part.capitalize() for part in lower.split("-"))


def translate_response_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    translated = []
    for name, value in headers:
        lower = name.lower()
        if lower in DROPPED_RESPONSE:
            continue
        if lower in RENAMED_RESPONSE:
            translated.append((RENAMED_RESPONSE[lower], value))
        elif lower == "x-amz-storage-class":
            translated.append(("x-cos-storage-class", ENGINE_STORAGE_CLASSES.get(value, value)))
        elif lower == "x-amz-server-side-encryption":
            translated.append(("x-cos-server-side-encryption", ENGINE_ENCRYPTION.get(value, value)))
        elif lower.startswith("x-amz-"):
            translated.append(("x-cos-" + name[len("x-amz-") :], value))
        else:
            translated.append((canonical_header_name(name), value))
    return translated


def engine_request_body(body: bytes) -> bytes:
    """COS values inside configuration documents (lifecycle, encryption) in the engine's spelling."""
    body = body.replace(b"<StorageClass>ARCHIVE</StorageClass>", b"<StorageClass>GLACIER</StorageClass>")
    return body.replace(b"<SSEAlgorithm>cos/kms</SSEAlgorithm>", b"<SSEAlgorithm>aws:kms</SSEAlgorithm>")


def cos_response_body(body: bytes, owner_uin: str) -> bytes:
    """The engine's XML documents with COS's values: storage classes, encryption names, owner ids."""
    body = body.replace(b"<StorageClass>GLACIER</StorageClass>", b"<StorageClass>ARCHIVE</StorageClass>")
    body = body.replace(b"<SSEAlgorithm>aws:kms</SSEAlgorithm>", b"<SSEAlgorithm>cos/kms</SSEAlgorithm>")
    body = body.replace(ENGINE_OWNER_ID.encode(), f"qcs::cam::uin/{owner_uin}:uin/{owner_uin}".encode())
    return body.replace(f">{ENGINE_OWNER_NAME}<".encode(), f">{owner_uin}<".encode())
