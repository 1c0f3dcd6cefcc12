"""The command line: one ready line with the URL; with --tls, HTTPS under a generated CA that real clients trust."""

from __future__ import annotations

import os

import pytest
import requests
from botocore.exceptions import ClientError

from emulator import clients
from emulator.iam import DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY

BUCKET = "secure-1250000000"
MIB = 1024 * 1024


def test_ready_line_names_an_https_url_and_the_ca_file(tls_emulator):
    url, ca_file = tls_emulator
    assert url.startswith("https://127.0.0.1:")
    assert "BEGIN CERTIFICATE" in open(ca_file).read()
    assert requests.get(f"{url}/_emulator/health", verify=ca_file, timeout=30).json() == {"status": "ok"}


def test_clients_that_do_not_trust_the_ca_refuse_it(tls_emulator):
    url, ca_file = tls_emulator
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{url}/_emulator/health", verify=True, timeout=30)


def test_cos_sdk_over_https(tls_emulator):
    url, ca_file = tls_emulator
    cos = clients.cos_client(url, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY, VerifySSL=ca_file)
    cos.create_bucket(Bucket=BUCKET)
    cos.put_object(Bucket=BUCKET, Key="over-tls", Body=b"secret bytes")
    assert cos.get_object(Bucket=BUCKET, Key="over-tls")["Body"].get_raw_stream().read() == b"secret bytes"


def test_boto3_over_https_sends_unsigned_and_streaming_payloads(tls_emulator):
    """Over HTTPS botocore signs UNSIGNED-PAYLOAD and sends checksummed aws-chunked bodies."""
    url, ca_file = tls_emulator
    s3 = clients.s3_client(url, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY, verify=ca_file)
    s3.create_bucket(Bucket="tls-s3-1250000000", CreateBucketConfiguration={"LocationConstraint": "ap-guangzhou"})
    data = os.urandom(MIB)
    s3.put_object(Bucket="tls-s3-1250000000", Key="blob", Body=data, ChecksumAlgorithm="CRC32")
    got = s3.get_object(Bucket="tls-s3-1250000000", Key="blob", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    with pytest.raises(ClientError):
        s3.head_object(Bucket="tls-s3-1250000000", Key="missing")
