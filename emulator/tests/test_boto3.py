"""COS's S3 face driven by boto3 with Signature Version 4, path-style as S3 tools address an IP endpoint."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from emulator import clients
from emulator.tests.conftest import BUCKET

MIB = 1024 * 1024


@pytest.fixture
def s3(emulator, root):
    return clients.s3_client(emulator.url, *root)


@pytest.fixture
def s3_bucket(s3) -> str:
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-guangzhou"})
    return BUCKET


def error_code(error: pytest.ExceptionInfo) -> tuple[int, str]:
    response = error.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_put_get_head_and_delete(s3, s3_bucket):
    data = os.urandom(10_000)
    s3.put_object(Bucket=s3_bucket, Key="docker/registry/v2/blobs/data", Body=data, Metadata={"owner": "ops"})
    got = s3.get_object(Bucket=s3_bucket, Key="docker/registry/v2/blobs/data", Range="bytes=10-19")
    assert got["Body"].read() == data[10:20]
    head = s3.head_object(Bucket=s3_bucket, Key="docker/registry/v2/blobs/data")
    assert head["ContentLength"] == len(data) and head["Metadata"] == {"owner": "ops"}
    s3.delete_object(Bucket=s3_bucket, Key="docker/registry/v2/blobs/data")
    with pytest.raises(ClientError) as error:
        s3.head_object(Bucket=s3_bucket, Key="docker/registry/v2/blobs/data")
    assert error_code(error)[0] == 404


def test_bucket_region_comes_from_the_signature_scope(emulator, root, s3, s3_bucket):
    located = s3.get_bucket_location(Bucket=s3_bucket)["LocationConstraint"]
    assert located == "ap-guangzhou"
    beijing = clients.s3_client(emulator.url, *root, region="ap-beijing")
    with pytest.raises(ClientError) as error:
        beijing.list_objects_v2(Bucket=s3_bucket)
    assert error_code(error) == (404, "NoSuchBucket")


def test_multipart_upload(s3, s3_bucket):
    parts = [os.urandom(5 * MIB), os.urandom(MIB)]
    upload = s3.create_multipart_upload(Bucket=s3_bucket, Key="layer")
    etags = [
        s3.upload_part(Bucket=s3_bucket, Key="layer", UploadId=upload["UploadId"], PartNumber=n, Body=part)["ETag"]
        for n, part in enumerate(parts, start=1)
    ]
    listed = s3.list_parts(Bucket=s3_bucket, Key="layer", UploadId=upload["UploadId"])["Parts"]
    assert [part["PartNumber"] for part in listed] == [1, 2]
    s3.complete_multipart_upload(
        Bucket=s3_bucket,
        Key="layer",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, start=1)]},
    )
    assert s3.get_object(Bucket=s3_bucket, Key="layer")["Body"].read() == b"".join(parts)


def test_managed_transfer_uploads_in_parallel_parts(s3, s3_bucket):
    data = os.urandom(12 * MIB)
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)
    s3.upload_fileobj(io.BytesIO(data), s3_bucket, "blob", Config=config)
    assert s3.head_object(Bucket=s3_bucket, Key="blob")["ETag"].strip('"').endswith("-3")
    out = io.BytesIO()
    s3.download_fileobj(s3_bucket, "blob", out)
    assert hashlib.sha256(out.getvalue()).digest() == hashlib.sha256(data).digest()


def test_listing_v1_and_v2(s3, s3_bucket):
    for key in ("root/a", "root/b/c", "root/d", "elsewhere"):
        s3.put_object(Bucket=s3_bucket, Key=key, Body=b"")
    v2 = s3.list_objects_v2(Bucket=s3_bucket, Prefix="root/", Delimiter="/")
    assert [c["Key"] for c in v2["Contents"]] == ["root/a", "root/d"]
    assert [p["Prefix"] for p in v2["CommonPrefixes"]] == ["root/b/"]
    v1 = s3.list_objects(Bucket=s3_bucket, Prefix="root/", MaxKeys=2)
    assert [c["Key"] for c in v1["Contents"]] == ["root/a", "root/b/c"] and v1["IsTruncated"]


def test_copy_and_batch_delete(s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="src", Body=b"moved")
    s3.copy_object(Bucket=s3_bucket, Key="dst", CopySource={"Bucket": s3_bucket, "Key": "src"})
    assert s3.get_object(Bucket=s3_bucket, Key="dst")["Body"].read() == b"moved"
    deleted = s3.delete_objects(Bucket=s3_bucket, Delete={"Objects": [{"Key": "src"}, {"Key": "dst"}]})["Deleted"]
    assert sorted(entry["Key"] for entry in deleted) == ["dst", "src"]
    assert s3.list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0


def test_presigned_get(emulator, s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="blob", Body=b"redirected")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "blob"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url
    assert requests.get(url, timeout=30).content == b"redirected"
    tampered = url.replace("blob", "other")
    response = requests.get(tampered, timeout=30)
    assert response.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_wrong_secret_is_refused(emulator, root, s3_bucket):
    forger = clients.s3_client(emulator.url, root[0], "not-the-secret")
    with pytest.raises(ClientError) as error:
        forger.put_object(Bucket=s3_bucket, Key="k", Body=b"x")
    assert error_code(error) == (403, "SignatureDoesNotMatch")


def test_unknown_key_is_refused(emulator, s3_bucket):
    stranger = clients.s3_client(emulator.url, "AKIDUNKNOWN0000000000000000000000000", "secret")
    with pytest.raises(ClientError) as error:
        stranger.list_objects_v2(Bucket=s3_bucket)
    assert error_code(error) == (403, "InvalidAccessKeyId")


def test_body_that_does_not_match_its_signed_hash_is_refused(emulator, root, s3, s3_bucket):
    def swap_body(request, **kwargs):
        request.body = b"what was SIGNED here"

    s3.meta.events.register("before-send.s3.PutObject", swap_body)
    with pytest.raises(ClientError) as error:
        s3.put_object(Bucket=s3_bucket, Key="k", Body=b"what was signed here")
    assert error_code(error) == (400, "XAmzContentSHA256Mismatch")


def test_path_style_can_be_refused_per_bucket(control, s3, s3_bucket):
    control.set_path_style(s3_bucket, reject=True)
    with pytest.raises(ClientError) as error:
        s3.list_objects_v2(Bucket=s3_bucket)
    assert error_code(error) == (403, "PathStyleDomainForbidden")
    control.set_path_style(s3_bucket, reject=False)
    assert s3.list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0


def test_a_multi_az_bucket_refuses_the_s3_drivers_default_storage_class(cos, s3):
    """distribution's s3 driver sends x-amz-storage-class: STANDARD unless storageclass is NONE."""
    cos.create_bucket(Bucket="maz-1250000000", BucketAZConfig="MAZ")
    with pytest.raises(ClientError) as error:
        s3.put_object(Bucket="maz-1250000000", Key="k", Body=b"x", StorageClass="STANDARD", ACL="private")
    assert error_code(error) == (400, "OAZOperationNotSupportOnMAZBucket")
    s3.put_object(Bucket="maz-1250000000", Key="k", Body=b"x", ACL="private")
    assert s3.get_object(Bucket="maz-1250000000", Key="k")["Body"].read() == b"x"
