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
    verb = VERBS.get(method, method.title())
    if "uploads" in args and method == "GET":
        return "ListMultipartUploads"
    if "delete" in args and method == "POST":
        return "DeleteMultipleObjects"
    if "versions" in args and method == "GET":
        return "GetBucketObjectVersions"
    for name, suffix in BUCKET_SUBRESOURCES.items():
        if name in args:
            return f"{verb}Bucket{suffix}"
    if method == "POST":
        return "PostObject"
    return {"GET": "GetBucket", "PUT": "PutBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(
        method, f"{verb}Bucket"
    )


def object_operation(method: str, args: dict, headers: dict) -> str:
    verb = VERBS.get(method, method.title())
    copies = "x-cos-copy-source" in headers or "x-amz-copy-source" in headers
    if "uploadId" in args:
        return {
            "PUT": "UploadPartCopy" if copies else "UploadPart",
            "GET": "ListParts",
            "POST": "CompleteMultipartUpload",
            "DELETE": "AbortMultipartUpload",
        }.get(method, f"{verb}MultipartUpload")
    if "uploads" in args and method == "POST":
        return "InitiateMultipartUpload"
    if "restore" in args and method == "POST":
        return "PostObjectRestore"
    for name, suffix in OBJECT_SUBRESOURCES.items():
        if name in args:
            return f"{verb}Object{suffix}"
    if method == "PUT" and copies:
        return "PutObjectCopy"
    return f"{verb}Object"
