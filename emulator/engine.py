"""The S3 storage engine under the COS face: moto's S3 app and its (process-wide) backend."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from typing import Iterator

# moto reads its settings at import time: no CORS headers of its own, path-style bucket names only.
os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")
os.environ.setdefault("S3_IGNORE_SUBDOMAIN_BUCKETNAME", "true")

from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.core.model_instances import reset_model_data  # noqa: E402
from moto.core.request import (  # noqa: E402
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    EnvironHeaders,
    environ_key_for_header,
)
from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app  # noqa: E402
from moto.s3.models import FakeBucket, FakeKey, FakeMultipart, S3Backend, s3_backends  # noqa: E402

from . import crc64  # noqa: E402
from .cos_limits import check_part_sizes  # noqa: E402
from .errors import CosError, no_such_bucket  # noqa: E402

__all__ = [
    "MotoRequestHandler",
    "Engine",
    "EnvironHeaders",
    "FakeKey",
    "FakeMultipart",
    "PRESERVED_HEADER_NAMES_ENVIRON_KEY",
    "environ_key_for_header",
]


class Engine:
    """One per process: moto keeps S3 state in a module-level backend."""

    def __init__(self) -> None:
        self.app = create_backend_app("s3")
        self.lock = threading.Lock()

    @property
    def backend(self) -> S3Backend:
        return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]

    def bucket(self, name: str) -> FakeBucket | None:
        return self.backend.buckets.get(name)

    def buckets(self) -> list[FakeBucket]:
        return list(self.backend.buckets.values())

    def bucket_tags(self, name: str) -> dict[str, str]:
        return {tag["Key"]: tag["Value"] for tag in self.backend.get_bucket_tagging(name)["Tags"]}

    def reset(self) -> None:
        """Empty storage, closing the files that hold object data."""
        self.backend.reset()
        reset_model_data()

    def complete_multipart_upload(self, bucket_name: str, upload_id: str, parts: list[tuple[int, str]]) -> FakeKey:
        """Stores the object as the chain of its parts instead of a copy of them.

        moto's own completion builds the whole object in memory several times over and then writes it out again;
        eight concurrent 256 MiB uploads would need gigabytes of memory and disk bandwidth. The parts are already
        on disk in their own buffers, so the object reads through them in order.
        """
        multipart = self.take_multipart(bucket_name, upload_id)
        try:
            chosen = chosen_parts(multipart, parts)
        except CosError:
            self.backend.buckets[bucket_name].multiparts[upload_id] = multipart
            raise
        key = self.backend.put_object(
            bucket_name,
            multipart.key_name,
            b"",
            storage=multipart.storage,
            etag=multipart_etag(chosen),
            multipart=multipart,
            encryption=multipart.sse_encryption,
            kms_key_id=multipart.kms_key_id,
        )
        with key.lock:
            empty, key._value_buffer = key._value_buffer, JoinedParts(chosen)
            key.contentsize = sum(part.contentsize for part in chosen)
        empty.close()
        key.cos_customer_key = getattr(multipart, "cos_customer_key", None)
        key.cos_crc64 = crc64.combine_all((self.crc64(part), part.contentsize) for part in chosen)
        key.set_metadata(multipart.metadata)
        self.backend.put_object_tagging(key, multipart.tags)
        self.backend.put_object_acl(
            bucket_name=bucket_name, key_name=key.name, acl=multipart.acl, disable_notification=True
        )
        return key

    def stored_key(self, bucket_name: str, key_name: str, version_id: str | None) -> FakeKey | None:
        key = self.backend.get_object(bucket_name, key_name, version_id=version_id)
        return key if isinstance(key, FakeKey) else None

    def multipart(self, bucket_name: str, upload_id: str) -> FakeMultipart | None:
        bucket = self.bucket(bucket_name)
        return bucket.multiparts.get(upload_id) if bucket else None

    def stored_part(self, bucket_name: str, upload_id: str, part_number: str) -> FakeKey | None:
        multipart = self.multipart(bucket_name, upload_id)
        return multipart.parts.get(int(part_number)) if multipart and part_number.isdigit() else None

    @staticmethod
    def crc64(key: FakeKey) -> int:
        """The object's CRC-64 (x-cos-hash-crc64ecma), computed from its bytes once and kept with it."""
        value = getattr(key, "cos_crc64", None)
        if value is None:
            value = key.cos_crc64 = crc64.of_chunks(value_chunks(key, 0, key.contentsize - 1))
        return value

    def start_uploads(self, bucket_name: str, keys: list[str]) -> None:
        """Multipart uploads started without a request each: more than a listing page of them through HTTP takes
        longer than the test that needs them."""
        for key in keys:
            self.backend.create_multipart_upload(
                bucket_name, key, {}, "STANDARD", {}, acl=None, sse_encryption=None, kms_key_id=None
            )

    def take_multipart(self, bucket_name: str, upload_id: str) -> FakeMultipart:
        """The upload, removed so a concurrent completion of the same upload finds it gone."""
        bucket = self.bucket(bucket_name)
        if bucket is None:
            raise no_such_bucket()
        with self.lock:
            multipart = bucket.multiparts.pop(upload_id, None)
        if multipart is None:
            raise CosError(404, "NoSuchUpload", "The specified multipart upload does not exist.")
        return multipart


class JoinedParts:
    """The value buffer of a completed object: its parts read one after another (the object owns the parts, so
    they are disposed with it). moto seeks and reads it like a file."""

    def __init__(self, parts: list[FakeKey]) -> None:
        self.parts = parts
        self.position = 0

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence != io.SEEK_SET:
            raise io.UnsupportedOperation("a completed object seeks from its start only")
        self.position = offset
        return offset

    def read(self, size: int | None = -1) -> bytes:
        remaining = sum(part.contentsize for part in self.parts) - self.position
        data = self.read_at(self.position, remaining if size is None or size < 0 else min(size, remaining))
        self.position += len(data)
        return data

    def read_at(self, start: int, size: int) -> bytes:
        chunks, offset = [], 0
        for part in self.parts:
            if size <= 0:
                break
            if start < offset + part.contentsize:
                within = max(start - offset, 0)
                chunk = read_value(part, within, min(size, part.contentsize - within))
                chunks.append(chunk)
                size -= len(chunk)
                start += len(chunk)
            offset += part.contentsize
        return b"".join(chunks)

    def close(self) -> None:
        self.parts = []
        self.position = 0


def read_value(key: FakeKey, start: int, size: int) -> bytes:
    """`size` bytes of an object from `start`, without reading the rest of it."""
    buffer = key._value_buffer
    if isinstance(buffer, JoinedParts):
        return buffer.read_at(start, size)
    with key.lock:
        buffer.seek(start)
        return buffer.read(size)


def value_chunks(key: FakeKey, start: int, end: int, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
    """Bytes start..end (inclusive) of an object, a chunk at a time."""
    while start <= end:
        chunk = read_value(key, start, min(chunk_size, end - start + 1))
        if not chunk:
            return
        yield chunk
        start += len(chunk)


def chosen_parts(multipart: FakeMultipart, parts: list[tuple[int, str]]) -> list[FakeKey]:
    """The uploaded parts the completion names, checked as COS checks them."""
    chosen = []
    for number, etag in parts:
        part = multipart.parts.get(number)
        if part is None or part.etag.strip('"') != etag.strip('"'):
            raise CosError(400, "InvalidPart", f"Part {number} was not uploaded or its ETag does not match.")
        chosen.append(part)
    check_part_sizes([part.contentsize for part in chosen])
    return chosen


def multipart_etag(parts: list[FakeKey]) -> str:
    digests = b"".join(bytes.fromhex(part.etag.strip('"')) for part in parts)
    return f"{hashlib.md5(digests).hexdigest()}-{len(parts)}"
