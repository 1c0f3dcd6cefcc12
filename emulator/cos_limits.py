"""COS request bodies checked against COS's documents: element names, counts, lengths and values, one rule a function.

Each rule names its document (api or product 436 = COS). Where the document names the error code, that code is
answered; where it names none, a value outside a documented limit gets COS's generic 400 `InvalidArgument` and a body
that does not follow the documented element names 400 `MalformedXML` (both in COS's error code list, api 436/7730).
Where documents disagree, the stricter figure is taken.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Callable, Iterable

from .documents import local_name
from .errors import CosError

MIB = 1024 * 1024
# api 436/7750: parts are 1 MB to 5 GB, numbered 1 to 10,000; "MB" read as MiB, the larger (stricter) figure.
MIN_PART_SIZE = MIB
MAX_PART_NUMBER = 10000
MAX_LIFECYCLE_RULES = 1000  # api 436/8280
MAX_RULE_ID = 255  # api 436/8280, product 436/17029
LIFECYCLE_STATUSES = {"Enabled", "Disabled"}  # api 436/8280
MAX_BUCKET_TAGS = 50  # api 436/8281
# product 436/31509: keys 1-127 and values 1-255 characters (api 436/8281 says up to 128 and 256: the stricter kept;
# an older revision of 436/31509 allowed empty ones: refused) of UTF-8 letters, digits, spaces and + - = . _ : / @.
MAX_TAG_KEY = 127
MAX_TAG_VALUE = 255
TAG_TEXT = re.compile(r"(?:[^\W_]|[ +\-=._:/@])+")
RESERVED_TAG_PREFIXES = ("qcs:", "project")  # product 436/31509
MAX_CORS_RULES = 100  # api 436/8279
# The largest body each document may be, where its page gives one.
MAX_DOCUMENT_SIZE = {"cos:PutBucketCORS": 64 * 1024}  # api 436/8279
CORS_METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"}  # api 436/8279
VERSIONING_STATUSES = {"Enabled", "Suspended"}  # api 436/19889
ENCRYPTION_ALGORITHMS = {"AES256", "KMS", "SM4"}  # api 436/40136
MAX_DELETE_KEYS = 1000  # api 436/8289
POLICY_EFFECTS = {"allow", "deny"}  # product 436/46206
# The element names each documented body may hold.
ELEMENTS = {
    # api 436/8280
    "cos:PutBucketLifecycle": {
        "LifecycleConfiguration", "Rule", "ID", "Filter", "And", "Prefix", "PrefixNotEquals", "Tag", "Key", "Value",
        "ObjectSizeGreaterThan", "ObjectSizeLessThan", "Status", "Transition", "Days", "Date", "StorageClass",
        "Expiration", "ExpiredObjectDeleteMarker", "NoncurrentVersionExpiration", "NoncurrentDays",
        "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload", "DaysAfterInitiation", "AccessFrequency",
        "AccessCountLessThan", "RecentDays",
    },
    "cos:PutBucketTagging": {"Tagging", "TagSet", "Tag", "Key", "Value"},  # api 436/8281
    "cos:PutBucketCORS": {  # api 436/8279
        "CORSConfiguration", "CORSRule", "ID", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader",
        "MaxAgeSeconds", "ResponseVary",
    },
    "cos:PutBucketVersioning": {"VersioningConfiguration", "Status"},  # api 436/19889
    "cos:PutBucketEncryption": {  # api 436/40136
        "ServerSideEncryptionConfiguration", "Rule", "ApplyServerSideEncryptionByDefault", "SSEAlgorithm",
        "KMSMasterKeyID",
    },
    "cos:DeleteMultipleObjects": {"Delete", "Quiet", "Object", "Key", "VersionId"},  # api 436/8289
}  # fmt: skip


def malformed(message: str) -> CosError:
    return CosError(400, "MalformedXML", f"The XML you provided was not well-formed or did not validate: {message}")


def invalid(message: str) -> CosError:
    return CosError(400, "InvalidArgument", message)


def parse(document: bytes) -> ET.Element:
    try:
        return ET.fromstring(document)
    except ET.ParseError:
        raise malformed("it does not parse") from None


def named(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if local_name(element.tag) == name]


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local_name(child.tag) == name]


def text_of(element: ET.Element, name: str) -> str | None:
    found = children(element, name)
    return (found[0].text or "").strip() if found else None


def check_element_names(root: ET.Element, allowed: set[str]) -> None:
    unknown = sorted({local_name(element.tag) for element in root.iter()} - allowed)
    if unknown:
        raise malformed(f"elements {', '.join(unknown)} are not part of this document")


# --- lifecycle (api 436/8280, product 436/17029) -----------------------------------------------------------------


def lifecycle_rule_count(root: ET.Element) -> None:
    """A bucket holds at most 1,000 lifecycle rules (api 436/8280)."""
    count = len(named(root, "Rule"))
    if count > MAX_LIFECYCLE_RULES:
        raise invalid(f"{count} lifecycle rules; a bucket holds at most {MAX_LIFECYCLE_RULES}.")


def lifecycle_rule_ids(root: ET.Element) -> None:
    """A rule ID is at most 255 characters (api 436/8280)."""
    for rule in named(root, "Rule"):
        rule_id = text_of(rule, "ID") or ""
        if len(rule_id) > MAX_RULE_ID:
            raise invalid(f"The lifecycle rule ID is {len(rule_id)} characters; at most {MAX_RULE_ID}.")


def lifecycle_status(root: ET.Element) -> None:
    """Every rule has a Status, Enabled or Disabled (api 436/8280)."""
    for rule in named(root, "Rule"):
        if text_of(rule, "Status") not in LIFECYCLE_STATUSES:
            raise malformed(f"a lifecycle rule's Status must be Enabled or Disabled, not {text_of(rule, 'Status')!r}")


def lifecycle_days_or_date(root: ET.Element) -> None:
    """Days and Date are not both used in one rule (api 436/8280)."""
    for rule in named(root, "Rule"):
        if named(rule, "Days") and named(rule, "Date"):
            raise invalid(f"Lifecycle rule {text_of(rule, 'ID') or ''!r} uses both Days and Date; use one rule each.")


def lifecycle_days(root: ET.Element) -> None:
    """Expiration Days are positive, Transition Days may be 0 (api 436/8280, product 436/17029)."""
    for parent, least in (("Expiration", 1), ("Transition", 0)):
        for element in named(root, parent):
            days = text_of(element, "Days")
            if days is not None and not (days.isdigit() and int(days) >= least):
                raise invalid(f"{parent} Days must be an integer of at least {least}, not {days!r}.")


# --- bucket tags (api 436/8281, product 436/31509) ----------------------------------------------------------------


def tag_pairs(root: ET.Element) -> list[tuple[str, str]]:
    return [(text_of(tag, "Key") or "", text_of(tag, "Value") or "") for tag in named(root, "Tag")]


def bucket_tag_count(root: ET.Element) -> None:
    """A bucket holds at most 50 different tags (api 436/8281)."""
    keys = [key for key, value in tag_pairs(root)]
    if len(keys) > MAX_BUCKET_TAGS:
        raise invalid(f"{len(keys)} tags; a bucket holds at most {MAX_BUCKET_TAGS}.")
    if len(set(keys)) != len(keys):
        raise invalid("The tags must have different keys.")


def bucket_tag_keys(root: ET.Element) -> None:
    """Keys: 1-127 characters of the documented set, not starting with qcs: or project (product 436/31509)."""
    for key, value in tag_pairs(root):
        if not 1 <= len(key) <= MAX_TAG_KEY or not TAG_TEXT.fullmatch(key):
            raise invalid(f"Tag key {key!r} must be 1-{MAX_TAG_KEY} letters, digits, spaces or + - = . _ : / @.")
        if key.lower().startswith(RESERVED_TAG_PREFIXES):
            raise invalid(f"Tag key {key!r} starts with a reserved prefix (qcs: or project).")


def bucket_tag_values(root: ET.Element) -> None:
    """Values: 1-255 characters of the documented set (product 436/31509)."""
    for key, value in tag_pairs(root):
        if not 1 <= len(value) <= MAX_TAG_VALUE or not TAG_TEXT.fullmatch(value):
            raise invalid(f"Tag {key!r} value must be 1-{MAX_TAG_VALUE} letters, digits, spaces or + - = . _ : / @.")


# --- CORS (api 436/8279) ------------------------------------------------------------------------------------------


def cors_rule_count(root: ET.Element) -> None:
    """At most 100 CORSRule (api 436/8279)."""
    count = len(named(root, "CORSRule"))
    if not 1 <= count <= MAX_CORS_RULES:
        raise invalid(f"{count} CORS rules; give 1 to {MAX_CORS_RULES}.")


def cors_rule_required(root: ET.Element) -> None:
    """Each rule has at least one AllowedOrigin and one AllowedMethod (api 436/8279: both required)."""
    for rule in named(root, "CORSRule"):
        if not children(rule, "AllowedOrigin") or not children(rule, "AllowedMethod"):
            raise malformed("each CORSRule needs AllowedOrigin and AllowedMethod")


def cors_methods(root: ET.Element) -> None:
    """AllowedMethod is one of GET, PUT, POST, DELETE, HEAD (api 436/8279)."""
    for element in named(root, "AllowedMethod"):
        if (element.text or "").strip() not in CORS_METHODS:
            raise invalid(f"AllowedMethod {element.text!r} is not one of {', '.join(sorted(CORS_METHODS))}.")


# --- versioning, encryption, batch delete -------------------------------------------------------------------------


def versioning_status(root: ET.Element) -> None:
    """Status is Enabled or Suspended (api 436/19889)."""
    if text_of(root, "Status") not in VERSIONING_STATUSES:
        raise malformed(f"versioning Status must be Enabled or Suspended, not {text_of(root, 'Status')!r}")


def encryption_algorithm(root: ET.Element) -> None:
    """SSEAlgorithm is AES256, KMS or SM4 (api 436/40136)."""
    algorithms = [(element.text or "").strip() for element in named(root, "SSEAlgorithm")]
    if not algorithms or any(algorithm not in ENCRYPTION_ALGORITHMS for algorithm in algorithms):
        raise malformed(f"SSEAlgorithm must be one of {', '.join(sorted(ENCRYPTION_ALGORITHMS))}, not {algorithms}")


def delete_key_count(root: ET.Element) -> None:
    """A batch delete names 1 to 1,000 keys (api 436/8289)."""
    count = len(named(root, "Object"))
    if not 1 <= count <= MAX_DELETE_KEYS:
        raise malformed(f"{count} objects in one batch delete; give 1 to {MAX_DELETE_KEYS}")


# --- bucket policy (api 436/8282, product 436/46206) -----------------------------------------------------------------


def check_policy(document: bytes) -> None:
    """A JSON policy whose statements each have principal, effect (allow/deny), action and resource (api 436/8282)."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise invalid("The bucket policy is not JSON.") from None
    statements = lowered(policy).get("statement") if isinstance(policy, dict) else None
    if not isinstance(statements, list) or not statements:
        raise invalid("The bucket policy needs a non-empty statement list.")
    for statement in statements:
        statement = lowered(statement) if isinstance(statement, dict) else {}
        missing = [name for name in ("principal", "effect", "action", "resource") if not statement.get(name)]
        if missing:
            raise invalid(f"A bucket policy statement lacks {', '.join(missing)}.")
        if str(statement["effect"]).lower() not in POLICY_EFFECTS:
            raise invalid(f"A bucket policy statement's effect must be allow or deny, not {statement['effect']!r}.")


def lowered(mapping: dict) -> dict:
    """The policy page's example capitalises keys that the policy language page writes in lower case: both read."""
    return {str(key).lower(): value for key, value in mapping.items()}


# --- multipart (api 436/7750, 436/7742) ------------------------------------------------------------------------------


def check_part_number(value: str | None) -> None:
    """Upload Part's partNumber is 1 to 10,000 (api 436/7750)."""
    if not (value or "").isdigit() or not 1 <= int(value) <= MAX_PART_NUMBER:
        raise invalid(f"partNumber {value!r} must be an integer from 1 to {MAX_PART_NUMBER}.")


def check_completion(numbers: list[int]) -> None:
    """Complete Multipart Upload (api 436/7742): part numbers 1-10,000 (436/7750), in ascending order (400
    InvalidPartOrder) and without gaps (400 InvalidPart)."""
    if not numbers:
        raise malformed("CompleteMultipartUpload names no Part")
    if any(not 1 <= number <= MAX_PART_NUMBER for number in numbers):
        raise invalid(f"Part numbers must be from 1 to {MAX_PART_NUMBER}.")
    if numbers != sorted(set(numbers)):
        raise CosError(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise CosError(400, "InvalidPart", "The part numbers are not consecutive.")


def check_part_sizes(sizes: list[int]) -> None:
    """Every part but the last is at least 1 MB (api 436/7742: 400 EntityTooSmall; 436/7750)."""
    if any(size < MIN_PART_SIZE for size in sizes[:-1]):
        raise CosError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")


def document_size(operation: str, document: bytes) -> None:
    limit = MAX_DOCUMENT_SIZE.get(operation)
    if limit is not None and len(document) > limit:
        raise invalid(f"The document is {len(document)} bytes; {operation} takes at most {limit}.")


def check_request(operation: str, args: dict) -> None:
    """Query parameters COS limits, before any body is read."""
    if operation in ("cos:UploadPart", "cos:UploadPartCopy"):
        check_part_number(args.get("partNumber"))


# --- dispatch ------------------------------------------------------------------------------------------------------

XML_RULES: dict[str, tuple[Callable[[ET.Element], None], ...]] = {
    "cos:PutBucketLifecycle": (
        lifecycle_rule_count,
        lifecycle_rule_ids,
        lifecycle_status,
        lifecycle_days_or_date,
        lifecycle_days,
    ),
    "cos:PutBucketTagging": (bucket_tag_count, bucket_tag_keys, bucket_tag_values),
    "cos:PutBucketCORS": (cors_rule_count, cors_rule_required, cors_methods),
    "cos:PutBucketVersioning": (versioning_status,),
    "cos:PutBucketEncryption": (encryption_algorithm,),
    "cos:DeleteMultipleObjects": (delete_key_count,),
}


def check_document(operation: str, document: bytes) -> None:
    """The body of a bucket configuration request or batch delete, as COS's document for the operation allows it."""
    if operation == "cos:PutBucketPolicy":
        check_policy(document)
        return
    rules: Iterable = XML_RULES.get(operation, ())
    if not rules:
        return
    document_size(operation, document)
    root = parse(document)
    check_element_names(root, ELEMENTS[operation])
    for rule in rules:
        rule(root)
