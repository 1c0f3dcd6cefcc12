"""Streaming (aws-chunked) SigV4 payloads, checked against the worked example in AWS's Signature V4 documentation."""

from __future__ import annotations

import calendar
import io
import time

import pytest

from emulator import sigv4
from emulator.errors import CosError

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
    "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
    "x-amz-decoded-content-length;x-amz-storage-class,"
    "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
)
HEADERS = {
    "host": "s3.amazonaws.com",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560",
    "content-length": "66824",
}
CHUNKS = [
    (b"a" * 65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"),
    (b"a" * 1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"),
    (b"", "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"),
]
EXAMPLE_TIME = calendar.timegm(time.strptime("20130524T000000Z", "%Y%m%dT%H%M%SZ"))


def encoded(chunks: list[tuple[bytes, str]]) -> bytes:
    return b"".join(
        f"{len(data):x};chunk-signature={signature}\r\n".encode() + data + b"\r\n" for data, signature in chunks
    )


def seed() -> sigv4.SigV4:
    return sigv4.authorization_fields(AUTHORIZATION, {}, HEADERS)


def test_seed_signature_of_the_documented_example_verifies():
    sign = seed()
    sigv4.verify(sign, SECRET_KEY, "PUT", "/examplebucket/chunkObject.txt", [], HEADERS, {}, EXAMPLE_TIME)
    assert len(encoded(CHUNKS)) == int(HEADERS["content-length"])


def test_documented_chunks_decode_to_the_payload():
    reader = sigv4.ChunkReader(io.BytesIO(encoded(CHUNKS)), seed(), SECRET_KEY)
    assert b"".join(reader.chunks()) == b"a" * 66560


def test_a_chunk_with_a_wrong_signature_is_refused():
    tampered = [(b"b" * 65536, CHUNKS[0][1])] + CHUNKS[1:]
    reader = sigv4.ChunkReader(io.BytesIO(encoded(tampered)), seed(), SECRET_KEY)
    with pytest.raises(CosError) as error:
        b"".join(reader.chunks())
    assert error.value.code == "SignatureDoesNotMatch"


def test_unsigned_chunks_with_a_trailer_decode_and_keep_the_checksum():
    body = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
    reader = sigv4.ChunkReader(io.BytesIO(body), None, "")
    assert b"".join(reader.chunks()) == b"hello"
    assert reader.trailers == {"x-amz-checksum-crc32": "NhCmhg=="}
