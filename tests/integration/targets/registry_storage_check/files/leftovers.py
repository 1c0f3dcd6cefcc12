"""Print, as JSON, the objects and the open multipart uploads under a prefix of a bucket.

python leftovers.py BUCKET PREFIX - credentials, region and endpoint from TENCENTCLOUD_SECRET_ID,
TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_REGION and TENCENTCLOUD_COS_ENDPOINT (an http URL whose host is an address).
"""

from __future__ import annotations

import json
import os
import sys
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
    bucket, prefix = sys.argv[1], sys.argv[2]
    cos = client()
    objects = cos.list_objects(Bucket=bucket, Prefix=prefix, MaxKeys=1000).get("Contents", [])
    uploads = cos.list_multipart_uploads(Bucket=bucket, Prefix=prefix, MaxUploads=1000).get("Upload", [])
    print(json.dumps({"objects": [item["Key"] for item in objects], "uploads": [item["Key"] for item in uploads]}))


if __name__ == "__main__":
    main()
