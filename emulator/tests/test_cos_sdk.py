"""The COS face driven by cos-python-sdk-v5, the SDK the collection's modules use, over every operation it needs."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import datetime, timezone

import crcmod
import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError

from emulator import clients
from emulator.tests.conftest import BUCKET, signed_request

OTHER_BUCKET = "backup-1250000000"
PART = 5 * 1024 * 1024
# CRC-64/ECMA-182 as cos-python-sdk-v5 checks x-cos-hash-crc64ecma (qcloud_cos/resumable_downloader.py).
crc64 = crcmod.mkCrcFun(0x142F0E1EBA9EA3693, initCrc=0, xorOut=0xFFFFFFFFFFFFFFFF, rev=True)


def error_of(call, *args, **kwargs) -> CosServiceError:
    with pytest.raises(CosServiceError) as caught:
        call(*args, **kwargs)
    return caught.value


def body_of(response) -> bytes:
    return response["Body"].get_raw_stream().read()


def test_bucket_lifecycle_create_head_list_delete(cos):
    cos.create_bucket(Bucket=BUCKET)
    assert cos.head_bucket(Bucket=BUCKET) is not None
    buckets = cos.list_buckets()["Buckets"]["Bucket"]
    assert [(b["Name"], b["Location"]) for b in buckets] == [(BUCKET, "ap-guangzhou")]
    cos.delete_bucket(Bucket=BUCKET)
    assert error_of(cos.head_bucket, Bucket=BUCKET).get_status_code() == 404


def test_creating_an_existing_bucket_conflicts(cos, bucket):
    error = error_of(cos.create_bucket, Bucket=bucket)
    assert (error.get_status_code(), error.get_error_code()) == (409, "BucketAlreadyOwnedByYou")


@pytest.mark.parametrize("name", ["Upper-1250000000", "trailing--1250000000", "noappid", "a" * 40 + "-1250000000"])
def test_bucket_names_follow_cos_rules(cos, name):
    error = error_of(cos.create_bucket, Bucket=name)
    assert (error.get_status_code(), error.get_error_code()) == (400, "InvalidBucketName")


def test_bucket_of_another_appid_is_refused(cos):
    assert error_of(cos.create_bucket, Bucket="registry-1300000000").get_status_code() == 403


def test_bucket_is_found_only_in_its_region(emulator, root, bucket):
    shanghai = clients.cos_client(emulator.url, *root, region="ap-shanghai")
    error = error_of(shanghai.head_object, Bucket=bucket, Key="anything")
    assert error.get_status_code() == 404
    assert error_of(shanghai.list_objects, Bucket=bucket).get_error_code() == "NoSuchBucket"
    assert shanghai.list_buckets()["Buckets"]["Bucket"][0]["Location"] == "ap-guangzhou"


def test_service_listing_by_region_shows_that_region_only(emulator, root, cos, bucket):
    shanghai = clients.cos_client(emulator.url, *root, region="ap-shanghai")
    shanghai.create_bucket(Bucket=OTHER_BUCKET)
    authorization = cos.get_auth(Method="GET", Bucket=bucket, Key="/", SignHost=False)
    response = requests.get(
        f"{emulator.url}/", headers={"Host": "cos.ap-shanghai.myqcloud.com", "Authorization": authorization}, timeout=30
    )
    assert response.status_code == 200
    assert OTHER_BUCKET in response.text and bucket not in response.text


def bucket_names(listing: dict) -> list[str]:
    return [bucket["Name"] for bucket in (listing["Buckets"] or {}).get("Bucket", [])]


def test_service_listing_filters_by_tag_region_and_creation_time(emulator, root, cos, bucket):
    """api 436/8291: one tag (any of a bucket's tags), region, create-time with range lt/gt/lte/gte."""
    clients.cos_client(emulator.url, *root, region="ap-shanghai").create_bucket(Bucket=OTHER_BUCKET)
    cos.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": {"Tag": [{"Key": "a", "Value": "1"}, {"Key": "team", "Value": "ops"}]}}
    )
    assert bucket_names(cos.list_buckets(TagKey="team", TagValue="ops")) == [bucket]
    assert bucket_names(cos.list_buckets(TagKey="team", TagValue="dev")) == []
    assert bucket_names(cos.list_buckets(Region="ap-shanghai")) == [OTHER_BUCKET]
    later = int(time.time()) + 3600
    assert bucket_names(cos.list_buckets(CreateTime=later, Range="lt")) == [OTHER_BUCKET, bucket]
    assert bucket_names(cos.list_buckets(CreateTime=later, Range="gte")) == []


def test_service_listing_pages_with_marker_and_max_keys(cos):
    names = [f"page{number}-1250000000" for number in range(3)]
    for name in names:
        cos.create_bucket(Bucket=name)
    first = cos.list_buckets(MaxKeys=2)
    assert bucket_names(first) == names[:2]
    assert (first["IsTruncated"], first["NextMarker"], first["MaxKeys"]) == ("true", names[1], "2")
    rest = cos.list_buckets(MaxKeys=2, Marker=first["NextMarker"])
    assert bucket_names(rest) == names[2:] and rest["IsTruncated"] == "false" and "NextMarker" not in rest


def test_service_listing_dates_are_seconds_without_a_fraction(cos, bucket):
    """The format cos-python-sdk-v5's own GET Service test reads CreationDate with."""
    created = cos.list_buckets()["Buckets"]["Bucket"][0]["CreationDate"]
    assert (
        abs(datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() - time.time())
        < 600
    )


@pytest.mark.parametrize(
    "params",
    [
        {"tagkey": "team"},
        {"create-time": "1642662645"},
        {"create-time": "soon", "range": "lt"},
        {"create-time": "1", "range": "before"},
        {"max-keys": "2001"},
    ],
)
def test_service_listing_refuses_filters_outside_the_page(emulator, cos, bucket, params):
    authorization = cos.get_auth(Method="GET", Bucket=bucket, Key="/", Params=params, SignHost=False)
    response = requests.get(
        f"{emulator.url}/",
        params=params,
        headers={"Host": "service.cos.myqcloud.com", "Authorization": authorization},
        timeout=30,
    )
    assert response.status_code == 400 and "<Code>InvalidArgument</Code>" in response.text


def test_object_put_get_head_delete_with_range_and_metadata(cos, bucket):
    data = os.urandom(4096)
    put = cos.put_object(
        Bucket=bucket,
        Key="dir/file one+€.bin",
        Body=data,
        ContentType="application/x-test",
        Metadata={"x-cos-meta-owner": "ops"},
    )
    assert put["ETag"].strip('"') == hashlib.md5(data).hexdigest()
    got = cos.get_object(Bucket=bucket, Key="dir/file one+€.bin", Range="bytes=100-199")
    assert body_of(got) == data[100:200]
    assert got["Content-Range"] == "bytes 100-199/4096"
    head = cos.head_object(Bucket=bucket, Key="dir/file one+€.bin")
    assert (head["Content-Length"], head["Content-Type"], head["x-cos-meta-owner"]) == (
        "4096",
        "application/x-test",
        "ops",
    )
    cos.delete_object(Bucket=bucket, Key="dir/file one+€.bin")
    assert error_of(cos.get_object, Bucket=bucket, Key="dir/file one+€.bin").get_error_code() == "NoSuchKey"


def test_metadata_names_keep_underscores(cos, bucket):
    metadata = {"x-cos-meta-build_id": "42", "x-cos-meta-git-ref": "7"}
    cos.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata=metadata)
    head = cos.head_object(Bucket=bucket, Key="k")
    assert {name: head[name] for name in metadata} == metadata


def test_errors_carry_cos_fields(cos, bucket):
    error = error_of(cos.get_object, Bucket=bucket, Key="missing")
    assert (error.get_status_code(), error.get_error_code()) == (404, "NoSuchKey")
    assert error.get_error_msg() and error.get_request_id() and error.get_trace_id()
    assert error.get_resource_location() == f"{bucket}.cos.ap-guangzhou.myqcloud.com/missing"


def test_storage_class_and_encryption_use_cos_names(cos, bucket):
    cos.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="ARCHIVE", ServerSideEncryption="AES256")
    head = cos.head_object(Bucket=bucket, Key="cold")
    assert head["x-cos-storage-class"] == "ARCHIVE"
    assert head["x-cos-server-side-encryption"] == "AES256"
    listed = cos.list_objects(Bucket=bucket)["Contents"]
    assert listed[0]["StorageClass"] == "ARCHIVE"


MULTI_AZ_BUCKET = "maz-1250000000"


@pytest.mark.parametrize(
    "write",
    [
        lambda cos, **headers: cos.put_object(Bucket=MULTI_AZ_BUCKET, Key="k", Body=b"x", **headers),
        lambda cos, **headers: cos.create_multipart_upload(Bucket=MULTI_AZ_BUCKET, Key="k", **headers),
        lambda cos, **headers: cos.copy_object(
            Bucket=MULTI_AZ_BUCKET,
            Key="copy",
            CopySource={"Bucket": MULTI_AZ_BUCKET, "Key": "k", "Region": "ap-guangzhou"},
            **headers,
        ),
    ],
    ids=["put-object", "initiate-multipart-upload", "put-object-copy"],
)
def test_a_multi_az_bucket_refuses_single_az_storage_classes(cos, write):
    """api 436/10881: multi-AZ classes copy only into themselves; the stricter reading holds for every write."""
    cos.create_bucket(Bucket=MULTI_AZ_BUCKET, BucketAZConfig="MAZ")
    cos.put_object(Bucket=MULTI_AZ_BUCKET, Key="k", Body=b"x")
    for single_az in ("STANDARD", "STANDARD_IA"):
        with pytest.raises(CosServiceError) as error:
            write(cos, StorageClass=single_az)
        assert (error.value.get_status_code(), error.value.get_error_code()) == (
            400,
            "OAZOperationNotSupportOnMAZBucket",
        )
    write(cos, StorageClass="MAZ_STANDARD")
    write(cos)


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, {}),
        ({"BucketAZConfig": "MAZ"}, {"x-cos-bucket-az-type": "MAZ"}),
        ({"BucketArchConfig": "OFS"}, {"x-cos-bucket-arch": "OFS"}),
        (
            {"BucketAZConfig": "MAZ", "BucketArchConfig": "OFS"},
            {"x-cos-bucket-az-type": "MAZ", "x-cos-bucket-arch": "OFS"},
        ),
    ],
    ids=["oaz", "maz", "ofs", "maz-ofs"],
)
def test_head_bucket_names_a_multi_az_and_an_ofs_bucket(cos, options, expected):
    """api 436/7735: x-cos-bucket-az-type only for a MAZ bucket; x-cos-bucket-arch as cos-python-sdk-v5 reads it."""
    cos.create_bucket(Bucket=MULTI_AZ_BUCKET, **options)
    head = cos.head_bucket(Bucket=MULTI_AZ_BUCKET)
    assert {name: head[name] for name in ("x-cos-bucket-az-type", "x-cos-bucket-arch") if name in head} == expected
    assert head["x-cos-bucket-region"] == "ap-guangzhou"


def test_a_single_az_bucket_refuses_multi_az_storage_classes(cos, bucket):
    with pytest.raises(CosServiceError) as error:
        cos.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="MAZ_STANDARD")
    assert error.value.get_error_code() == "MAZOperationNotSupportOnOAZBucket"
    cos.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="STANDARD")


@pytest.mark.parametrize(
    "call",
    [
        lambda cos, bucket, acl: cos.put_bucket_acl(Bucket=bucket, ACL=acl),
        lambda cos, bucket, acl: cos.create_bucket(Bucket="other-1250000000", ACL=acl),
    ],
    ids=["put-bucket-acl", "put-bucket"],
)
def test_a_bucket_takes_only_the_documented_canned_acls(cos, bucket, call):
    """api 436/7738: private, public-read, public-read-write; authenticated-read (product 436/30583)."""
    error = error_of(call, cos, bucket, "public-read-writ")
    assert (error.get_status_code(), error.get_error_code()) == (400, "InvalidArgument")
    call(cos, bucket, "authenticated-read")


@pytest.mark.parametrize(
    "call",
    [
        lambda cos, bucket, acl: cos.put_object(Bucket=bucket, Key="k", Body=b"x", ACL=acl),
        lambda cos, bucket, acl: cos.put_object_acl(Bucket=bucket, Key="k", ACL=acl),
        lambda cos, bucket, acl: cos.create_multipart_upload(Bucket=bucket, Key="m", ACL=acl),
    ],
    ids=["put-object", "put-object-acl", "initiate-multipart-upload"],
)
def test_an_object_takes_only_the_documented_canned_acls(cos, bucket, call):
    """api 436/7748: default (the bucket's), private, public-read; public-read-write is a bucket's only."""
    cos.put_object(Bucket=bucket, Key="k", Body=b"x")
    for acl in ("public-read-write", "bucket-owner-full-control"):
        error = error_of(call, cos, bucket, acl)
        assert (error.get_status_code(), error.get_error_code()) == (400, "InvalidArgument")
    call(cos, bucket, "default")


def test_unknown_cos_header_is_refused_not_ignored(emulator, cos, bucket):
    response = signed_request(emulator, cos, "PUT", bucket, "k", headers={"x-cos-forbid-overwrite": "true"}, data=b"x")
    assert response.status_code == 400 and "<Code>InvalidArgument</Code>" in response.text
    assert error_of(cos.head_object, Bucket=bucket, Key="k").get_status_code() == 404


def test_an_unimplemented_sub_resource_is_refused_not_taken_for_another_request(emulator, cos, bucket):
    """DELETE ?domain (custom domains, not emulated) is no DELETE Bucket."""
    response = signed_request(emulator, cos, "DELETE", bucket, params={"domain": ""})
    assert response.status_code == 501 and "<Code>NotImplemented</Code>" in response.text
    assert cos.head_bucket(Bucket=bucket) is not None


def test_batch_delete(cos, bucket):
    for key in ("a", "b", "c"):
        cos.put_object(Bucket=bucket, Key=key, Body=key.encode())
    result = cos.delete_objects(
        Bucket=bucket, Delete={"Quiet": "false", "Object": [{"Key": "a"}, {"Key": "b"}, {"Key": "missing"}]}
    )
    assert sorted(entry["Key"] for entry in result["Deleted"]) == ["a", "b", "missing"]
    assert [entry["Key"] for entry in cos.list_objects(Bucket=bucket)["Contents"]] == ["c"]


def test_listing_with_prefix_delimiter_marker_and_max_keys(cos, bucket):
    keys = ["docker/a", "docker/b/1", "docker/b/2", "docker/c", "other"]
    for key in keys:
        cos.put_object(Bucket=bucket, Key=key, Body=b"")
    page = cos.list_objects(Bucket=bucket, Prefix="docker/", Delimiter="/", MaxKeys=1)
    assert [c["Key"] for c in page["Contents"]] == ["docker/a"]
    assert page["IsTruncated"] == "true"
    rest = cos.list_objects(Bucket=bucket, Prefix="docker/", Delimiter="/", Marker=page["NextMarker"])
    assert [c["Key"] for c in rest["Contents"]] == ["docker/c"]
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["docker/b/"]


def test_listing_url_encodes_keys_when_asked(cos, bucket):
    cos.put_object(Bucket=bucket, Key="100% sure", Body=b"")
    assert [c["Key"] for c in cos.list_objects(Bucket=bucket, EncodingType="url")["Contents"]] == ["100%25%20sure"]
    assert [c["Key"] for c in cos.list_objects(Bucket=bucket)["Contents"]] == ["100% sure"]  # the SDK decodes


def test_multipart_upload_with_part_copy_list_and_complete(cos, bucket):
    """Each part's CRC-64 on Upload Part and Upload Part - Copy, the object's on completion (product 436/40334)."""
    source = os.urandom(PART + 1000)
    cos.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    first = os.urandom(PART)
    part = cos.upload_part(Bucket=bucket, Key="big", Body=first, PartNumber=1, UploadId=upload_id)
    copied = cos.upload_part_copy(
        Bucket=bucket,
        Key="big",
        PartNumber=2,
        UploadId=upload_id,
        CopySource={"Bucket": bucket, "Key": "source", "Region": "ap-guangzhou"},
        CopySourceRange="bytes=0-999",
    )
    assert (part["x-cos-hash-crc64ecma"], copied["x-cos-hash-crc64ecma"]) == (
        str(crc64(first)),
        str(crc64(source[:1000])),
    )
    uploads = cos.list_multipart_uploads(Bucket=bucket)["Upload"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("big", upload_id)]
    parts = cos.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)["Part"]
    assert [p["PartNumber"] for p in parts] == ["1", "2"]
    done = cos.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload_id,
        MultipartUpload={"Part": [{"PartNumber": 1, "ETag": part["ETag"]}, {"PartNumber": 2, "ETag": copied["ETag"]}]},
    )
    assert done["x-cos-hash-crc64ecma"] == str(crc64(first + source[:1000]))
    assert body_of(cos.get_object(Bucket=bucket, Key="big")) == first + source[:1000]
    assert "Upload" not in cos.list_multipart_uploads(Bucket=bucket)


def test_ranges_of_a_multipart_object_cross_part_boundaries(cos, bucket):
    parts = [os.urandom(PART), os.urandom(PART), os.urandom(100)]
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key="joined")["UploadId"]
    etags = [
        cos.upload_part(Bucket=bucket, Key="joined", Body=data, PartNumber=n, UploadId=upload_id)["ETag"]
        for n, data in enumerate(parts, start=1)
    ]
    cos.complete_multipart_upload(
        Bucket=bucket,
        Key="joined",
        UploadId=upload_id,
        MultipartUpload={"Part": [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, start=1)]},
    )
    whole = b"".join(parts)
    for span, expected in (
        (f"bytes={PART - 10}-{PART + 9}", whole[PART - 10 : PART + 10]),
        ("bytes=-150", whole[-150:]),
        (f"bytes={2 * PART - 1}-", whole[2 * PART - 1 :]),
    ):
        assert body_of(cos.get_object(Bucket=bucket, Key="joined", Range=span)) == expected
    assert body_of(cos.get_object(Bucket=bucket, Key="joined")) == whole


def test_objects_carry_their_crc64(cos, bucket):
    """product 436/40334: PUT, PUT - Copy, HEAD and GET Object answer x-cos-hash-crc64ecma, a range GET the whole
    object's."""
    data = os.urandom(3000)
    put = cos.put_object(Bucket=bucket, Key="k", Body=data)
    copied = cos.copy_object(
        Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k", "Region": "ap-guangzhou"}
    )
    head = cos.head_object(Bucket=bucket, Key="copy")
    ranged = cos.get_object(Bucket=bucket, Key="k", Range="bytes=0-9")
    values = {
        put["x-cos-hash-crc64ecma"],
        copied["x-cos-hash-crc64ecma"],
        head["x-cos-hash-crc64ecma"],
        ranged["x-cos-hash-crc64ecma"],
    }
    assert values == {str(crc64(data))}


def test_sdk_download_checks_the_crc64(cos, bucket, tmp_path):
    """download_file(EnableCRC=True) compares the file it wrote with HEAD's x-cos-hash-crc64ecma (parts of 1 MB)."""
    data = os.urandom(2 * 1024 * 1024 + 7)
    cos.put_object(Bucket=bucket, Key="layer", Body=data)
    cos.download_file(Bucket=bucket, Key="layer", DestFilePath=str(tmp_path / "layer"), PartSize=1, EnableCRC=True)
    assert (tmp_path / "layer").read_bytes() == data


def test_archived_objects_cannot_be_read(cos, bucket):
    cos.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="ARCHIVE")
    error = error_of(cos.get_object, Bucket=bucket, Key="cold")
    assert (error.get_status_code(), error.get_error_code()) == (403, "InvalidObjectState")


def test_multipart_abort(cos, bucket):
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
    cos.upload_part(Bucket=bucket, Key="gone", Body=b"x" * 10, PartNumber=1, UploadId=upload_id)
    cos.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=upload_id)
    assert "Upload" not in cos.list_multipart_uploads(Bucket=bucket)
    assert error_of(cos.list_parts, Bucket=bucket, Key="gone", UploadId=upload_id).get_error_code() == "NoSuchUpload"


def test_sdk_upload_file_splits_into_parts(cos, bucket, tmp_path):
    path = tmp_path / "layer"
    path.write_bytes(os.urandom(3 * PART))
    cos.upload_file(Bucket=bucket, Key="layer", LocalFilePath=str(path), PartSize=5, MAXThread=3)
    head = cos.head_object(Bucket=bucket, Key="layer")
    assert head["ETag"].strip('"').endswith("-3")
    assert body_of(cos.get_object(Bucket=bucket, Key="layer")) == path.read_bytes()


def test_copy_object_copies_the_body(cos, bucket):
    cos.put_object(Bucket=bucket, Key="original", Body=b"payload", Metadata={"x-cos-meta-a": "1"})
    cos.copy_object(
        Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "original", "Region": "ap-guangzhou"}
    )
    copy = cos.get_object(Bucket=bucket, Key="copy")
    assert body_of(copy) == b"payload" and copy["x-cos-meta-a"] == "1"
    cos.copy_object(
        Bucket=bucket,
        Key="copy",
        CopySource={"Bucket": bucket, "Key": "original", "Region": "ap-guangzhou"},
        CopyStatus="Replaced",
        Metadata={"x-cos-meta-b": "2"},
    )
    head = cos.head_object(Bucket=bucket, Key="copy")
    assert head["x-cos-meta-b"] == "2" and "x-cos-meta-a" not in head


def test_copy_source_is_found_only_in_its_region(cos, bucket):
    cos.put_object(Bucket=bucket, Key="original", Body=b"payload")
    elsewhere = {"Bucket": bucket, "Key": "original", "Region": "ap-shanghai"}
    error = error_of(cos.copy_object, Bucket=bucket, Key="copy", CopySource=elsewhere)
    assert (error.get_status_code(), error.get_error_code()) == (404, "NoSuchBucket")


def test_bucket_and_object_acl(cos, bucket):
    cos.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = cos.get_bucket_acl(Bucket=bucket)["AccessControlList"]["Grant"]
    assert any(grant["Permission"] == "READ" for grant in grants)
    cos.put_object(Bucket=bucket, Key="k", Body=b"x")
    cos.put_object_acl(Bucket=bucket, Key="k", ACL="private")
    acl = cos.get_object_acl(Bucket=bucket, Key="k")
    assert acl["Owner"]["ID"] == "qcs::cam::uin/100000000001:uin/100000000001"


def test_versioning_keeps_old_versions(cos, bucket):
    cos.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    assert cos.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    first = cos.put_object(Bucket=bucket, Key="v", Body=b"one")["x-cos-version-id"]
    cos.put_object(Bucket=bucket, Key="v", Body=b"two")
    assert body_of(cos.get_object(Bucket=bucket, Key="v", VersionId=first)) == b"one"
    versions = cos.list_objects_versions(Bucket=bucket)["Version"]
    assert len(versions) == 2


def test_bucket_and_object_tagging(cos, bucket):
    tags = {"TagSet": {"Tag": [{"Key": "team", "Value": "ops"}]}}
    cos.put_bucket_tagging(Bucket=bucket, Tagging=tags)
    assert cos.get_bucket_tagging(Bucket=bucket)["TagSet"]["Tag"] == [{"Key": "team", "Value": "ops"}]
    cos.delete_bucket_tagging(Bucket=bucket)
    cos.put_object(Bucket=bucket, Key="k", Body=b"x")
    cos.put_object_tagging(Bucket=bucket, Key="k", Tagging=tags)
    assert cos.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]["Tag"] == [{"Key": "team", "Value": "ops"}]
    cos.delete_object_tagging(Bucket=bucket, Key="k")


def test_cors(cos, bucket):
    rule = {"AllowedOrigin": ["https://ops.example"], "AllowedMethod": ["GET", "HEAD"], "MaxAgeSeconds": "600"}
    cos.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRule": [rule]})
    got = cos.get_bucket_cors(Bucket=bucket)["CORSRule"][0]
    assert got["AllowedOrigin"] == ["https://ops.example"] and got["AllowedMethod"] == ["GET", "HEAD"]
    cos.delete_bucket_cors(Bucket=bucket)
    assert error_of(cos.get_bucket_cors, Bucket=bucket).get_status_code() == 404


def test_lifecycle_with_cos_storage_classes(cos, bucket):
    rule = {
        "ID": "registry-uploads",
        "Filter": {"Prefix": "docker/registry/v2/repositories/"},
        "Status": "Enabled",
        "Transition": [{"Days": 90, "StorageClass": "ARCHIVE"}],
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }
    cos.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rule": [rule]})
    got = cos.get_bucket_lifecycle(Bucket=bucket)["Rule"][0]
    assert got["Transition"][0]["StorageClass"] == "ARCHIVE"
    assert got["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == "7"
    cos.delete_bucket_lifecycle(Bucket=bucket)
    assert error_of(cos.get_bucket_lifecycle, Bucket=bucket).get_status_code() == 404


def test_bucket_policy(cos, bucket):
    policy = {
        "version": "2.0",
        "Statement": [
            {
                "Principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
                "Effect": "allow",
                "Action": ["name/cos:GetObject"],
                "Resource": [f"qcs::cos:ap-guangzhou:uid/1250000000:{bucket}/*"],
            }
        ],
    }
    cos.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert cos.get_bucket_policy(Bucket=bucket)["Policy"] == json.dumps(policy)
    cos.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert body_of(cos.get_object(Bucket=bucket, Key="k")) == b"x"
    cos.delete_bucket_policy(Bucket=bucket)
    assert error_of(cos.get_bucket_policy, Bucket=bucket).get_status_code() == 404


def test_bucket_encryption(cos, bucket):
    config = {"Rule": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    cos.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=config)
    got = cos.get_bucket_encryption(Bucket=bucket)
    assert got["Rule"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    cos.delete_bucket_encryption(Bucket=bucket)


def presigned(emulator, root, bucket: str, key: str, method: str, expired: int) -> tuple[str, dict]:
    """A URL the SDK presigned for the bucket host, and the request that reaches the emulator with it."""
    signer = clients.cos_client(emulator.url, *root)
    signer._conf._ip = None  # presign for the real host name, as a user handing out the URL would
    url = signer.get_presigned_url(Bucket=bucket, Key=key, Method=method, Expired=expired)
    host = f"{bucket}.cos.ap-guangzhou.myqcloud.com"
    return url.replace(f"http://{host}", emulator.url), {"Host": host}


def test_presigned_get_and_head(emulator, root, cos, bucket):
    cos.put_object(Bucket=bucket, Key="shared/blob", Body=b"presigned body")
    url, headers = presigned(emulator, root, bucket, "shared/blob", "GET", 300)
    assert requests.get(url, headers=headers, timeout=30).content == b"presigned body"
    url, headers = presigned(emulator, root, bucket, "shared/blob", "HEAD", 300)
    assert requests.head(url, headers=headers, timeout=30).headers["Content-Length"] == str(len(b"presigned body"))


def test_expired_signature_is_refused(emulator, root, cos, bucket):
    cos.put_object(Bucket=bucket, Key="k", Body=b"x")
    url, headers = presigned(emulator, root, bucket, "k", "GET", -30)
    response = requests.get(url, headers=headers, timeout=30)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text and "Request has expired" in response.text


def test_unknown_key_is_refused(emulator, bucket):
    stranger = clients.cos_client(emulator.url, "AKIDUNKNOWN0000000000000000000000000", "whatever")
    error = error_of(stranger.head_bucket, Bucket=bucket)
    assert error.get_status_code() == 403
    error = error_of(stranger.list_objects, Bucket=bucket)
    assert (error.get_status_code(), error.get_error_code()) == (403, "InvalidAccessKeyId")


def test_wrong_secret_is_refused(emulator, root, bucket):
    forger = clients.cos_client(emulator.url, root[0], "not-the-secret-key")
    error = error_of(forger.list_objects, Bucket=bucket)
    assert (error.get_status_code(), error.get_error_code()) == (403, "SignatureDoesNotMatch")


def test_tampered_request_is_refused(emulator, cos, bucket):
    authorization = cos.get_auth(Method="PUT", Bucket=bucket, Key="signed-key")
    response = requests.put(
        f"{emulator.url}/other-key",
        data=b"x",
        headers={"Host": f"{bucket}.cos.ap-guangzhou.myqcloud.com", "Authorization": authorization},
        timeout=30,
    )
    assert response.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_anonymous_request_is_refused(emulator, bucket):
    response = requests.get(f"{emulator.url}/", headers={"Host": f"{bucket}.cos.ap-guangzhou.myqcloud.com"}, timeout=30)
    assert response.status_code == 403 and "<Code>AccessDenied</Code>" in response.text


def test_signature_from_the_future_is_skewed(emulator, root, bucket):
    signer = clients.cos_client(emulator.url, *root)
    start = int(time.time()) + 3600
    authorization = signer.get_auth(Method="GET", Bucket=bucket, Key="k")
    fields = dict(part.split("=", 1) for part in authorization.split("&"))
    fields["q-sign-time"] = fields["q-key-time"] = f"{start};{start + 600}"
    response = requests.get(
        f"{emulator.url}/k",
        headers={
            "Host": f"{bucket}.cos.ap-guangzhou.myqcloud.com",
            "Authorization": "&".join(f"{name}={value}" for name, value in fields.items()),
        },
        timeout=30,
    )
    assert response.status_code == 403 and "<Code>RequestTimeTooSkewed</Code>" in response.text
