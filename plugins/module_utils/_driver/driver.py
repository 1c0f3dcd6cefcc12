# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The COS storage driver: distribution's StorageDriver semantics over COS, in plain Python (no Ansible).

It behaves as the registry's cos storage driver does with the same `storage: cos:` settings, so a check run through it
proves what the registry will meet: keys under the root directory, multipart uploads in chunksize parts, presigned
URLs, listings that may lag behind writes.
"""

from __future__ import annotations

import io
import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import delete_objects, object_pages, objects
from ansible_collections.cosops.registry.plugins.module_utils._driver.config import DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._driver.multipart import MultipartUploads
from ansible_collections.cosops.registry.plugins.module_utils._driver.writer import FileWriter
from ansible_collections.cosops.registry.plugins.module_utils._rules.shapes import as_list
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_paths import (
    DRIVER_NAME,
    FileInfo,
    InvalidOffsetError,
    InvalidPathError,
    KeyMapper,
    PathNotFoundError,
    SkipDir,
    StopWalk,
    StorageDriverError,
    directory_diff,
    is_subpath,
    validate_path,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_settings import MIB
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import (
    CosApi,
    cos_endpoint_settings,
    is_not_found,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

__all__ = [
    "CosDriver",
    "DriverConfig",
    "FileInfo",
    "FileWriter",
    "InvalidOffsetError",
    "InvalidPathError",
    "PathNotFoundError",
    "SkipDir",
    "StopWalk",
    "StorageDriverError",
]

DEFAULT_URL_EXPIRY = timedelta(minutes=20)
# Above this size a move copies in parts, several at once, instead of one PUT Object - Copy.
MULTIPART_COPY_THRESHOLD = 32 * MIB
MULTIPART_COPY_PART = 32 * MIB
APPEND_LISTING_GRACE = (0, 0.5, 1, 2)
READ_CHUNK = MIB


class ObjectReader(io.RawIOBase):
    """A streamed GET body as a binary file object."""

    def __init__(self, stream):
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        chunks = []
        while True:
            chunk = self._stream.read(READ_CHUNK)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


class CosDriver:
    """upload_headers: SDK arguments sent with every write (PUT Object, PUT Object - Copy, Initiate Multipart Upload),
    such as the ACL and storage class another driver (the registry's s3 driver) sends there."""

    def __init__(self, config: DriverConfig, api: CosApi | None = None, upload_headers: dict | None = None):
        self.config = config
        self.api = api or CosApi(config.connection(), config.region, pool_size=config.maxconcurrency + 1)
        self.bucket = config.bucket
        self.keys = KeyMapper(config.rootdirectory)
        self.upload_headers = upload_headers or {}
        self.uploads = MultipartUploads(self.api, self.bucket, self.upload_headers)

    @staticmethod
    def name() -> str:
        return DRIVER_NAME

    def get_content(self, path: str) -> bytes:
        with self.reader(path) as reader:
            return reader.read()

    def put_content(self, path: str, data: bytes) -> None:
        self.put_key(self.keys.key(validate_path(path)), bytes(data))

    def reader(self, path: str, offset: int = 0):
        validate_path(path)
        if offset < 0:
            raise InvalidOffsetError(path, offset)
        try:
            response = self.api.call(
                "get_object", Bucket=self.bucket, Key=self.keys.key(path), Range=f"bytes={offset}-"
            )
        except TencentCloudError as error:
            if error.code == "InvalidRange":
                return io.BytesIO(b"")
            raise _not_found_as(error, path) from None
        return io.BufferedReader(ObjectReader(response["Body"].get_raw_stream()), buffer_size=READ_CHUNK)

    def writer(self, path: str, append: bool = False) -> FileWriter:
        """A writer for path; with append, it continues this path's uncommitted upload (or an empty object)."""
        key = self.keys.key(validate_path(path))
        if not append:
            return FileWriter(self, path, key)
        failure = None
        # A listing may not show an upload yet; look again for a few seconds before calling it missing.
        for delay in APPEND_LISTING_GRACE:
            time.sleep(delay)
            upload_id = self.uploads.latest_upload(key)
            if upload_id is not None:
                return FileWriter(self, path, key, upload_id, self.uploads.list_parts(key, upload_id))
            try:
                size = self._head(path)["size"]
            except PathNotFoundError as missing:
                failure = missing
                continue
            if not size:
                return FileWriter(self, path, key)
            failure = StorageDriverError(
                f"cannot append to {path}: it is a committed object of {size} bytes, and COS objects cannot be"
                " appended to",
                path,
            )
        raise failure

    def stat(self, path: str) -> FileInfo:
        validate_path(path, allow_root=True)
        if path != "/":
            try:
                head = self._head(path)
                return FileInfo(path, head["size"], head["mod_time"], False)
            except PathNotFoundError:
                pass
        page = self.api.call("list_objects", Bucket=self.bucket, Prefix=self.keys.directory_prefix(path), MaxKeys=1)
        if page.get("Contents") or page.get("CommonPrefixes"):
            return FileInfo(path, 0, None, True)
        raise PathNotFoundError(path)

    def list(self, path: str) -> list[str]:
        """Absolute paths of the direct children of a directory."""
        validate_path(path, allow_root=True)
        prefix = self.keys.directory_prefix(path)
        children = []
        for page in object_pages(self.api, self.bucket, prefix, delimiter="/"):
            children.extend(
                self.keys.path(item["Key"]) for item in as_list(page.get("Contents")) if not item["Key"].endswith("/")
            )
            children.extend(self.keys.path(item["Prefix"].rstrip("/")) for item in as_list(page.get("CommonPrefixes")))
        if not children and path != "/":
            raise PathNotFoundError(path)
        return children

    def move(self, source: str, destination: str) -> None:
        """Server-side copy, then delete of the source; a missing source leaves the destination untouched."""
        validate_path(source)
        validate_path(destination)
        size = self._head(source)["size"]
        source_key, destination_key = self.keys.key(source), self.keys.key(destination)
        if size <= MULTIPART_COPY_THRESHOLD:
            self.api.call(
                "copy_object",
                Bucket=self.bucket,
                Key=destination_key,
                CopySource=self.uploads.copy_source(source_key),
                **self.upload_headers,
            )
        else:
            self._multipart_copy(source_key, destination_key, size)
        self.delete_key(source_key)

    def delete(self, path: str) -> None:
        """Delete a file or a whole directory; '/a' never touches '/ab'."""
        validate_path(path)
        key = self.keys.key(path)
        # The exact key is asked for directly: a listing may not show an object written a moment ago.
        exact = [{"Key": key}] if self._exists(key) else []
        below = ({"Key": item["Key"]} for item in objects(self.api, self.bucket, key + "/"))
        if not delete_objects(self.api, self.bucket, itertools.chain(exact, below)):
            raise PathNotFoundError(path)

    def url_for(self, path: str, method: str = "GET", expiry=None) -> str:
        """A presigned URL that fetches (GET) or inspects (HEAD) the object without credentials."""
        validate_path(path)
        if method not in ("GET", "HEAD"):
            raise StorageDriverError(f"presigned URLs are offered for GET and HEAD, not {method}", path)
        headers = {}
        if "IP" in cos_endpoint_settings(self.config.endpoint_url(), self.config.region):
            # The URL points at an address; the signature still names the bucket's virtual host.
            headers["Host"] = self.virtual_host()
        return self.api.presigned_url(self.bucket, self.keys.key(path), method, _seconds(expiry), headers)

    def virtual_host(self) -> str:
        return self.api.virtual_host(self.bucket)

    def walk(self, path: str, fn, start_after: str | None = None) -> None:
        """Call fn(FileInfo) for every directory and file under path, in key order, from one flat listing.

        Directories are derived from the keys, so a walk costs about one request per 1000 objects, however deep the
        tree. fn may raise SkipDir on a directory to skip its contents, or StopWalk to end the walk.
        """
        validate_path(path, allow_root=True)
        skipped = ""
        try:
            for info in self._walk_entries(path, start_after):
                if is_subpath(info.path, skipped):
                    continue
                try:
                    fn(info)
                except SkipDir:
                    skipped = info.path
        except StopWalk:
            return

    def _walk_entries(self, path: str, start_after: str | None):
        previous_dir = path
        marker = self.keys.key(start_after) if start_after else ""
        for page in object_pages(self.api, self.bucket, self.keys.directory_prefix(path), marker=marker):
            for item in as_list(page.get("Contents")):
                file_path = self.keys.path(item["Key"])
                for directory in directory_diff(previous_dir, file_path):
                    yield FileInfo(directory, 0, None, True)
                    previous_dir = directory
                # A key ending in '/' marks an empty directory, which directory_diff has just yielded.
                if not file_path.endswith("/"):
                    yield FileInfo(file_path, int(item["Size"]), _iso_time(item["LastModified"]), False)

    # Whole-object helpers, shared with the writer.

    def put_key(self, key: str, body: bytes) -> None:
        self.api.call("put_object", Bucket=self.bucket, Key=key, Body=body, **self.upload_headers)

    def get_range(self, key: str, offset: int) -> bytes:
        try:
            response = self.api.call("get_object", Bucket=self.bucket, Key=key, Range=f"bytes={offset}-")
        except TencentCloudError as error:
            if error.code == "InvalidRange":
                return b""
            raise
        return response["Body"].get_raw_stream().read()

    def delete_key(self, key: str) -> None:
        self.api.call("delete_object", Bucket=self.bucket, Key=key)

    def _head(self, path: str) -> dict:
        try:
            response = self.api.call("head_object", Bucket=self.bucket, Key=self.keys.key(path))
        except TencentCloudError as error:
            raise _not_found_as(error, path) from None
        headers = {name.lower(): value for name, value in response.items()}
        return {"size": int(headers["content-length"]), "mod_time": parsedate_to_datetime(headers["last-modified"])}

    def _exists(self, key: str) -> bool:
        try:
            self.api.call("head_object", Bucket=self.bucket, Key=key)
        except TencentCloudError as error:
            if is_not_found(error):
                return False
            raise
        return True

    def _multipart_copy(self, source_key: str, destination_key: str, size: int) -> None:
        upload_id = self.uploads.create(destination_key)
        ranges = list(enumerate(range(0, size, MULTIPART_COPY_PART), start=1))
        try:
            with ThreadPoolExecutor(max_workers=self.config.maxconcurrency, thread_name_prefix="cos-copy") as pool:
                parts = list(
                    pool.map(
                        lambda item: self.uploads.copy_part(
                            destination_key,
                            upload_id,
                            item[0],
                            source_key,
                            item[1],
                            min(item[1] + MULTIPART_COPY_PART, size) - 1,
                        ),
                        ranges,
                    )
                )
            self.uploads.complete(destination_key, upload_id, parts)
        except BaseException:
            self.uploads.abort(destination_key, upload_id)
            raise


def _not_found_as(error: TencentCloudError, path: str) -> Exception:
    return PathNotFoundError(path) if is_not_found(error) else error


def _iso_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _seconds(expiry) -> int:
    """Expiry as a timedelta or a number of seconds; 20 minutes when unset, as distribution's redirects use."""
    expiry = DEFAULT_URL_EXPIRY if expiry is None else expiry
    return int(expiry.total_seconds()) if isinstance(expiry, timedelta) else int(expiry)
