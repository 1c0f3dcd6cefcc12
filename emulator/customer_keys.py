"""SSE-C: objects encrypted with a key the customer sends with every request that writes or reads them.

The request headers (api 436/7728, SSE-C): x-cos-server-side-encryption-customer-algorithm (AES256),
-customer-key (the 32-byte key, base64) and -customer-key-MD5 (the key's MD5, base64); a copy names its source's key
with x-cos-copy-source-server-side-encryption-customer-*. The answers carry the algorithm and the key's MD5 (api
436/7729). COS keeps no key, only an HMAC of it with random data, to check later requests; without the key the object
cannot be read (product 436/18145). Tencent's SDK documents ask for HTTPS with SSE-C (product 436/38122). S3 clients
send the x-amz-* names.

Where the documents name no error code, S3's are answered: 400 InvalidArgument for a key that is no AES256 key or does
not match its MD5, or that comes over plain HTTP; 400 InvalidRequest for a key the object was not written with or an
object read without its key; 403 AccessDenied for the wrong key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from .errors import CosError

ALGORITHM = "AES256"
KEY_BYTES = 32
OBJECT_HEADERS = ("x-cos-server-side-encryption-customer-", "x-amz-server-side-encryption-customer-")
SOURCE_HEADERS = (
    "x-cos-copy-source-server-side-encryption-customer-",
    "x-amz-copy-source-server-side-encryption-customer-",
)
FIELDS = ("algorithm", "key", "key-md5")


@dataclass(frozen=True)
class SuppliedKey:
    key: bytes
    key_md5: str


@dataclass(frozen=True)
class StoredKey:
    """What COS keeps of a customer key: its MD5 to answer with, and an HMAC of the key with random data."""

    key_md5: str
    salt: bytes
    digest: bytes

    @classmethod
    def of(cls, supplied: SuppliedKey) -> "StoredKey":
        salt = os.urandom(16)
        return cls(supplied.key_md5, salt, keyed_digest(salt, supplied.key))

    def opened_by(self, supplied: SuppliedKey) -> bool:
        return hmac.compare_digest(self.digest, keyed_digest(self.salt, supplied.key))

    def headers(self, prefix: str) -> list[tuple[str, str]]:
        """The answer's headers: x-cos-* for COS clients, x-amz-* for S3 clients."""
        return [
            (f"{prefix}server-side-encryption-customer-algorithm", ALGORITHM),
            (f"{prefix}server-side-encryption-customer-key-MD5", self.key_md5),
        ]


def keyed_digest(salt: bytes, key: bytes) -> bytes:
    return hmac.new(salt, key, hashlib.sha256).digest()


def invalid(message: str) -> CosError:
    return CosError(400, "InvalidArgument", message)


def supplied_key(headers: dict[str, str], prefixes: tuple[str, ...], secure: bool) -> SuppliedKey | None:
    """The customer key a request names with one of `prefixes` (lower-case header names), checked; None when none."""
    values = {field: next((headers[p + field] for p in prefixes if p + field in headers), None) for field in FIELDS}
    if all(value is None for value in values.values()):
        return None
    if not secure:
        raise invalid("Requests specifying server-side encryption with customer-provided keys must be made over HTTPS.")
    if None in values.values():
        raise invalid("Server-side encryption with a customer key needs its algorithm, its key and the key's MD5.")
    if values["algorithm"] != ALGORITHM:
        raise invalid(f"The customer key algorithm must be {ALGORITHM}, not {values['algorithm']!r}.")
    try:
        key = base64.b64decode(values["key"], validate=True)
    except ValueError:
        raise invalid("The customer key is not base64.") from None
    if len(key) != KEY_BYTES:
        raise invalid(f"The customer key must be {KEY_BYTES} bytes, not {len(key)}.")
    if base64.b64encode(hashlib.md5(key).digest()).decode() != values["key-md5"]:
        raise invalid("The calculated MD5 hash of the key did not match the hash that was provided.")
    return SuppliedKey(key, values["key-md5"])


def check_opens(stored: StoredKey | None, supplied: SuppliedKey | None) -> None:
    """A request reading an object (or adding to an upload) brings the key it was written with, and only then."""
    if stored is None and supplied is not None:
        raise CosError(400, "InvalidRequest", "The encryption parameters are not applicable to this object.")
    if stored is not None and supplied is None:
        raise CosError(
            400,
            "InvalidRequest",
            "The object was stored using server-side encryption with a customer key; the key must be provided.",
        )
    if stored is not None and not stored.opened_by(supplied):
        raise CosError(403, "AccessDenied", "The customer key does not match the key the object was stored with.")
