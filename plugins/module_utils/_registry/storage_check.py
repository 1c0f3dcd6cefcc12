# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What registry_storage_check runs: the checks over the COS driver, their hints, and the clean-up of what they wrote.

No Ansible: the module only builds the driver from its options and reports the outcomes, so the hints are unit-tested
on their own.
"""

from __future__ import annotations

import hashlib
import math
import os
import signal
import time
import uuid

from ansible_collections.cosops.registry.plugins.module_utils._cos.bucket import (
    account_buckets,
    missing_bucket_warning,
    read_lifecycle,
    wrong_region_message,
)
from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import multipart_uploads
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import (
    MULTIPART_COPY_THRESHOLD,
    CosDriver,
    DriverConfig,
    PathNotFoundError,
    StorageDriverError,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.lifecycle import (
    abort_rule_warning,
    aborts_registry_uploads,
    registry_data_prefix,
    unsafe_rule_ids,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import split_bucket
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_policy import (
    BUCKET_LEVEL_ACTIONS,
    call_actions,
    cos_action,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import (
    RawAnswer,
    cos_endpoint_settings,
    cos_raw_get,
    is_not_found,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import (
    CREDENTIAL_FIXES,
    TencentCloudError,
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
# Writes that carry the s3 driver's upload headers; COS authorizes an ACL header on them as a PutObjectACL.
UPLOAD_CALLS = {"PutObject", "CopyObject", "CreateMultipartUpload"}
BODYLESS_REFUSALS = {"Forbidden", "Unknown"}
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


def cam_actions_of_call(sdk_action: str) -> str:
    """The CAM action (or, for a call that needs several, the actions) a refused SDK call asks for."""
    return ", ".join(cos_action(name) for name in call_actions(sdk_action))


class StorageCheck:
    """The checks, sharing one driver and a probe directory that is removed at the end."""

    def __init__(self, driver: CosDriver, smoke_size: int, check_mode: bool = False):
        self.driver = driver
        self.check_mode = check_mode
        self.config = driver.config
        self.api = driver.api
        self.smoke_size = smoke_size
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
        if action.split(":", 1)[1] in BUCKET_LEVEL_ACTIONS:
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
        return cam_actions_of_call(error.action)

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
        answer = self.path_style_answer()
        if answer.error_code == "PathStyleDomainForbidden":
            raise CheckFailed(
                "virtual-host requests work; the bucket refuses path-style requests (PathStyleDomainForbidden)",
                "registry:2's s3 driver forces path style whenever regionendpoint is set, so it cannot use this "
                "bucket; use the cos storage driver, or registry:3 with the s3 driver and forcepathstyle: false.",
                severity="warning",
            )
        return f"virtual-host requests work; path-style requests are accepted too (HTTP {answer.status})"

    def listing(self) -> str:
        """The listings the registry makes, with its exact prefixes: catalog and tags, a walk, uploads in progress."""
        repositories = self.key("/docker/registry/v2/repositories") + "/"
        self.api.call("list_objects", Bucket=self.config.bucket, Prefix=repositories, Delimiter="/", MaxKeys=1)
        self.api.call(
            "list_objects", Bucket=self.config.bucket, Prefix=self.key("/docker/registry/v2") + "/", MaxKeys=1
        )
        self.api.call("list_multipart_uploads", Bucket=self.config.bucket, Prefix=repositories, MaxUploads=1)
        return f"the registry's listings under {repositories} and its uploads in progress are allowed"

    def list_root(self) -> dict:
        return self.api.call(
            "list_objects", Bucket=self.config.bucket, Prefix=self.driver.keys.root_prefix, Delimiter="/", MaxKeys=1
        )

    def path_style_answer(self) -> RawAnswer:
        """A signed path-style listing: https://cos.<region>.myqcloud.com/<bucket>/."""
        settings = cos_endpoint_settings(self.config.endpoint_url(), self.config.region)
        domain = settings.get("Endpoint") or f"cos.{self.config.region}.myqcloud.com"
        address = f"{settings['IP']}:{settings['Port']}" if "IP" in settings else domain
        bucket = self.config.bucket
        return cos_raw_get(
            self.api,
            "GetBucket",
            f"{settings['Scheme']}://{address}/{bucket}/",
            headers={"Host": domain},
            signed_path=f"/{bucket}/",
            params={"prefix": self.driver.keys.root_prefix, "max-keys": "1"},
        )

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
        path = f"{self.probe}/presigned"
        contents = os.urandom(1024)
        self.driver.put_content(path, contents)
        url = self.driver.url_for(path, expiry=300)
        try:
            # The Host header names the bucket when the endpoint is an address; elsewhere it is the URL's own host.
            answer = cos_raw_get(self.api, "GetObject", url, headers={"Host": self.driver.virtual_host()})
        except TencentCloudError as error:
            raise CheckFailed(f"fetching the presigned URL failed: {error.message}", HINTS[error.code]) from None
        finally:
            self.driver.delete(path)
        if answer.status != 200 or answer.body != contents:
            raise CheckFailed(
                f"the presigned URL answered HTTP {answer.status} instead of the object",
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
        for upload in list(multipart_uploads(self.api, self.config.bucket, self.key(self.probe) + "/")):
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


def default_smoke_size(chunksize: int) -> int:
    """Three full parts and one MiB, so full parts and a short last part are both sent."""
    return 3 * chunksize + BLOCK


def stop_on_signals() -> None:
    """Turn SIGTERM, SIGHUP and SIGINT into Interrupted, so that the clean-up of run_checks still runs."""

    def stop(signum, frame):
        raise Interrupted(f"stopped by signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, stop)


def check_storage(driver: CosDriver, names: list, smoke_size: int, check_mode: bool) -> dict:
    """The module's result (checks, not_run, summary) of running the named checks, in their documented order.
    Not `skipped`: Ansible reads that key as "the task was skipped" and then ignores changed_when and failed_when."""
    check = StorageCheck(driver, smoke_size, check_mode)
    outcomes, skipped = run_checks(check, [name for name in CHECKS if name in names], check_mode)
    return {
        "changed": False,
        "checks": outcomes,
        "not_run": skipped,
        "summary": summarize(driver.config, outcomes, skipped, check.upload_rate),
    }


def fails(result: dict, fail_on: str) -> bool:
    """Whether the outcomes fail the task: errors always, warnings too with fail_on=warning."""
    failing = {"error"} if fail_on == "error" else {"error", "warning"}
    return any(outcome["severity"] in failing for outcome in result["checks"])
