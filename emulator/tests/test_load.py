"""Eight clients uploading 256 MiB each at once, through cos-python-sdk-v5 multipart uploads, without errors."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from emulator import clients
from emulator.iam import DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY
from tests.support import processes

pytestmark = pytest.mark.slow

CLIENTS = 8
PART_SIZE = 16 * 1024 * 1024
PARTS = 16  # 256 MiB per client
BUCKET = "load-1250000000"
# The objects live in files, not in the emulator's memory; this bound still leaves room for buffers in flight.
MAX_RESIDENT = 3 * 1024**3


@pytest.fixture(scope="module")
def emulator_process():
    """A separate process, so the clients and the server do not share one interpreter lock."""
    process, url, ca_file = processes.start_emulator()
    try:
        yield process, url
    finally:
        processes.stop(process)


def part_data(block: bytes, client: int, number: int) -> bytes:
    """Distinct content for every part, cheaply: a shared random block with its own prefix."""
    prefix = f"client {client} part {number}".encode().ljust(64, b".")
    return prefix + block[len(prefix) :]


def upload(url: str, block: bytes, client: int) -> tuple[str, str]:
    """One client's multipart upload; returns (key, the multipart ETag it expects)."""
    cos = clients.cos_client(url, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
    key = f"load/client-{client}"
    upload_id = cos.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    parts, digests = [], b""
    for number in range(1, PARTS + 1):
        data = part_data(block, client, number)
        digests += hashlib.md5(data).digest()
        etag = cos.upload_part(Bucket=BUCKET, Key=key, Body=data, PartNumber=number, UploadId=upload_id)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    cos.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id, MultipartUpload={"Part": parts})
    return key, f"{hashlib.md5(digests).hexdigest()}-{PARTS}"


def peak_resident_bytes(process) -> int:
    with open(f"/proc/{process.pid}/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def test_eight_clients_upload_256_mib_each_at_once(emulator_process):
    process, url = emulator_process
    cos = clients.cos_client(url, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY)
    cos.create_bucket(Bucket=BUCKET)
    block = os.urandom(PART_SIZE)
    with ThreadPoolExecutor(CLIENTS) as pool:
        uploaded = list(pool.map(lambda client: upload(url, block, client), range(CLIENTS)))
    for client, (key, etag) in enumerate(uploaded):
        head = cos.head_object(Bucket=BUCKET, Key=key)
        assert (int(head["Content-Length"]), head["ETag"].strip('"')) == (PART_SIZE * PARTS, etag)
        tail = cos.get_object(Bucket=BUCKET, Key=key, Range=f"bytes={PART_SIZE * PARTS - 100}-")
        assert tail["Body"].get_raw_stream().read() == part_data(block, client, PARTS)[-100:]
    whole = cos.get_object(Bucket=BUCKET, Key=uploaded[0][0])["Body"].get_raw_stream()
    expected = hashlib.sha256()
    for number in range(1, PARTS + 1):
        expected.update(part_data(block, 0, number))
    assert hashlib.sha256(whole.read()).hexdigest() == expected.hexdigest()
    assert peak_resident_bytes(process) < MAX_RESIDENT
