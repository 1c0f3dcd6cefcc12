# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""COS bucket settings: read through CosApi into plain canonical values, compare, and build what the SDK takes.

Canonical values are what modules return and diff: acl as a canned ACL name, versioning as a word, tags as a dict,
encryption as {"algorithm": ..., "kms_key_id": ...}, CORS rules as snake_case dicts with sorted lists, policy as the
parsed document. Readers return the "nothing configured" value when COS answers 404 for a setting.
"""

from __future__ import annotations

import itertools
import re

from ansible_collections.cosops.registry.plugins.module_utils._cos.calls import (
    buckets,
    delete_objects,
    multipart_uploads,
    object_versions,
    objects,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.lifecycle import rules_from_api
from ansible_collections.cosops.registry.plugins.module_utils._rules.policy_documents import load_policy
from ansible_collections.cosops.registry.plugins.module_utils._rules.shapes import as_list
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import CosApi, is_not_found
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

CANNED_ACLS = ("private", "public-read", "public-read-write", "authenticated-read")
CORS_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
ENCRYPTION_ALGORITHMS = ("none", "AES256", "KMS")
# COS writes KMS as "cos/kms" in object headers and may answer so in the bucket configuration too.
KMS_SPELLINGS = {"kms": "KMS", "cos/kms": "KMS"}
MAX_TAGS = 50
# Bucket tag keys and values (product 436/31509): 1-127 and 1-255 characters of letters of any script, digits, spaces
# and + - = . _ : / @; keys starting with qcs: or project are Tencent's own.
MAX_TAG_KEY = 127
MAX_TAG_VALUE = 255
TAG_TEXT = re.compile(r"(?:[^\W_]|[ +\-=._:/@])+")
RESERVED_TAG_PREFIXES = ("qcs:", "project")


def read_optional(cos: CosApi, method: str, bucket: str, missing=None):
    """The SDK answer for a bucket setting, or `missing` when COS says it is not configured (404).

    A missing bucket is an error, not an empty setting.
    """
    try:
        return cos.call(method, Bucket=bucket)
    except TencentCloudError as error:
        if is_not_found(error) and error.code != "NoSuchBucket":
            return missing
        raise


def bucket_exists(cos: CosApi, bucket: str, option: str = "region") -> bool:
    """Whether the bucket is in the client's region; one in another region is a WrongRegionError, not a False.

    `option` names the module option that sets the region, for the error's advice.
    """
    try:
        cos.call("head_bucket", Bucket=bucket)
    except TencentCloudError as error:
        if is_not_found(error):
            require_region(cos, bucket, cos.region, option)
            return False
        raise
    return True


def missing_bucket_warning(bucket: str, region: str) -> str:
    return (
        f"Bucket {bucket} does not exist in {region}; check mode takes it as empty, assuming an earlier task "
        "creates it."
    )


def read_setting(cos: CosApi, bucket: str, read, empty, check_mode: bool, warn):
    """read(cos, bucket), or in check mode `empty` and a warning when the bucket does not exist yet.

    Outside check mode a missing bucket stays an error; a bucket in another region is a WrongRegionError either way.
    """
    try:
        return read(cos, bucket)
    except TencentCloudError as error:
        if error.code != "NoSuchBucket":
            raise
        require_region(cos, bucket, cos.region)
        if not check_mode:
            raise
    warn(missing_bucket_warning(bucket, cos.region))
    return empty


# Regions


class WrongRegionError(ValidationError):
    """The bucket exists, in another region than the one given; found out from COS, so after a request."""


def wrong_region_message(bucket: str, found: str, region: str, option: str = "region") -> str:
    return f"bucket {bucket} is in {found}, not {region}: set {option}: {found}"


def account_buckets(cos: CosApi, region: str | None = None) -> list:
    """[{name, region, creation_date}] of the account's buckets (GET Service), every page, optionally of one region."""
    return [
        {"name": entry["Name"], "region": entry.get("Location"), "creation_date": entry.get("CreationDate")}
        for entry in buckets(cos, region)
    ]


def bucket_location(cos: CosApi, bucket: str) -> str | None:
    """The region GET Service lists the bucket in; None when the account has no such bucket or the key may not list."""
    try:
        listed = account_buckets(cos)
    except TencentCloudError as error:
        if error.code == "AccessDenied":
            return None
        raise
    return next((entry["region"] for entry in listed if entry["name"] == bucket), None)


def require_region(cos: CosApi, bucket: str, region: str, option: str = "region") -> None:
    """Called once COS said the bucket is missing here: WrongRegionError when it lives in another region."""
    found = bucket_location(cos, bucket)
    if found and found != region:
        raise WrongRegionError(wrong_region_message(bucket, found, region, option))


# ACL


def canned_acl(acl: dict) -> str:
    """The canned ACL matching a bucket's grants; group grants are recognised by their group's name."""
    granted = set()
    for grant in as_list((acl.get("AccessControlList") or {}).get("Grant")):
        uri = ((grant or {}).get("Grantee") or {}).get("URI") or ""
        group = uri.rstrip("/").rsplit("/", 1)[-1]
        if group in ("AllUsers", "AuthenticatedUsers"):
            granted.add((group, grant.get("Permission")))
    if ("AllUsers", "READ") in granted:
        return "public-read-write" if ("AllUsers", "WRITE") in granted else "public-read"
    if ("AuthenticatedUsers", "READ") in granted:
        return "authenticated-read"
    return "private"


def read_acl(cos: CosApi, bucket: str) -> str:
    return canned_acl(cos.call("get_bucket_acl", Bucket=bucket))


# Versioning


def read_versioning(cos: CosApi, bucket: str) -> str:
    """'enabled', 'suspended', or 'disabled' for a bucket that never had versioning."""
    status = (cos.call("get_bucket_versioning", Bucket=bucket) or {}).get("Status")
    return str(status).lower() if status else "disabled"


def versioning_matches(current: str, desired: str) -> bool:
    """A bucket that never had versioning already behaves as a suspended one."""
    return current == desired or (current == "disabled" and desired == "suspended")


# Tags


def validate_tags(tags: dict) -> dict:
    """The tags as strings, or ValidationError for any COS would refuse, so nothing is changed before a bad tag."""
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"{len(tags)} bucket tags were given; a bucket holds at most {MAX_TAGS}.")
    result = {str(key): "" if value is None else str(value) for key, value in tags.items()}
    for key, value in result.items():
        validate_tag(key, value)
    return result


def validate_tag(key: str, value: str) -> None:
    allowed = "letters, digits, spaces and + - = . _ : / @"
    if not 1 <= len(key) <= MAX_TAG_KEY or not TAG_TEXT.fullmatch(key):
        raise ValidationError(
            f"Bucket tag key {key!r} (value {value!r}) must be 1-{MAX_TAG_KEY} characters of {allowed}."
        )
    if key.lower().startswith(RESERVED_TAG_PREFIXES):
        raise ValidationError(f"Bucket tag key {key!r} starts with qcs: or project, which COS keeps for itself.")
    if not 1 <= len(value) <= MAX_TAG_VALUE or not TAG_TEXT.fullmatch(value):
        raise ValidationError(f"Bucket tag {key!r} value {value!r} must be 1-{MAX_TAG_VALUE} characters of {allowed}.")


def tags_from_api(tagging: dict | None) -> dict:
    tag_set = (tagging or {}).get("TagSet") or {}
    return {tag["Key"]: tag.get("Value") or "" for tag in as_list(tag_set.get("Tag")) if tag}


def tags_to_api(tags: dict) -> dict:
    return {"TagSet": {"Tag": [{"Key": key, "Value": value} for key, value in sorted(tags.items())]}}


def read_tags(cos: CosApi, bucket: str) -> dict:
    return tags_from_api(read_optional(cos, "get_bucket_tagging", bucket))


def desired_tags(current: dict, tags: dict, purge: bool) -> dict:
    """The tag set to have: the given tags, plus the current ones they do not name unless purging."""
    return dict(tags) if purge else dict(current, **tags)


# Encryption


def encryption_from_api(configuration: dict | None) -> dict:
    rules = as_list((configuration or {}).get("Rule"))
    default = (rules[0] or {}).get("ApplyServerSideEncryptionByDefault") if rules else None
    if not default or not default.get("SSEAlgorithm"):
        return {"algorithm": "none"}
    result = {"algorithm": KMS_SPELLINGS.get(default["SSEAlgorithm"].lower(), default["SSEAlgorithm"])}
    if default.get("KMSMasterKeyID"):
        result["kms_key_id"] = default["KMSMasterKeyID"]
    return result


def encryption_to_api(encryption: dict) -> dict:
    default = {"SSEAlgorithm": encryption["algorithm"]}
    if encryption.get("kms_key_id"):
        default["KMSMasterKeyID"] = encryption["kms_key_id"]
    return {"Rule": [{"ApplyServerSideEncryptionByDefault": default}]}


def desired_encryption(algorithm: str, kms_key_id: str | None) -> dict:
    if algorithm != "KMS" and kms_key_id:
        raise ValidationError(f"encryption_key_id {kms_key_id!r} is only valid with encryption=KMS, not {algorithm!r}.")
    result = {"algorithm": algorithm}
    if kms_key_id:
        result["kms_key_id"] = kms_key_id
    return result


def encryption_matches(current: dict, desired: dict) -> bool:
    """KMS without a key id means 'the default KMS key', so any current key id satisfies it."""
    if "kms_key_id" not in desired:
        return current.get("algorithm") == desired["algorithm"]
    return current == desired


def read_encryption(cos: CosApi, bucket: str) -> dict:
    return encryption_from_api(read_optional(cos, "get_bucket_encryption", bucket))


# CORS


def _sorted_unique(values) -> list:
    return sorted({str(value) for value in as_list(values)})


def _cors_rule(rule_id, origins, methods, headers, expose, max_age) -> dict:
    rule = {
        "allowed_origins": _sorted_unique(origins),
        "allowed_methods": sorted({str(method).upper() for method in as_list(methods)}),
        "allowed_headers": _sorted_unique(headers),
        "expose_headers": _sorted_unique(expose),
    }
    if rule_id:
        rule["id"] = rule_id
    if max_age is not None:
        rule["max_age_seconds"] = int(max_age)
    return rule


def cors_from_options(rules: list) -> list:
    """CORS rules from module options, validated; rule order is kept because COS applies the first that matches."""
    result = []
    for options in rules:
        rule = _cors_rule(
            options.get("id"),
            options.get("allowed_origins"),
            options.get("allowed_methods"),
            options.get("allowed_headers"),
            options.get("expose_headers"),
            options.get("max_age_seconds"),
        )
        if not rule["allowed_origins"]:
            raise ValidationError(f"CORS rule {options!r} needs at least one entry in allowed_origins.")
        bad = [method for method in rule["allowed_methods"] if method not in CORS_METHODS]
        if bad or not rule["allowed_methods"]:
            raise ValidationError(
                f"CORS rule allowed_methods {options.get('allowed_methods')!r} must be a non-empty list of "
                f"{', '.join(CORS_METHODS)}."
            )
        if rule.get("max_age_seconds", 0) < 0:
            raise ValidationError(f"CORS rule max_age_seconds {rule['max_age_seconds']} must not be negative.")
        result.append(rule)
    return result


def cors_from_api(configuration: dict | None) -> list:
    return [
        _cors_rule(
            rule.get("ID"),
            rule.get("AllowedOrigin"),
            rule.get("AllowedMethod"),
            rule.get("AllowedHeader"),
            rule.get("ExposeHeader"),
            rule.get("MaxAgeSeconds"),
        )
        for rule in as_list((configuration or {}).get("CORSRule"))
        if rule
    ]


def cors_to_api(rules: list) -> dict:
    api_rules = []
    for rule in rules:
        api_rule = {"AllowedOrigin": rule["allowed_origins"], "AllowedMethod": rule["allowed_methods"]}
        if rule.get("id"):
            api_rule["ID"] = rule["id"]
        if rule["allowed_headers"]:
            api_rule["AllowedHeader"] = rule["allowed_headers"]
        if rule["expose_headers"]:
            api_rule["ExposeHeader"] = rule["expose_headers"]
        if "max_age_seconds" in rule:
            api_rule["MaxAgeSeconds"] = rule["max_age_seconds"]
        api_rules.append(api_rule)
    return {"CORSRule": api_rules}


def read_cors(cos: CosApi, bucket: str) -> list:
    return cors_from_api(read_optional(cos, "get_bucket_cors", bucket))


# Policy


def _fields(item: dict) -> dict:
    return {str(key).lower(): value for key, value in item.items()}


def validate_bucket_policy(document) -> dict:
    """A bucket policy as a dict, refused unless every statement has an effect, principal, action and resource."""
    policy = load_policy(document)
    fields = _fields(policy)
    statements = fields.get("statement")
    if not statements:
        raise ValidationError("Bucket policy needs a non-empty 'Statement' list.")
    for index, statement in enumerate(as_list(statements), start=1):
        if not isinstance(statement, dict):
            raise ValidationError(f"Bucket policy statement {index} is {statement!r}, not a JSON object.")
        given = _fields(statement)
        effect = str(given.get("effect", "")).lower()
        if effect not in ("allow", "deny"):
            raise ValidationError(
                f"Bucket policy statement {index} has effect {given.get('effect')!r}, not Allow or Deny."
            )
        missing = [name for name in ("principal", "action", "resource") if not given.get(name)]
        if missing:
            raise ValidationError(f"Bucket policy statement {index} lacks {', '.join(missing)}.")
    return policy


def read_policy(cos: CosApi, bucket: str) -> dict | None:
    answer = read_optional(cos, "get_bucket_policy", bucket)
    return load_policy(answer["Policy"]) if answer and answer.get("Policy") else None


# Lifecycle


def read_lifecycle(cos: CosApi, bucket: str) -> list:
    return rules_from_api(read_optional(cos, "get_bucket_lifecycle", bucket))


# The settings cos_bucket manages, each with its reader; cos_bucket_info adds the lifecycle rules.
SETTING_READERS = {
    "acl": read_acl,
    "versioning": read_versioning,
    "tags": read_tags,
    "encryption": read_encryption,
    "cors_rules": read_cors,
    "policy": read_policy,
}


# Objects


def object_stats(cos: CosApi, bucket: str, prefix: str = "", cap: int | None = None) -> dict:
    """Count and total size of the current objects under a prefix; `truncated` when there are more than `cap`."""
    count = size = 0
    for item in objects(cos, bucket, prefix):
        if cap is not None and count >= cap:
            return {"count": count, "size": size, "truncated": True}
        count += 1
        size += int(item.get("Size") or 0)
    return {"count": count, "size": size, "truncated": False}


def bucket_contents(cos: CosApi, bucket: str, cap: int) -> dict:
    """How many object versions (delete markers included) and incomplete uploads keep a bucket from being deleted.

    Counting stops at `cap` of each; `truncated` then says the real numbers are larger.
    """
    versions = len(list(itertools.islice(object_versions(cos, bucket), cap)))
    uploads = len(list(itertools.islice(multipart_uploads(cos, bucket), cap)))
    return {"objects": versions, "uploads": uploads, "truncated": versions >= cap or uploads >= cap}


def empty_bucket(cos: CosApi, bucket: str) -> int:
    """Abort every incomplete upload and delete every object version and delete marker; return how many were deleted."""
    for upload in list(multipart_uploads(cos, bucket)):
        cos.call("abort_multipart_upload", Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    # Every version by its id, "null" included: a delete without one would only add a delete marker.
    versions = [
        {"Key": item["Key"], "VersionId": item["VersionId"]} if item.get("VersionId") else {"Key": item["Key"]}
        for item in object_versions(cos, bucket)
    ]
    return delete_objects(cos, bucket, versions)
