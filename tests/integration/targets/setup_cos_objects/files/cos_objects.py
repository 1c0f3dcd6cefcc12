"""Object writes the modules do not make, for integration tests: put and delete objects, start multipart uploads.

python cos_objects.py BUCKET put KEY... | delete KEY... | upload KEY...
Credentials, region and endpoint come from TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_REGION and
TENCENTCLOUD_COS_ENDPOINT (an http URL whose host is an IP address, as the emulator gives).
"""

from __future__ import annotations

import argparse

from emulator.clients import cos_client_from_environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bucket")
    parser.add_argument("action", choices=["put", "delete", "upload"])
    parser.add_argument("keys", nargs="+")
    args = parser.parse_args()
    cos = cos_client_from_environment()
    for key in args.keys:
        if args.action == "put":
            cos.put_object(Bucket=args.bucket, Key=key, Body=f"content of {key}".encode())
        elif args.action == "delete":
            cos.delete_object(Bucket=args.bucket, Key=key)
        else:
            cos.create_multipart_upload(Bucket=args.bucket, Key=key)


if __name__ == "__main__":
    main()
