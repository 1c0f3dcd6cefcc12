"""SSE-C through cos-python-sdk-v5 over HTTPS: keys checked and kept as COS keeps them, answers naming the algorithm
and the key's MD5, objects that open only with their key (product 436/18145, api 436/7728, 436/7729)."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from qcloud_cos.cos_exception import CosServiceError

from emulator import clients
from emulator.control import EmulatorControl
from emulator.iam import DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY
from emulator.tests.conftest import BUCKET

ALGORITHM = "x-cos-server-side-encryption-customer-algorithm"
KEY_MD5 = "x-cos-server-side-encryption-customer-key-MD5"
PART = 1024 * 1024


def customer_key() -> dict:
    """The SDK's arguments for a new customer key."""
    key = os.urandom(32)
    return {
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": base64.b64encode(key).decode(),
        "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(key).digest()).decode(),
    }


def as_source(key: dict) -> dict:
    """The same key naming a copy's source."""
    return {f"CopySource{name}": value for name, value in key.items()}


def echoed(answer: dict) -> tuple[str, str]:
    return answer[ALGORITHM], answer[KEY_MD5]


def refusal(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(CosServiceError) as error:
        call(*args, **kwargs)
    return error.value.get_status_code(), error.value.get_error_code()


def body(answer: dict) -> bytes:
    return answer["Body"].get_raw_stream().read()


@pytest.fixture
def secure_cos(tls_emulator):
    url, ca_file = tls_emulator
    EmulatorControl(url, ca_file).reset()
    client = clients.cos_client(url, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY, VerifySSL=ca_file)
    client.create_bucket(Bucket=BUCKET)
    return client


def test_an_object_opens_only_with_its_key(secure_cos):
    key = customer_key()
    put = secure_cos.put_object(Bucket=BUCKET, Key="k", Body=b"secret", **key)
    expected = ("AES256", key["SSECustomerKeyMD5"])
    assert echoed(put) == expected
    got = secure_cos.get_object(Bucket=BUCKET, Key="k", **key)
    assert body(got) == b"secret" and echoed(got) == expected
    assert echoed(secure_cos.head_object(Bucket=BUCKET, Key="k", **key)) == expected
    assert refusal(secure_cos.get_object, Bucket=BUCKET, Key="k") == (400, "InvalidRequest")
    assert refusal(secure_cos.get_object, Bucket=BUCKET, Key="k", **customer_key()) == (403, "AccessDenied")
    assert refusal(secure_cos.head_object, Bucket=BUCKET, Key="k")[0] == 400


@pytest.mark.parametrize(
    "change",
    [
        {"SSECustomerKeyMD5": base64.b64encode(hashlib.md5(b"another key").digest()).decode()},
        {"SSECustomerAlgorithm": "SM4"},
        {"SSECustomerKey": base64.b64encode(b"short").decode()},
    ],
    ids=["md5-of-another-key", "algorithm", "short-key"],
)
def test_a_key_that_is_no_aes256_key_or_not_its_md5_is_refused(secure_cos, change):
    assert refusal(secure_cos.put_object, Bucket=BUCKET, Key="k", Body=b"x", **{**customer_key(), **change}) == (
        400,
        "InvalidArgument",
    )
    assert refusal(secure_cos.head_object, Bucket=BUCKET, Key="k")[0] == 404


def test_a_key_for_an_object_written_without_one_is_refused(secure_cos):
    secure_cos.put_object(Bucket=BUCKET, Key="plain", Body=b"x")
    assert refusal(secure_cos.get_object, Bucket=BUCKET, Key="plain", **customer_key()) == (400, "InvalidRequest")


def test_a_copy_needs_the_source_key_and_keeps_its_own(secure_cos):
    source, target = customer_key(), customer_key()
    secure_cos.put_object(Bucket=BUCKET, Key="source", Body=b"secret", **source)
    copy_source = {"Bucket": BUCKET, "Key": "source", "Region": "ap-guangzhou"}
    assert refusal(secure_cos.copy_object, Bucket=BUCKET, Key="copy", CopySource=copy_source, **target) == (
        400,
        "InvalidRequest",
    )
    copied = secure_cos.copy_object(Bucket=BUCKET, Key="copy", CopySource=copy_source, **target, **as_source(source))
    assert echoed(copied) == ("AES256", target["SSECustomerKeyMD5"])
    assert body(secure_cos.get_object(Bucket=BUCKET, Key="copy", **target)) == b"secret"
    assert refusal(secure_cos.get_object, Bucket=BUCKET, Key="copy", **source) == (403, "AccessDenied")


def test_a_multipart_upload_takes_its_key_on_every_part(secure_cos):
    key = customer_key()
    upload_id = secure_cos.create_multipart_upload(Bucket=BUCKET, Key="big", **key)["UploadId"]
    data = os.urandom(PART), os.urandom(10)
    assert refusal(
        secure_cos.upload_part, Bucket=BUCKET, Key="big", Body=data[0], PartNumber=1, UploadId=upload_id
    ) == (
        400,
        "InvalidRequest",
    )
    parts = [
        secure_cos.upload_part(Bucket=BUCKET, Key="big", Body=chunk, PartNumber=number, UploadId=upload_id, **key)
        for number, chunk in enumerate(data, start=1)
    ]
    assert {echoed(part) for part in parts} == {("AES256", key["SSECustomerKeyMD5"])}
    done = secure_cos.complete_multipart_upload(
        Bucket=BUCKET,
        Key="big",
        UploadId=upload_id,
        MultipartUpload={"Part": [{"PartNumber": n, "ETag": part["ETag"]} for n, part in enumerate(parts, start=1)]},
    )
    assert echoed(done) == ("AES256", key["SSECustomerKeyMD5"])
    assert body(secure_cos.get_object(Bucket=BUCKET, Key="big", **key)) == b"".join(data)
    assert refusal(secure_cos.get_object, Bucket=BUCKET, Key="big")[0] == 400


def test_sdk_transfers_of_an_encrypted_object(secure_cos, tmp_path):
    """upload_file in parts and download_file in parts with its CRC-64 check, as the SDK's own SSE-C test does."""
    key = customer_key()
    source = tmp_path / "layer"
    source.write_bytes(os.urandom(2 * PART + 5))
    uploaded = secure_cos.upload_file(Bucket=BUCKET, Key="layer", LocalFilePath=str(source), PartSize=1, **key)
    assert uploaded[ALGORITHM] == "AES256"
    target = tmp_path / "downloaded"
    secure_cos.download_file(Bucket=BUCKET, Key="layer", DestFilePath=str(target), PartSize=1, EnableCRC=True, **key)
    assert target.read_bytes() == source.read_bytes()


def test_a_key_over_plain_http_is_refused(cos, bucket):
    """Tencent's SDK documents ask for HTTPS with SSE-C (product 436/38122)."""
    assert refusal(cos.put_object, Bucket=bucket, Key="k", Body=b"x", **customer_key()) == (
        400,
        "InvalidArgument",
    )
