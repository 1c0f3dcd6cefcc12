# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""COS call patterns written once: every page of a listing, and batch deletes that fail with one error.

Each function takes a CosApi, so the client layer's retries and error translation apply to every request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from ansible_collections.cosops.registry.plugins.module_utils._rules.shapes import as_list
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

if TYPE_CHECKING:
    from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import CosApi

# Most entries COS returns in one page of objects, versions, uploads or parts (api 436/7734, 436/7736, 436/7747).
PAGE_SIZE = 1000
# GET Service returns at most this many buckets a page.
SERVICE_PAGE = 2000
# Most keys one DELETE Multiple Objects takes (api 436/8289).
DELETE_BATCH = 1000
# Keys named in the message of a failed batch delete.
SHOWN_KEYS = 5


def is_truncated(page: dict) -> bool:
    return str(page.get("IsTruncated", "false")).lower() == "true"


def _pages(api: CosApi, method: str, next_arguments, **arguments) -> Iterator[dict]:
    """Every page of a listing; next_arguments(page) gives the request arguments that continue after that page."""
    while True:
        page = api.call(method, **arguments)
        yield page
        following = dict(arguments, **next_arguments(page))
        # A truncated page without a marker to go on from would be asked for again and again.
        if not is_truncated(page) or following == arguments:
            return
        arguments = following


def _markers(**fields):
    """next_arguments for a listing whose answer names where to go on: request argument=answer field."""
    return lambda page: {argument: page.get(field) or "" for argument, field in fields.items()}


def _after_objects(page: dict) -> dict:
    # An answer without NextMarker goes on after the last key it listed.
    listed = [item["Key"] for item in as_list(page.get("Contents"))]
    listed += [item["Prefix"] for item in as_list(page.get("CommonPrefixes"))]
    return {"Marker": page.get("NextMarker") or (max(listed) if listed else "")}


def object_pages(api: CosApi, bucket: str, prefix: str = "", delimiter: str = "", marker: str = "") -> Iterator[dict]:
    """Every page of GET Bucket under a prefix, from after `marker`: its Contents and CommonPrefixes."""
    return _pages(
        api,
        "list_objects",
        _after_objects,
        Bucket=bucket,
        Prefix=prefix,
        Delimiter=delimiter,
        Marker=marker,
        MaxKeys=PAGE_SIZE,
    )


def objects(api: CosApi, bucket: str, prefix: str = "") -> Iterator[dict]:
    """The Contents entry (Key, Size, LastModified...) of every current object under a prefix, in key order."""
    for page in object_pages(api, bucket, prefix):
        yield from as_list(page.get("Contents"))


def object_versions(api: CosApi, bucket: str, prefix: str = "") -> Iterator[dict]:
    """Every object version and delete marker in the bucket, or under a prefix (Key, VersionId, IsLatest...)."""
    markers = _markers(KeyMarker="NextKeyMarker", VersionIdMarker="NextVersionIdMarker")
    for page in _pages(api, "list_objects_versions", markers, Bucket=bucket, Prefix=prefix, MaxKeys=PAGE_SIZE):
        yield from as_list(page.get("Version")) + as_list(page.get("DeleteMarker"))


def multipart_uploads(api: CosApi, bucket: str, prefix: str = "") -> Iterator[dict]:
    """Every incomplete multipart upload under a prefix (Key, UploadId...), each key's uploads oldest first."""
    markers = _markers(KeyMarker="NextKeyMarker", UploadIdMarker="NextUploadIdMarker")
    for page in _pages(api, "list_multipart_uploads", markers, Bucket=bucket, Prefix=prefix, MaxUploads=PAGE_SIZE):
        yield from as_list(page.get("Upload"))


def parts(api: CosApi, bucket: str, key: str, upload_id: str) -> Iterator[dict]:
    """Every part uploaded so far to one multipart upload (PartNumber, ETag, Size), in part number order."""
    for page in _pages(
        api,
        "list_parts",
        _markers(PartNumberMarker="NextPartNumberMarker"),
        Bucket=bucket,
        Key=key,
        UploadId=upload_id,
        MaxParts=PAGE_SIZE,
    ):
        yield from as_list(page.get("Part"))


def buckets(api: CosApi, region: str | None = None) -> Iterator[dict]:
    """Every bucket of the account (Name, Location, CreationDate), or of one region."""
    arguments = {"Region": region} if region else {}

    def after(page: dict) -> dict:
        listed = as_list((page.get("Buckets") or {}).get("Bucket"))
        return {"Marker": page.get("NextMarker") or (listed[-1]["Name"] if listed else "")}

    for page in _pages(api, "list_buckets", after, Marker="", MaxKeys=SERVICE_PAGE, **arguments):
        yield from as_list((page.get("Buckets") or {}).get("Bucket"))


def delete_objects(api: CosApi, bucket: str, entries: Iterable[dict]) -> int:
    """Delete objects ({"Key": ...}, with "VersionId" for one version) in batches; returns how many were deleted.

    `entries` may be a generator over a listing: each batch is deleted as soon as it is full. A key COS could not
    delete fails the whole call with one TencentCloudError, whose code is the first key's.
    """
    deleted, batch = 0, []
    for entry in entries:
        batch.append(entry)
        if len(batch) == DELETE_BATCH:
            deleted += _delete_batch(api, bucket, batch)
            batch = []
    if batch:
        deleted += _delete_batch(api, bucket, batch)
    return deleted


def _delete_batch(api: CosApi, bucket: str, batch: list) -> int:
    answer = api.call("delete_objects", Bucket=bucket, Delete={"Object": batch, "Quiet": "true"})
    errors = as_list((answer or {}).get("Error"))
    if errors:
        shown = errors[:SHOWN_KEYS]
        details = "; ".join(f"{item.get('Key')}: {item.get('Code')} {item.get('Message')}" for item in shown)
        message = f"{len(errors)} objects could not be deleted: {details}"
        raise TencentCloudError("DeleteObjects", errors[0].get("Code"), message)
    return len(batch)
