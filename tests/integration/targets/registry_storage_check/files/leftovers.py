"""Print, as JSON, the objects and the open multipart uploads under a prefix of a bucket.

python leftovers.py BUCKET PREFIX - credentials, region and endpoint from TENCENTCLOUD_SECRET_ID,
TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_REGION and TENCENTCLOUD_COS_ENDPOINT (an http URL whose host is an address).
"""

from __future__ import annotations

import json
import sys

from emulator.clients import cos_client_from_environment


def main() -> None:
    bucket, prefix = sys.argv[1], sys.argv[2]
    cos = cos_client_from_environment()
    objects = cos.list_objects(Bucket=bucket, Prefix=prefix, MaxKeys=1000).get("Contents", [])
    uploads = cos.list_multipart_uploads(Bucket=bucket, Prefix=prefix, MaxUploads=1000).get("Upload", [])
    print(json.dumps({"objects": [item["Key"] for item in objects], "uploads": [item["Key"] for item in uploads]}))


if __name__ == "__main__":
    main()
