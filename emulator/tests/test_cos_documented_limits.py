"""Bodies COS refuses, sent with cos-python-sdk-v5 and boto3: one request per documented rule, with COS's code."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from qcloud_cos.cos_exception import CosServiceError

from emulator import clients
from emulator.cos_limits import MIN_PART_SIZE

GOOD_RULE = {"ID": "expire", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": "7"}}
GOOD_CORS = {"AllowedOrigin": ["*"], "AllowedMethod": ["GET"]}
GOOD_STATEMENT = {
    "Principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000001"]},
    "Effect": "allow",
    "Action": ["name/cos:GetObject"],
    "Resource": ["qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/*"],
}


def rule(**changes) -> dict:
    return dict(GOOD_RULE, **changes)


def tags(*pairs: tuple[str, str]) -> dict:
    return {"TagSet": {"Tag": [{"Key": key, "Value": value} for key, value in pairs]}}


def policy(**changes) -> dict:
    statement = {name: value for name, value in dict(GOOD_STATEMENT, **changes).items() if value is not None}
    return {"version": "2.0", "Statement": [statement]}


# (cos-python-sdk-v5 method, its arguments besides Bucket, COS's code)
REFUSED_CONFIGURATIONS = {
    "lifecycle: 1,001 rules (api 436/8280)": (
        "put_bucket_lifecycle",
        {"LifecycleConfiguration": {"Rule": [rule(ID=f"r{n}") for n in range(1001)]}},
        "InvalidArgument",
    ),
    "lifecycle: rule ID of 256 characters": (
        "put_bucket_lifecycle",
        {"LifecycleConfiguration": {"Rule": [rule(ID="r" * 256)]}},
        "InvalidArgument",
    ),
    "lifecycle: Status neither Enabled nor Disabled": (
        "put_bucket_lifecycle",
        {"LifecycleConfiguration": {"Rule": [rule(Status="On")]}},
        "MalformedXML",
    ),
    "lifecycle: Days and Date in one rule": (
        "put_bucket_lifecycle",
        {
            "LifecycleConfiguration": {
                "Rule": [
                    rule(
                        Transition={"Days": "30", "StorageClass": "STANDARD_IA"},
                        Expiration={"Date": "2030-01-01T00:00:00+08:00"},
                    )
                ]
            }
        },
        "InvalidArgument",
    ),
    "lifecycle: expiration after 0 days": (
        "put_bucket_lifecycle",
        {"LifecycleConfiguration": {"Rule": [rule(Expiration={"Days": "0"})]}},
        "InvalidArgument",
    ),
    "lifecycle: an element the document does not name": (
        "put_bucket_lifecycle",
        {"LifecycleConfiguration": {"Rule": [rule(Priority="1")]}},
        "MalformedXML",
    ),
    "tagging: 51 tags (api 436/8281)": (
        "put_bucket_tagging",
        {"Tagging": tags(*[(f"k{n}", "v") for n in range(51)])},
        "InvalidArgument",
    ),
    "tagging: one key twice": ("put_bucket_tagging", {"Tagging": tags(("env", "a"), ("env", "b"))}, "InvalidArgument"),
    "tagging: key of 128 characters (product 436/31509)": (
        "put_bucket_tagging",
        {"Tagging": tags(("k" * 128, "v"))},
        "InvalidArgument",
    ),
    "tagging: key with a character outside the set": (
        "put_bucket_tagging",
        {"Tagging": tags(("team#1", "v"))},
        "InvalidArgument",
    ),
    "tagging: key starting with qcs:": ("put_bucket_tagging", {"Tagging": tags(("qcs:env", "v"))}, "InvalidArgument"),
    "tagging: key starting with project": (
        "put_bucket_tagging",
        {"Tagging": tags(("project-id", "v"))},
        "InvalidArgument",
    ),
    "tagging: value of 256 characters": ("put_bucket_tagging", {"Tagging": tags(("k", "v" * 256))}, "InvalidArgument"),
    "tagging: empty value": ("put_bucket_tagging", {"Tagging": tags(("k", ""))}, "InvalidArgument"),
    "cors: 101 rules (api 436/8279)": (
        "put_bucket_cors",
        {"CORSConfiguration": {"CORSRule": [GOOD_CORS] * 101}},
        "InvalidArgument",
    ),
    "cors: method outside the documented set": (
        "put_bucket_cors",
        {"CORSConfiguration": {"CORSRule": [dict(GOOD_CORS, AllowedMethod=["PATCH"])]}},
        "InvalidArgument",
    ),
    "cors: rule without AllowedOrigin": (
        "put_bucket_cors",
        {"CORSConfiguration": {"CORSRule": [{"AllowedMethod": ["GET"]}]}},
        "MalformedXML",
    ),
    "encryption: algorithm outside AES256, KMS, SM4 (api 436/40136)": (
        "put_bucket_encryption",
        {
            "ServerSideEncryptionConfiguration": {
                "Rule": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "DES"}}]
            }
        },
        "MalformedXML",
    ),
    "policy: not JSON (api 436/8282)": ("put_bucket_policy", {"Policy": "{statement"}, "InvalidArgument"),
    "policy: statement without resource": ("put_bucket_policy", {"Policy": policy(Resource=None)}, "InvalidArgument"),
    "policy: effect neither allow nor deny": (
        "put_bucket_policy",
        {"Policy": policy(Effect="permit")},
        "InvalidArgument",
    ),
}


def cos_error(call, *args, **kwargs) -> CosServiceError:
    with pytest.raises(CosServiceError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize("method, arguments, code", REFUSED_CONFIGURATIONS.values(), ids=list(REFUSED_CONFIGURATIONS))
def test_configuration_outside_the_documents_is_refused(cos, bucket, method, arguments, code):
    error = cos_error(getattr(cos, method), Bucket=bucket, **arguments)
    assert (error.get_status_code(), error.get_error_code()) == (400, code)


def test_configurations_within_the_documents_are_kept(cos, bucket):
    cos.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rule": [rule(ID="r" * 255)]})
    cos.put_bucket_tagging(Bucket=bucket, Tagging=tags(*[(f"team:{n}/a-b_c.d=e+f g@运维", "v" * 255) for n in range(50)]))
    cos.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRule": [GOOD_CORS] * 100})
    cos.put_bucket_policy(Bucket=bucket, Policy=policy())
    assert len(cos.get_bucket_tagging(Bucket=bucket)["TagSet"]["Tag"]) == 50


def test_batch_delete_of_1001_keys_is_refused(cos, bucket):
    objects = {"Object": [{"Key": f"k{n}"} for n in range(1001)], "Quiet": "true"}
    error = cos_error(cos.delete_objects, Bucket=bucket, Delete=objects)
    assert (error.get_status_code(), error.get_error_code()) == (400, "MalformedXML")


def test_batch_delete_of_1000_keys_is_accepted(cos, bucket):
    cos.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": f"k{n}"} for n in range(1000)], "Quiet": "true"})


@pytest.mark.parametrize("number", [0, 10001])
def test_part_number_outside_1_to_10000_is_refused(cos, bucket, number):
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    error = cos_error(cos.upload_part, Bucket=bucket, Key="big", Body=b"x", PartNumber=number, UploadId=upload_id)
    assert (error.get_status_code(), error.get_error_code()) == (400, "InvalidArgument")


def upload_parts(cos, bucket: str, sizes: dict[int, int]) -> tuple[str, list[dict]]:
    upload_id = cos.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    parts = [
        {
            "PartNumber": number,
            "ETag": cos.upload_part(Bucket=bucket, Key="big", Body=b"x" * size, PartNumber=number, UploadId=upload_id)[
                "ETag"
            ],
        }
        for number, size in sizes.items()
    ]
    return upload_id, parts


def complete(cos, bucket: str, upload_id: str, parts: list[dict]):
    return cos.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={"Part": parts})


def test_parts_of_1_mib_complete_as_cos_allows(cos, bucket):
    upload_id, parts = upload_parts(cos, bucket, {1: MIN_PART_SIZE, 2: MIN_PART_SIZE, 3: 1})
    complete(cos, bucket, upload_id, parts)
    assert cos.head_object(Bucket=bucket, Key="big")["Content-Length"] == str(2 * MIN_PART_SIZE + 1)


@pytest.mark.parametrize(
    "sizes, order, code",
    [
        ({1: MIN_PART_SIZE - 1, 2: 1}, [1, 2], "EntityTooSmall"),
        ({1: MIN_PART_SIZE, 3: 1}, [1, 3], "InvalidPart"),
        ({1: MIN_PART_SIZE, 2: 1}, [2, 1], "InvalidPartOrder"),
    ],
    ids=["part under 1 MiB before the last", "part numbers with a gap", "parts in descending order"],
)
def test_completion_outside_the_documents_is_refused(cos, bucket, sizes, order, code):
    upload_id, parts = upload_parts(cos, bucket, sizes)
    by_number = {part["PartNumber"]: part for part in parts}
    error = cos_error(complete, cos, bucket, upload_id, [by_number[number] for number in order])
    assert (error.get_status_code(), error.get_error_code()) == (400, code)


@pytest.fixture
def s3(emulator, root):
    return clients.s3_client(emulator.url, *root)


def test_s3_face_refuses_a_batch_delete_of_1001_keys(s3, bucket):
    with pytest.raises(ClientError) as caught:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{n}"} for n in range(1001)]})
    assert caught.value.response["Error"]["Code"] == "MalformedXML"


def test_s3_face_refuses_a_lifecycle_rule_with_days_and_date(s3, bucket):
    lifecycle = {
        "Rules": [
            {
                "ID": "both",
                "Filter": {"Prefix": ""},
                "Status": "Enabled",
                "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
                "Expiration": {"Date": "2030-01-01T00:00:00Z"},
            }
        ]
    }
    with pytest.raises(ClientError) as caught:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=lifecycle)
    assert caught.value.response["Error"]["Code"] == "InvalidArgument"


def test_s3_face_refuses_a_versioning_status_outside_the_documents(s3, bucket):
    # api 436/19889; cos-python-sdk-v5 refuses such a status before sending it.
    with pytest.raises(ClientError) as caught:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "On"})
    assert caught.value.response["Error"]["Code"] == "MalformedXML"


def test_s3_face_completes_parts_of_1_mib(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    parts = [
        {
            "PartNumber": number,
            "ETag": s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=number, Body=body)["ETag"],
        }
        for number, body in ((1, b"a" * MIN_PART_SIZE), (2, b"b"))
    ]
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert s3.head_object(Bucket=bucket, Key="big")["ContentLength"] == MIN_PART_SIZE + 1


def test_multipart_uploads_are_listed_a_page_at_a_time(cos, bucket):
    """api 436/7736: at most max-uploads a page, by key; NextKeyMarker and NextUploadIdMarker go on from there."""
    started = [
        (key, cos.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]) for key in ("b", "a", "c", "a", "d")
    ]
    pages, markers = [], {"KeyMarker": "", "UploadIdMarker": ""}
    while True:
        page = cos.list_multipart_uploads(Bucket=bucket, MaxUploads=2, **markers)
        pages.append([(upload["Key"], upload["UploadId"]) for upload in page.get("Upload", [])])
        if page["IsTruncated"] != "true":
            break
        markers = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
    assert [len(listed) for listed in pages] == [2, 2, 1]
    assert sum(pages, []) == sorted(started, key=lambda upload: upload[0])


def test_multipart_uploads_beyond_1000_are_on_the_next_page(emulator, cos, bucket):
    emulator.engine.start_uploads(bucket, [f"k{number:04}" for number in range(1001)])
    page = cos.list_multipart_uploads(Bucket=bucket)
    assert (len(page["Upload"]), page["IsTruncated"], page["NextKeyMarker"]) == (1000, "true", "k0999")
