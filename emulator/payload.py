"""Request bodies on their way to the engine: spooled, hashed, checked against what the client declared."""

from __future__ import annotations

import base64
import hashlib
import tempfile
from typing import BinaryIO, Iterable

from werkzeug.wsgi import get_input_stream

from .errors import CosError

SPOOL_IN_MEMORY = 8 * 1024 * 1024
MAX_DOCUMENT = 1024 * 1024
READ_SIZE = 1024 * 1024


def read_chunks(stream: BinaryIO) -> Iterable[bytes]:
    while True:
        data = stream.read(READ_SIZE)
        if not data:
            return
        yield data


def spool(chunks: Iterable[bytes]) -> tuple[BinaryIO, int, str]:
    """The body in a temporary file (memory while small), its size and SHA-256."""
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    digest = hashlib.sha256()
    size = 0
    for data in chunks:
        body.write(data)
        digest.update(data)
        size += len(data)
    body.seek(0)
    return body, size, digest.hexdigest()


def set_body(environ: dict, body: BinaryIO, size: int) -> None:
    environ["wsgi.input"] = body
    environ["CONTENT_LENGTH"] = str(size)
    environ.pop("wsgi.input_terminated", None)
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def check_payload_hash(environ: dict, content_sha: str) -> None:
    body, size, digest = spool(read_chunks(get_input_stream(environ)))
    if digest != content_sha:
        raise CosError(
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
    set_body(environ, body, size)


def drop_aws_chunked(environ: dict) -> None:
    encodings = [
        part.strip()
        for part in environ.pop("HTTP_CONTENT_ENCODING", "").split(",")
        if part.strip() not in ("", "aws-chunked")
    ]
    if encodings:
        environ["HTTP_CONTENT_ENCODING"] = ",".join(encodings)


def read_environ_document(environ: dict) -> bytes:
    document = get_input_stream(environ).read(MAX_DOCUMENT + 1)
    if len(document) > MAX_DOCUMENT:
        raise CosError(400, "EntityTooLarge", "The request document is too large.")
    return document


def check_content_md5(content_md5: str | None, document: bytes) -> None:
    if content_md5 and base64.b64encode(hashlib.md5(document).digest()).decode() != content_md5.strip():
        raise CosError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
