#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_storage_check
short_description: Prove that a Docker registry configured with given COS storage settings will work
version_added: 0.1.0
description:
  - Runs, against Tencent Cloud COS, what a registry with the same C(storage.cos) settings will do, and reports each
    check with a specific hint when it fails.
  - Checks that the keys are valid, that the bucket exists in the region, how the bucket may be addressed, that the
    registry's listings (catalog, tags, uploads) are allowed with its exact prefixes, that objects can be written, read
    back, listed and deleted under the root directory, that a multipart upload in parts of O(chunksize) with
    O(maxconcurrency) parts in flight arrives intact (length and sha256, with its speed), that a move commits a blob
    as the registry does (PUT Object - Copy below the 32 MiB multipart-copy threshold, Upload Part - Copy above it),
    that a presigned URL fetches an object, and that the bucket's lifecycle rules abort stale uploads and spare
    registry data.
  - Uses the collection's Python implementation of the COS storage driver (C(docs/cos-driver.md)), so the objects,
    part sizes and requests are the registry's. With O(driver=s3) every write also carries the headers the stock
    registry's s3 driver sends (O(objectacl), O(storageclass)), so a key or bucket that would refuse the registry's
    writes fails here first.
  - A refused request is reported with the CAM action the key lacks; an upload refused only for its ACL header names
    C(name/cos:PutObjectACL).
  - Everything it writes lives under C(<rootdirectory>/_storage_check/) and is deleted, and its multipart uploads
    aborted, whether the checks pass, fail or are interrupted.
author: cosops.registry contributors (@cosops)
options:
  secretid:
    description:
      - The SecretId the registry uses, as in the registry's C(storage.cos.secretid).
      - Without O(secretid) and O(secretkey), the checks use the keys of the common credential sources, in order
        O(secret_id) (E(TENCENTCLOUD_SECRET_ID)), O(profile), the CVM instance role, with O(assume_role) on top;
        temporary keys are renewed while the checks run.
    type: str
  secretkey:
    description:
      - The SecretKey that belongs to O(secretid). Never logged.
      - Defaults to O(secret_key) (and so to E(TENCENTCLOUD_SECRET_KEY)) when O(secretid) is set.
    type: str
  region:
    description:
      - The bucket's region, as in the registry's C(storage.cos.region), for example V(ap-guangzhou).
      - If not set, the value of the E(TENCENTCLOUD_REGION) environment variable is used.
    type: str
  bucket:
    description:
      - The bucket, C(<name>-<appid>), as in the registry's C(storage.cos.bucket).
    type: str
    required: true
  rootdirectory:
    description:
      - The prefix inside the bucket under which the registry keeps its data; empty for the bucket root.
    type: str
    default: ""
  chunksize:
    description:
      - Multipart part size in bytes, between 5242880 (5 MiB) and 104857600 (100 MiB).
    type: int
    default: 16777216
  maxconcurrency:
    description:
      - Most multipart parts in flight at once.
    type: int
    default: 10
  secure:
    description:
      - Use HTTPS. Picks the scheme when O(endpoint) has none.
    type: bool
    default: true
  endpoint:
    description:
      - Where to reach COS instead of the public endpoint, for private endpoints and the bundled emulator.
      - A URL whose host is an IP address is where requests are sent; they keep the bucket's virtual-host name.
      - Defaults to O(cos_endpoint).
    type: str
  driver:
    description:
      - The registry's storage driver. V(s3) (the stock C(registry:3) and C(registry:2) images) sends O(objectacl) and
        O(storageclass) with every write, as distribution's s3 driver does; V(cos) sends neither.
    type: str
    choices: [s3, cos]
    default: s3
  objectacl:
    description:
      - The registry's C(storage.s3.objectacl), a canned ACL the s3 driver sends with every write (C(x-amz-acl)). COS
        authorizes it as C(name/cos:PutObjectACL). Only with O(driver=s3).
    type: str
    choices: [private, public-read, public-read-write, authenticated-read, aws-exec-read, bucket-owner-read,
      bucket-owner-full-control]
    default: private
  storageclass:
    description:
      - The registry's C(storage.s3.storageclass). V(NONE) sends no storage class, so objects take the bucket's class;
        any other value is sent with every write, and a multi-AZ bucket refuses every class the s3 driver can send
        (C(OAZOperationNotSupportOnMAZBucket)). Only with O(driver=s3).
    type: str
    choices: [NONE, STANDARD, STANDARD_IA, INTELLIGENT_TIERING]
    default: NONE
  checks:
    description:
      - Which checks to run. In check mode only those that read (V(credentials), V(bucket), V(addressing),
        V(listing), V(lifecycle)) run; the others are listed in RV(skipped).
    type: list
    elements: str
    choices: [credentials, bucket, addressing, listing, read_write, multipart, move, presigned_url, lifecycle]
    default: [credentials, bucket, addressing, listing, read_write, multipart, move, presigned_url, lifecycle]
  smoke_size:
    description:
      - Bytes to send in the multipart smoke upload. Defaults to three parts and one MiB (3 x O(chunksize) + 1048576),
        so full parts and a short last part are both sent.
    type: int
  fail_on:
    description:
      - V(error) fails the task when a check finds a fault the registry cannot work with.
      - V(warning) also fails it on advice, such as a missing lifecycle rule or a bucket that refuses path-style
        requests.
    type: str
    choices: [error, warning]
    default: error
extends_documentation_fragment:
  - cosops.registry.common
attributes:
  check_mode:
    description: In check mode only the checks that read run; nothing is written.
    support: partial
    details: The checks that write (read_write, multipart, move, presigned_url) are skipped and listed in RV(skipped).
  diff_mode:
    description: Has nothing to show as a diff; it leaves nothing changed.
    support: none
notes:
  - The common connection options (O(secret_id), O(secret_key), O(cos_endpoint)...) are accepted so that
    C(module_defaults) for the C(group/cosops.registry.tencentcloud) group apply; the registry-style options win.
  - Reports C(changed=false), because whatever it writes is removed before it returns.
seealso:
  - module: cosops.registry.cos_lifecycle
  - module: cosops.registry.cam_policy
"""

EXAMPLES = r"""
- name: Prove the registry's storage before starting it
  cosops.registry.registry_storage_check:
    secretid: "{{ registry_cos_secret_id }}"
    secretkey: "{{ registry_cos_secret_key }}"
    region: ap-guangzhou
    bucket: registry-1250000000
    rootdirectory: /registry
  no_log: false
  register: storage

- name: Show what was found
  ansible.builtin.debug:
    msg: "{{ storage.summary }}"

- name: Only the quick read-only checks, failing on advice too
  cosops.registry.registry_storage_check:
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
    checks: [credentials, bucket, addressing, listing, lifecycle]
    fail_on: warning

- name: Writes as a registry whose s3 driver sends storageclass STANDARD (refused by multi-AZ buckets)
  cosops.registry.registry_storage_check:
    bucket: registry-1250000000
    region: ap-guangzhou
    rootdirectory: /registry
    storageclass: STANDARD
"""

RETURN = r"""
checks:
  description: One entry per check run, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The check.
      type: str
      sample: multipart
    ok:
      description: Whether the check passed.
      type: bool
      sample: true
    severity:
      description: V(ok), V(warning) (advice) or V(error) (the registry will fail).
      type: str
      sample: ok
    duration_s:
      description: Seconds the check took.
      type: float
      sample: 1.42
    detail:
      description: What was found, in one sentence.
      type: str
      sample: "51380224 bytes in 4 parts of 16777216 (10 in flight): sent at 84.1 MB/s, read back at 120.5 MB/s,
        sha256 matches"
    hint:
      description: What to do about a failure; for AccessDenied the CAM action and resource that were refused.
      type: str
      sample: "The key may not call name/cos:PutObject: allow name/cos:PutObject on
        qcs::cos:ap-guangzhou:uid/1250000000:registry-1250000000/registry/* in the key's CAM policy."
summary:
  description: One line for people.
  returned: always
  type: str
  sample: "registry-1250000000/registry: all 9 checks passed; multipart upload at 84.1 MB/s"
skipped:
  description: Checks not run, because of check mode or because an earlier check showed they could not succeed.
  returned: always
  type: list
  elements: str
  sample: [read_write, multipart, move, presigned_url]
"""

import hashlib
import math
import os
import signal
import time
import uuid

from ansible_collections.cosops.registry.plugins.module_utils.bucket import (
    account_buckets,
    missing_bucket_warning,
    read_lifecycle,
    wrong_region_message,
)
from ansible_collections.cosops.registry.plugins.module_utils.client import (
    Connection,
    CosApi,
    cos_endpoint_settings,
    is_not_found,
)
from ansible_collections.cosops.registry.plugins.module_utils.cos_driver import (
    MULTIPART_COPY_THRESHOLD,
    CosDriver,
    DriverConfig,
    PathNotFoundError,
    StorageDriverError,
)
from ansible_collections.cosops.registry.plugins.module_utils.errors import (
    CREDENTIAL_FIXES,
    TencentCloudError,
    ValidationError,
)
from ansible_collections.cosops.registry.plugins.module_utils.lifecycle import (
    abort_rule_warning,
    aborts_registry_uploads,
    registry_data_prefix,
    unsafe_rule_ids,
)
from ansible_collections.cosops.registry.plugins.module_utils.module import TencentCloudModule
from ansible_collections.cosops.registry.plugins.module_utils.naming import split_bucket
from ansible_collections.cosops.registry.plugins.module_utils.s3_driver import (
    NO_STORAGE_CLASS,
    OBJECT_ACLS,
    STORAGE_CLASSES,
    upload_headers,
)

CHECKS = [
    "credentials",
    "bucket",
    "addressing",
    "listing",
    "read_write",
    "multipart",
    "move",
    "presigned_url",
    "lifecycle",
]
WRITING_CHECKS = {"read_write", "multipart", "move", "presigned_url"}
# Once these fail, checks that need a working key or bucket are not worth running.
BLOCKING_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "NoSuchBucket", "ClientNetworkError"}
PROBE_DIRECTORY = "/_storage_check"
BLOCK = 1024 * 1024
MB = 1000 * 1000
# The SDK names calls by their method; CAM policies name some of them differently (docs/least-privilege.md).
# Upload Part - Copy needs a set on the destination (product 436/8287), so a refusal names all of it.
CAM_ACTIONS = {
    "ListObjects": ("GetBucket",),
    "ListBuckets": ("GetService",),
    "CreateMultipartUpload": ("InitiateMultipartUpload",),
    "DeleteObjects": ("DeleteObject",),
    "UploadPartCopy": (
        "PutObject",
        "InitiateMultipartUpload",
        "ListMultipartUploads",
        "ListParts",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
    ),
    "CopyObject": ("PutObjectCopy",),
}
# Writes that carry the s3 driver's upload headers; COS authorizes an ACL header on them as a PutObjectACL.
UPLOAD_CALLS = {"PutObject", "CopyObject", "CreateMultipartUpload"}
BODYLESS_REFUSALS = {"Forbidden", "Unknown"}
BUCKET_ACTIONS = {"GetBucket", "HeadBucket", "ListMultipartUploads", "GetBucketLifecycle"}
HINTS = {
    "InvalidAccessKeyId": "COS does not know this SecretId: check secretid, and that the key was not deleted or "
    "disabled in CAM (API keys).",
    "SignatureDoesNotMatch": "secretkey does not belong to secretid: use the SecretKey shown when that key was "
    "created.",
    "RequestTimeTooSkewed": "This host's clock is off by more than 15 minutes: synchronise it (chrony, ntp).",
    "ClientNetworkError": "COS did not answer: check the endpoint, secure (HTTPS or HTTP), DNS, proxies and firewalls.",
    "SlowDown": "COS throttled the requests: retry later or lower maxconcurrency.",
    **CREDENTIAL_FIXES,
}


class CheckFailed(Exception):
    def __init__(self, detail: str, hint: str = "", severity: str = "error"):
        super().__init__(detail)
        self.detail = detail
        self.hint = hint
        self.severity = severity


class Interrupted(BaseException):
    """The module was told to stop; raised so that clean-up still runs."""


def cam_action(sdk_action: str) -> str:
    """The CAM action (or, for a call that needs several, the actions) a refused SDK call asks for."""
    return ", ".join(f"name/cos:{name}" for name in CAM_ACTIONS.get(sdk_action, (sdk_action,)))


class StorageCheck:
    """The checks, sharing one driver and a probe directory that is removed at the end."""

    def __init__(self, driver: CosDriver, smoke_size: int, validate_certs: bool, check_mode: bool = False):
        self.driver = driver
        self.check_mode = check_mode
        self.config = driver.config
        self.api = driver.api
        self.smoke_size = smoke_size
        self.validate_certs = validate_certs
        self.probe = f"{PROBE_DIRECTORY}/{uuid.uuid4().hex[:12]}"
        self.bucket_regions: dict = {}
        self.upload_rate = None

    # Hints

    def resource(self, action: str) -> str:
        config = self.config
        appid = split_bucket(config.bucket)[1]
        if action.endswith(":GetService"):
            return "*"
        base = f"qcs::cos:{config.region}:uid/{appid}:{config.bucket}/"
        if action.split(":", 1)[1] in BUCKET_ACTIONS:
            return base
        return base + self.driver.keys.root_prefix + "*"

    def hint(self, error: TencentCloudError) -> str:
        if error.code in HINTS:
            return HINTS[error.code]
        if error.code == "NoSuchBucket":
            return self.missing_bucket_hint()
        # A refused HEAD has no body, so no code: its 403 is the same refusal.
        if error.code == "AccessDenied" or (error.status == 403 and error.code in BODYLESS_REFUSALS):
            action = self.refused_action(error)
            return f"The key may not call {action}: allow {action} on {self.resource(action)} in the key's CAM policy."
        return ""

    def refused_action(self, error: TencentCloudError) -> str:
        """The CAM action behind a refusal: PutObjectACL when a write is refused with the ACL header and not without."""
        headers = self.driver.upload_headers
        if error.action in UPLOAD_CALLS and "ACL" in headers and not self.write_works(headers):
            if self.write_works({}):
                return "name/cos:PutObjectACL"
        return cam_action(error.action)

    def write_works(self, headers: dict) -> bool:
        key = self.key(f"{self.probe}/acl-probe")
        try:
            self.api.call("put_object", Bucket=self.config.bucket, Key=key, Body=b"", **headers)
            self.api.call("delete_object", Bucket=self.config.bucket, Key=key)
        except TencentCloudError:
            return False
        return True

    def missing_bucket_hint(self) -> str:
        elsewhere = self.bucket_regions.get(self.config.bucket)
        if elsewhere and elsewhere != self.config.region:
            return wrong_region_message(self.config.bucket, elsewhere, self.config.region)
        return "Create the bucket (cosops.registry.cos_bucket) or correct the bucket name and region."

    # The checks; each returns its detail or raises.

    def credentials(self) -> str:
        try:
            entries = account_buckets(self.api)
        except TencentCloudError as error:
            if error.code == "AccessDenied":
                return "the key is valid; it may not list the account's buckets, which the registry does not need"
            raise
        self.bucket_regions = {entry["name"]: entry["region"] for entry in entries}
        return f"the key is valid and sees {len(entries)} buckets"

    def bucket(self) -> str:
        """A listing under the root directory, as the registry makes: it needs the bucket, in this region."""
        try:
            self.list_root()
        except TencentCloudError as error:
            if is_not_found(error):
                raise self.missing_bucket() from None
            raise
        return f"bucket {self.config.bucket} exists in {self.config.region} and lists under the root directory"

    def missing_bucket(self) -> CheckFailed:
        """An error; in check mode only a warning, as an earlier task may only have pretended to create the bucket."""
        hint = self.missing_bucket_hint()
        if self.check_mode and self.config.bucket not in self.bucket_regions:
            return CheckFailed(missing_bucket_warning(self.config.bucket, self.config.region), hint, "warning")
        return CheckFailed(f"bucket {self.config.bucket} does not exist in {self.config.region}", hint)

    def addressing(self) -> str:
        self.list_root()
        status, code = self.path_style_answer()
        if code == "PathStyleDomainForbidden":
            raise CheckFailed(
                "virtual-host requests work; the bucket refuses path-style requests (PathStyleDomainForbidden)",
                "registry:2's s3 driver forces path style whenever regionendpoint is set, so it cannot use this "
                "bucket; use the cos storage driver, or registry:3 with the s3 driver and forcepathstyle: false.",
                severity="warning",
            )
        return f"virtual-host requests work; path-style requests are accepted too (HTTP {status})"

    def listing(self) -> str:
        """The listings the registry makes, with its exact prefixes: catalog and tags, a walk, uploads in progress."""
        repositories = self.key("/docker/registry/v2/repositories") + "/"
        self.api.call("list_objects", Bucket=self.config.bucket, Prefix=repositories, Delimiter="/", MaxKeys=1)
        self.api.call("list_objects", Bucket=self.config.bucket, Prefix=self.key("/docker/registry/v2") + "/", MaxKeys=1)
        self.api.call("list_multipart_uploads", Bucket=self.config.bucket, Prefix=repositories, MaxUploads=1)
        return f"the registry's listings under {repositories} and its uploads in progress are allowed"

    def list_root(self) -> dict:
        return self.api.call(
            "list_objects", Bucket=self.config.bucket, Prefix=self.driver.keys.root_prefix, Delimiter="/", MaxKeys=1
        )

    def path_style_answer(self):
        """Status and error code of a signed path-style listing: https://cos.<region>.myqcloud.com/<bucket>/."""
        import requests
        from qcloud_cos.cos_auth import CosS3Auth

        settings = cos_endpoint_settings(self.config.endpoint_url(), self.config.region)
        domain = settings.get("Endpoint") or f"cos.{self.config.region}.myqcloud.com"
        address = f"{settings['IP']}:{settings['Port']}" if "IP" in settings else domain
        params = {"prefix": self.driver.keys.root_prefix, "max-keys": "1"}
        try:
            response = requests.get(
                f"{settings['Scheme']}://{address}/{self.config.bucket}/",
                params=params,
                headers={"Host": domain},
                auth=CosS3Auth(self.api.sdk.get_conf(), f"/{self.config.bucket}/", params=params),
                timeout=self.api.connection.timeout,
                verify=self.validate_certs,
            )
        except requests.RequestException as error:
            raise TencentCloudError("GetBucket", "ClientNetworkError", str(error)) from None
        code = ""
        if response.status_code >= 400 and b"<Code>" in response.content:
            code = response.content.split(b"<Code>", 1)[1].split(b"</Code>", 1)[0].decode()
        return response.status_code, code

    def read_write(self) -> str:
        path = f"{self.probe}/object"
        contents = os.urandom(4096)
        self.driver.put_content(path, contents)
        if self.driver.get_content(path) != contents:
            raise CheckFailed(f"{path} read back different bytes than were written")
        info = self.driver.stat(path)
        if info.size != len(contents):
            raise CheckFailed(f"{path} has size {info.size} after writing {len(contents)} bytes")
        listed = self.driver.list(self.probe)
        if path not in listed:
            raise CheckFailed(
                f"{path} was written but the listing of {self.probe} shows {listed}",
                "COS listings can lag behind writes for a moment; run the check again.",
                severity="warning",
            )
        self.driver.delete(path)
        try:
            self.driver.stat(path)
        except PathNotFoundError:
            return f"wrote, read back, stat, listed and deleted {len(contents)} bytes under {self.key(self.probe)}/"
        raise CheckFailed(f"{path} is still there after delete")

    def multipart(self) -> str:
        path = f"{self.probe}/multipart"
        sent, started = hashlib.sha256(), time.monotonic()
        with self.driver.writer(path) as writer:
            for size in block_sizes(self.smoke_size):
                block = os.urandom(size)
                sent.update(block)
                writer.write(block)
            writer.commit()
        upload_seconds = time.monotonic() - started
        received, length, started = hashlib.sha256(), 0, time.monotonic()
        with self.driver.reader(path) as reader:
            for block in iter(lambda: reader.read(BLOCK), b""):
                received.update(block)
                length += len(block)
        read_seconds = time.monotonic() - started
        self.driver.delete(path)
        if length != self.smoke_size or received.digest() != sent.digest():
            raise CheckFailed(f"read back {length} bytes of {self.smoke_size}, and the sha256 differs")
        self.upload_rate = rate(self.smoke_size, upload_seconds)
        parts = math.ceil(self.smoke_size / self.config.chunksize)
        return (
            f"{self.smoke_size} bytes in {parts} parts of {self.config.chunksize}"
            f" ({self.config.maxconcurrency} in flight):"
            f" sent at {self.upload_rate:.1f} MB/s, read back at {rate(length, read_seconds):.1f} MB/s, sha256 matches"
        )

    def move(self) -> str:
        """Blob commits as the registry makes them: a Move of a small and of a large blob, read back by size."""
        sizes = {"PUT Object - Copy": 4096, "Upload Part - Copy": MULTIPART_COPY_THRESHOLD + BLOCK}
        for name, size in sizes.items():
            source, destination = f"{self.probe}/upload-{size}", f"{self.probe}/blob-{size}"
            with self.driver.writer(source) as writer:
                for block_size in block_sizes(size):
                    writer.write(bytes(block_size))
                writer.commit()
            self.driver.move(source, destination)
            if self.driver.stat(destination).size != size:
                raise CheckFailed(f"{name} of {size} bytes left {destination} with another size")
            self.driver.delete(destination)
        return (
            f"moved {sizes['PUT Object - Copy']} bytes with PUT Object - Copy and {sizes['Upload Part - Copy']} bytes"
            " with Upload Part - Copy, as the registry commits blobs"
        )

    def presigned_url(self) -> str:
        import requests

        path = f"{self.probe}/presigned"
        contents = os.urandom(1024)
        self.driver.put_content(path, contents)
        url = self.driver.url_for(path, expiry=300)
        try:
            # The Host header names the bucket when the endpoint is an address; elsewhere it is the URL's own host.
            response = requests.get(
                url,
                headers={"Host": self.driver.virtual_host()},
                timeout=self.api.connection.timeout,
                verify=self.validate_certs,
            )
        except requests.RequestException as error:
            raise CheckFailed(f"fetching the presigned URL failed: {error}", HINTS["ClientNetworkError"]) from None
        finally:
            self.driver.delete(path)
        if response.status_code != 200 or response.content != contents:
            raise CheckFailed(
                f"the presigned URL answered HTTP {response.status_code} instead of the object",
                "Registry redirects to COS would fail: check the key's name/cos:GetObject permission and the "
                "host's clock.",
            )
        return "a presigned GET URL fetched the object without credentials"

    def lifecycle(self) -> str:
        root = self.config.rootdirectory
        try:
            rules = read_lifecycle(self.api, self.config.bucket)
        except TencentCloudError as error:
            if error.code != "AccessDenied":
                raise
            raise CheckFailed(
                f"the lifecycle rules could not be read: {error.summary()}", self.hint(error), "warning"
            ) from None
        unsafe = unsafe_rule_ids(rules, root)
        data = registry_data_prefix(root)
        if unsafe:
            raise CheckFailed(
                f"lifecycle rules {', '.join(unsafe)} expire or archive registry data under {data!r}",
                "Images would break (blobs deleted or unreadable while tags point at them): narrow those rules' "
                "filters or drop those actions (cosops.registry.cos_lifecycle refuses such rules).",
            )
        if not aborts_registry_uploads(rules, root):
            raise CheckFailed(
                f"no enabled lifecycle rule aborts incomplete multipart uploads under {data!r}",
                abort_rule_warning(root),
                severity="warning",
            )
        return (
            f"{len(rules)} lifecycle rules: incomplete uploads under {data!r} are aborted and no rule harms registry"
            " data"
        )

    def key(self, path: str) -> str:
        return self.driver.keys.key(path)

    def clean_up(self, ran: set) -> None:
        """Delete the probe directory and abort its uploads, whatever state the checks left them in."""
        try:
            self.driver.delete(self.probe)
        except PathNotFoundError:
            pass
        if not ran & {"multipart", "move"}:
            return
        page = self.api.call("list_multipart_uploads", Bucket=self.config.bucket, Prefix=self.key(self.probe) + "/")
        for upload in page.get("Upload", []):
            self.driver.uploads.abort(upload["Key"], upload["UploadId"])


def block_sizes(total: int):
    while total > 0:
        yield min(BLOCK, total)
        total -= BLOCK


def rate(size: int, seconds: float) -> float:
    return size / MB / max(seconds, 1e-6)


def run_check(check: StorageCheck, name: str) -> dict:
    started = time.monotonic()
    outcome = {"name": name, "ok": True, "severity": "ok", "detail": "", "hint": ""}
    try:
        outcome["detail"] = getattr(check, name)()
    except CheckFailed as failure:
        outcome.update(ok=False, severity=failure.severity, detail=failure.detail, hint=failure.hint)
    except TencentCloudError as error:
        outcome.update(ok=False, severity="error", detail=error.summary(), hint=check.hint(error), code=error.code)
    except StorageDriverError as error:
        outcome.update(ok=False, severity="error", detail=str(error))
    outcome["duration_s"] = round(time.monotonic() - started, 3)
    return outcome


def run_checks(check: StorageCheck, names: list, check_mode: bool) -> tuple:
    outcomes, skipped, ran = [], [], set()
    blocked = False
    try:
        for name in names:
            if blocked or (check_mode and name in WRITING_CHECKS):
                skipped.append(name)
                continue
            ran.add(name)
            outcome = run_check(check, name)
            outcomes.append(outcome)
            blocked = outcome.pop("code", None) in BLOCKING_CODES or (name == "bucket" and not outcome["ok"])
    finally:
        if ran & WRITING_CHECKS:
            outcomes.extend(clean_up(check, ran))
    return outcomes, skipped


def clean_up(check: StorageCheck, ran: set) -> list:
    """Nothing to report when the probe directory is gone; an error outcome naming what is left otherwise."""
    started = time.monotonic()
    try:
        check.clean_up(ran)
    except (TencentCloudError, StorageDriverError) as error:
        hint = check.hint(error) if isinstance(error, TencentCloudError) else ""
        detail = f"objects or uploads under {check.key(check.probe)}/ may be left behind: {error}"
        return [
            {
                "name": "clean_up",
                "ok": False,
                "severity": "error",
                "detail": detail,
                "hint": hint,
                "duration_s": round(time.monotonic() - started, 3),
            }
        ]
    return []


def summarize(config: DriverConfig, outcomes: list, skipped: list, upload_rate) -> str:
    where = config.bucket + (f"/{config.rootdirectory}" if config.rootdirectory else "")
    errors = [outcome["name"] for outcome in outcomes if outcome["severity"] == "error"]
    warnings = [outcome["name"] for outcome in outcomes if outcome["severity"] == "warning"]
    if errors or warnings:
        found = [
            f"{len(names)} {verb} ({', '.join(names)})"
            for names, verb in ((errors, "failed"), (warnings, "warned"))
            if names
        ]
        text = f"{where}: of {len(outcomes)} checks, " + " and ".join(found)
    else:
        text = f"{where}: all {len(outcomes)} checks passed"
    if upload_rate is not None:
        text += f"; multipart upload at {upload_rate:.1f} MB/s"
    if skipped:
        text += f"; not run: {', '.join(skipped)}"
    return text


def registry_keys(module: TencentCloudModule) -> tuple:
    """The registry's own keys when given; else the current keys of the common credential sources."""
    params = module.params
    if params["secretid"] or params["secretkey"]:
        secret_id = params["secretid"] or params["secret_id"]
        secret_key = params["secretkey"] or params["secret_key"]
        if not secret_id or not secret_key:
            raise ValidationError("secretid and secretkey (or secret_id and secret_key) must be set together.")
        return secret_id, secret_key, params["security_token"]
    return module.connection.credential.get_credential_info()


def driver_config(module: TencentCloudModule) -> DriverConfig:
    params = module.params
    secret_id, secret_key, token = registry_keys(module)
    return DriverConfig.from_parameters(
        {
            "secretid": secret_id,
            "secretkey": secret_key,
            "region": module.connection.require_region(),
            "bucket": params["bucket"],
            "rootdirectory": params["rootdirectory"],
            "chunksize": params["chunksize"],
            "maxconcurrency": params["maxconcurrency"],
            "secure": params["secure"],
            "endpoint": params["endpoint"] or params["cos_endpoint"],
            "security_token": token,
        }
    )


def check_connection(module: TencentCloudModule, config: DriverConfig) -> Connection:
    """Static registry keys as given; otherwise the module's sources, so temporary keys are renewed during the checks."""
    params = module.params
    if params["secretid"] or params["secretkey"]:
        return config.connection(
            timeout=params["timeout"], retries=params["retries"], validate_certs=params["validate_certs"]
        )
    return module.connection.moved(config.region, config.endpoint_url())


def stop_on_signal(signum, frame):
    raise Interrupted(f"stopped by signal {signum}")


def run(module: TencentCloudModule) -> dict:
    params = module.params
    config = driver_config(module)
    smoke_size = params["smoke_size"] if params["smoke_size"] is not None else 3 * config.chunksize + BLOCK
    if smoke_size < 1:
        raise ValidationError(f"smoke_size {smoke_size} must be at least 1 byte.")
    connection = check_connection(module, config)
    headers = upload_headers(params["objectacl"], params["storageclass"]) if params["driver"] == "s3" else {}
    driver = CosDriver(config, CosApi(connection, config.region, pool_size=config.maxconcurrency + 1), headers)
    check = StorageCheck(driver, smoke_size, params["validate_certs"], module.check_mode)
    names = [name for name in CHECKS if name in params["checks"]]
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, stop_on_signal)
    outcomes, skipped = run_checks(check, names, module.check_mode)
    result = {
        "changed": False,
        "checks": outcomes,
        "skipped": skipped,
        "summary": summarize(config, outcomes, skipped, check.upload_rate),
    }
    failing = {"error"} if params["fail_on"] == "error" else {"error", "warning"}
    if any(outcome["severity"] in failing for outcome in outcomes):
        module.fail_json(msg=result["summary"], **result)
    return result


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            "secretid": {"type": "str", "no_log": False},
            "secretkey": {"type": "str", "no_log": True},
            "bucket": {"type": "str", "required": True},
            "rootdirectory": {"type": "str", "default": ""},
            "chunksize": {"type": "int", "default": 16777216},
            "maxconcurrency": {"type": "int", "default": 10},
            "secure": {"type": "bool", "default": True},
            "endpoint": {"type": "str"},
            "driver": {"type": "str", "choices": ["s3", "cos"], "default": "s3"},
            "objectacl": {"type": "str", "choices": list(OBJECT_ACLS), "default": "private"},
            "storageclass": {"type": "str", "choices": list(STORAGE_CLASSES), "default": NO_STORAGE_CLASS},
            "checks": {"type": "list", "elements": "str", "choices": CHECKS, "default": CHECKS},
            "smoke_size": {"type": "int"},
            "fail_on": {"type": "str", "choices": ["error", "warning"], "default": "error"},
        },
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
