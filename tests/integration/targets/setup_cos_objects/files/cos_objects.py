"""Object writes the modules do not make, for integration tests: put and delete objects, start multipart uploads.

python cos_objects.py BUCKET put KEY... | delete KEY... | upload KEY...
Credentials, region and endpoint come from TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_REGION and
TENCENTCLOUD_COS_ENDPOINT (an http URL whose host is an IP address, as the emulator gives).
"""

from __future__ import annotations

import argparse
import os
from urllib.parse import urlsplit

from qcloud_cos import CosConfig, CosS3Client


def client() -> CosS3Client:
    region = os.environ["TENCENTCLOUD_REGION"]
    endpoint = urlsplit(os.environ["TENCENTCLOUD_COS_ENDPOINT"])
    config = CosConfig(
        Region=region,
        SecretId=os.environ["TENCENTCLOUD_SECRET_ID"],
        SecretKey=os.environ["TENCENTCLOUD_SECRET_KEY"],
        Scheme=endpoint.scheme,
        Endpoint=f"cos.{region}.myqcloud.com",
        IP=endpoint.hostname,
        Port=endpoint.port,
    )
    return CosS3Client(config, retry=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bucket")
    parser.add_argument("action", choices=["put", "delete", "upload"])
    parser.add_argument("keys", nargs="+")
    args = parser.parse_args()
    cos = client()
    for key in args.keys:
        if args.action == "put":
            cos.put_object(Bucket=args.bucket, Key=key, Body=f"content of {key}".encode())
        elif args.action == "delete":
            cos.delete_object(Bucket=args.bucket, Key=key)
        else:
            cos.create_multipart_upload(Bucket=args.bucket, Key=key)


if __name__ == "__main__":
    main()
