"""Which COS operation a request is: the name counters, faults and CAM authorization use."""

from __future__ import annotations

from dataclasses import dataclass

from .addressing import Target

SERVICE, BUCKET, OBJECT = "service", "bucket", "object"
VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head", "POST": "Post", "OPTIONS": "Options"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Bucket sub-resources whose COS operation name differs from Verb + "Bucket" + capitalised sub-resource.
BUCKET_SUBRESOURCES = {
    "acl": "ACL",
    "cors": "CORS",
    "lifecycle": "Lifecycle",
    "versioning": "Versioning",
    "tagging": "Tagging",
    "policy": "Policy",
    "encryption": "Encryption",
    "location": "Location",
    "website": "Website",
    "referer": "Referer",
    "logging": "Logging",
    "replication": "Replication",
    "inventory": "Inventory",
    "notification": "Notification",
    "object-lock": "ObjectLock",
    "intelligenttiering": "IntelligentTiering",
    "accelerate": "Accelerate",
    "domain": "Domain",
    "origin": "Origin",
}
OBJECT_SUBRESOURCES = {"acl": "ACL", "tagging": "Tagging", "restore": "Restore", "retention": "Retention"}
# (query parameter, method) pairs whose operation has a name of its own, checked before the sub-resources.
BUCKET_QUERY_OPERATIONS = {
    ("uploads", "GET"): "ListMultipartUploads",
    ("delete", "POST"): "DeleteMultipleObjects",
    ("versions", "GET"): "GetBucketObjectVersions",
}
OBJECT_QUERY_OPERATIONS = {("uploads", "POST"): "InitiateMultipartUpload", ("restore", "POST"): "PostObjectRestore"}
# The CAM actions a request is authorized as, where COS's documents name others than the operation itself; the source
# read of a copy is checked apart.
DOCUMENTED_ACTIONS = {
    # api 436/10881: action cos:PutObjectCopy, and a copy "equals a PUT Object on the destination": both (stricter).
    "cos:PutObjectCopy": ("cos:PutObjectCopy", "cos:PutObject"),
    # product 436/8287: the multipart set and PutObject on the destination path.
    "cos:UploadPartCopy": (
        "cos:InitiateMultipartUpload",
        "cos:ListMultipartUploads",
        "cos:ListParts",
        "cos:PutObject",
        "cos:CompleteMultipartUpload",
        "cos:AbortMultipartUpload",
    ),
}
# Uploads whose ACL headers count as a PutObjectACL (COSCLI documentation: the ACL sent with an upload).
UPLOADS = {"cos:PutObject", "cos:PutObjectCopy", "cos:InitiateMultipartUpload", "cos:PostObject"}


@dataclass(frozen=True)
class Operation:
    """name like cos:PutObject; level says which CAM resource it is authorized on."""

    name: str
    writes: bool
    level: str

    @property
    def actions(self) -> tuple[str, ...]:
        """The CAM actions needed on the request's own resource."""
        return tuple("name/" + name for name in DOCUMENTED_ACTIONS.get(self.name, (self.name,)))


def classify(method: str, target: Target, args: dict, headers: dict) -> Operation:
    """args: the query parameters (names matter, values mostly not); headers: lower-case names."""
    method = method.upper()
    writes = method not in READ_METHODS
    if not target.bucket:
        return Operation("cos:GetService", False, SERVICE)
    if target.key is None:
        return Operation("cos:" + bucket_operation(method, args), writes, BUCKET)
    return Operation("cos:" + object_operation(method, args, headers), writes, OBJECT)


def bucket_operation(method: str, args: dict) -> str:
    named = query_operation(method, args, BUCKET_QUERY_OPERATIONS, BUCKET_SUBRESOURCES, "Bucket")
    if named:
        return named
    if method == "POST":
        return "PostObject"
    return {"GET": "GetBucket", "PUT": "PutBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(
        method, f"{method_verb(method)}Bucket"
    )


def object_operation(method: str, args: dict, headers: dict) -> str:
    copies = "x-cos-copy-source" in headers or "x-amz-copy-source" in headers
    if "uploadId" in args:
        return {
            "PUT": "UploadPartCopy" if copies else "UploadPart",
            "GET": "ListParts",
            "POST": "CompleteMultipartUpload",
            "DELETE": "AbortMultipartUpload",
        }.get(method, f"{method_verb(method)}MultipartUpload")
    named = query_operation(method, args, OBJECT_QUERY_OPERATIONS, OBJECT_SUBRESOURCES, "Object")
    if named:
        return named
    if method == "PUT" and copies:
        return "PutObjectCopy"
    return f"{method_verb(method)}Object"


def query_operation(method: str, args: dict, operations: dict, subresources: dict, resource: str) -> str | None:
    """The operation a query parameter names (?uploads, ?acl, ...) on a bucket or an object; None if none does."""
    for (name, name_method), operation in operations.items():
        if name in args and method == name_method:
            return operation
    for name, suffix in subresources.items():
        if name in args:
            return f"{method_verb(method)}{resource}{suffix}"
    return None


def method_verb(method: str) -> str:
    return VERBS.get(method, method.title())
