# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""COS multipart upload calls for one bucket, each through the client layer's retries."""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import multipart_uploads, parts
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import CosApi
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError


@dataclass(frozen=True)
class Part:
    number: int
    etag: str
    size: int


class MultipartUploads:
    def __init__(self, api: CosApi, bucket: str, upload_headers: dict | None = None):
        self.api = api
        self.bucket = bucket
        self.upload_headers = upload_headers or {}

    def create(self, key: str) -> str:
        # Initiating twice only leaves an extra empty upload, which abort and lifecycle rules clean up.
        return self.api.call("create_multipart_upload", Bucket=self.bucket, Key=key, **self.upload_headers)["UploadId"]

    def upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> Part:
        response = self.api.call(
            "upload_part", Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        return Part(number, response["ETag"], len(body))

    def copy_part(self, key: str, upload_id: str, number: int, source_key: str, first: int, last: int) -> Part:
        """Part `number` of the upload is bytes first..last (inclusive) of the object at source_key."""
        response = self.api.call(
            "upload_part_copy",
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            CopySource=self.copy_source(source_key),
            CopySourceRange=f"bytes={first}-{last}",
        )
        return Part(number, response["ETag"], last - first + 1)

    def complete(self, key: str, upload_id: str, parts) -> None:
        listed = [
            {"PartNumber": part.number, "ETag": part.etag} for part in sorted(parts, key=lambda part: part.number)
        ]
        # Not idempotent: a repeat after success finds no upload. Retried only when the server surely did nothing.
        self.api.call(
            "complete_multipart_upload",
            idempotent=False,
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Part": listed},
        )

    def abort(self, key: str, upload_id: str) -> None:
        try:
            self.api.call("abort_multipart_upload", Bucket=self.bucket, Key=key, UploadId=upload_id)
        except TencentCloudError as error:
            # A retried abort finds the upload already gone; that is the outcome asked for.
            if error.code != "NoSuchUpload":
                raise

    def latest_upload(self, key: str) -> str | None:
        """The most recently initiated upload of exactly this key (uploads are listed oldest first)."""
        latest = None
        for upload in multipart_uploads(self.api, self.bucket, prefix=key):
            if upload.get("Key") == key:
                latest = upload["UploadId"]
        return latest

    def list_parts(self, key: str, upload_id: str) -> list[Part]:
        return [
            Part(int(item["PartNumber"]), item["ETag"], int(item["Size"]))
            for item in parts(self.api, self.bucket, key, upload_id)
        ]

    def copy_source(self, key: str) -> dict:
        return {"Bucket": self.bucket, "Key": key, "Region": self.api.region}
