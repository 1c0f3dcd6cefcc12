"""The S3 storage engine under the COS face: moto's S3 app and its (process-wide) backend."""

from __future__ import annotations

import hashlib
import io
import os
import threading

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
from moto.settings import S3_UPLOAD_PART_MIN_SIZE  # noqa: E402

from .errors import CosError, no_such_bucket  # noqa: E402

__all__ = [
    "MotoRequestHandler",
    "Engine",
    "EnvironHeaders",
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
        key.set_metadata(multipart.metadata)
        self.backend.put_object_tagging(key, multipart.tags)
        self.backend.put_object_acl(
            bucket_name=bucket_name, key_name=key.name, acl=multipart.acl, disable_notification=True
        )
        return key

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
    they are disposed with it). moto only seeks to the start and reads."""

    def __init__(self, parts: list[FakeKey]) -> None:
        self.parts = parts
        self.seek(0)

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0):
            raise io.UnsupportedOperation("a completed object is read from its start")
        self.next_part = 0
        self.pending = memoryview(b"")
        return 0

    def read(self, size: int | None = -1) -> bytes:
        wanted = size if size is not None and size >= 0 else None
        chunks: list[memoryview] = []
        got = 0
        while wanted is None or got < wanted:
            if not self.pending:
                if self.next_part == len(self.parts):
                    break
                self.pending = memoryview(self.parts[self.next_part].value)
                self.next_part += 1
                continue
            take = self.pending if wanted is None else self.pending[: wanted - got]
            chunks.append(take)
            got += len(take)
            self.pending = self.pending[len(take) :]
        return b"".join(chunks)

    def close(self) -> None:
        self.parts = []
        self.seek(0)


def chosen_parts(multipart: FakeMultipart, parts: list[tuple[int, str]]) -> list[FakeKey]:
    """The uploaded parts the completion names, checked as COS checks them."""
    if not parts:
        raise CosError(400, "MalformedXML", "The XML you provided was not well-formed.")
    numbers = [number for number, _ in parts]
    if numbers != sorted(set(numbers)):
        raise CosError(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
    chosen = []
    for number, etag in parts:
        part = multipart.parts.get(number)
        if part is None or part.etag.strip('"') != etag.strip('"'):
            raise CosError(400, "InvalidPart", f"Part {number} was not uploaded or its ETag does not match.")
        chosen.append(part)
    if any(part.contentsize < S3_UPLOAD_PART_MIN_SIZE for part in chosen[:-1]):
        raise CosError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
    return chosen


def multipart_etag(parts: list[FakeKey]) -> str:
    digests = b"".join(bytes.fromhex(part.etag.strip('"')) for part in parts)
    return f"{hashlib.md5(digests).hexdigest()}-{len(parts)}"
