# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The least-privilege CAM policy for a registry's storage: exactly the COS actions its storage driver calls.

Object actions, batch delete included (COS authorizes it for every key it deletes), are granted on `<bucket>/<root>/*`
only. Listing is a bucket-level action, so it is granted on the bucket resource with a `cos:prefix` condition that
keeps it inside the root directory. COS compares that prefix URL-encoded (`registry%2F`); the plain form is listed
too, so the policy holds whichever way a region compares it. Nothing touches bucket configuration (lifecycle, ACL,
policy, CORS) or the bucket itself. Pure functions: no SDK, no Ansible.
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import (
    qualify_bucket,
    validate_appid,
    validate_region,
    validate_registry_root,
)

# (COS action, the storage driver operations that call it, the document that names the action); granted on objects
# under the root directory.
OBJECT_ACTIONS = (
    ("GetObject", "GetContent and Reader: manifests, links, blobs; the source of a Move", "api 436/7753, 436/10881"),
    ("HeadObject", "Stat: size and modification time of a file", "api 436/7745"),
    ("PutObject", "PutContent: links, manifests, upload state; Upload Part - Copy of a large Move", "api 436/7749"),
    ("PutObjectCopy", "Move (commit of every blob upload): PUT Object - Copy", "api 436/10881"),
    ("PutObjectACL", "every write: the s3 driver sends its objectacl (x-amz-acl: private) with it", "COSCLI docs"),
    ("DeleteObject", "Delete of a key, and of every key a batch delete removes", "api 436/7743, 436/8289"),
    ("DeleteMultipleObjects", "Delete of a directory: batch delete, confined to the root directory", "api 436/8289"),
    ("InitiateMultipartUpload", "Writer: start a blob upload; Upload Part - Copy of a large Move", "api 436/7746"),
    ("UploadPart", "Writer: each chunk of a blob upload", "api 436/7750"),
    ("ListParts", "Writer in append mode: resume an upload; Upload Part - Copy", "api 436/7747"),
    ("ListMultipartUploads", "Upload Part - Copy lists it on the destination object", "product 436/8287"),
    ("CompleteMultipartUpload", "Writer Commit: finish a blob upload; Upload Part - Copy", "api 436/7742"),
    ("AbortMultipartUpload", "Writer Cancel: abandon a blob upload; Upload Part - Copy", "api 436/7740"),
)
# Bucket-level listings; the cos:prefix condition confines them to the root directory.
LISTING_ACTIONS = (
    ("GetBucket", "List, Walk, Stat, Delete: keys under a prefix (catalog, tags, GC, upload purging)", "api 436/7734"),
    ("ListMultipartUploads", "Writer in append mode: find the upload in progress for a path", "api 436/7736"),
)
# COS calls (as the client layer names them) that CAM authorizes under other action names; any other call needs the
# action of its own name. Upload Part - Copy needs a whole set on the destination (api 436/8287).
CALL_ACTIONS = {
    "ListObjects": ("GetBucket",),
    "ListBuckets": ("GetService",),
    "CreateMultipartUpload": ("InitiateMultipartUpload",),
    "DeleteObjects": ("DeleteObject",),
    "CopyObject": ("PutObjectCopy",),
    "UploadPartCopy": (
        "PutObject",
        "InitiateMultipartUpload",
        "ListMultipartUploads",
        "ListParts",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
    ),
}
# Actions granted on the bucket, not on the objects under the root directory: the listings and bucket reads.
BUCKET_LEVEL_ACTIONS = frozenset(name for name, _purpose, _source in LISTING_ACTIONS) | {"HeadBucket", "GetBucketLifecycle"}


def cos_action(name: str) -> str:
    return f"name/cos:{name}"


def call_actions(call: str) -> tuple[str, ...]:
    """The CAM actions (without `name/cos:`) a COS call needs, such as ('GetBucket',) for ListObjects."""
    return CALL_ACTIONS.get(call, (call,))


def listing_prefixes(root: str) -> list[str]:
    """The root directory as a cos:prefix pattern, URL-encoded as COS compares it (product 436/46206), then plain."""
    return [quote(root, safe="-_.~") + "%2F*", f"{root}/*"]


def bucket_resource(bucket: str, region: str, appid: str) -> str:
    return f"qcs::cos:{region}:uid/{appid}:{bucket}/*"


def cos_location(bucket: str, region: str, appid, rootdirectory: str | None) -> tuple[str, str, str, str]:
    """(bucket, region, appid, root) checked and completed: the bucket with its `-<appid>`, the root without slashes."""
    region = validate_region(region)
    appid = validate_appid(appid)
    bucket = qualify_bucket(bucket, appid, region)[0]
    return bucket, region, appid, validate_registry_root(rootdirectory)


def listing_statement(bucket: str, region: str, appid: str, root: str, actions) -> dict:
    """Bucket-level listings, confined by a cos:prefix condition to the root directory when there is one."""
    listing = {
        "effect": "allow",
        "action": [cos_action(name) for name in actions],
        "resource": [bucket_resource(bucket, region, appid)],
    }
    if root:
        listing["condition"] = {"string_like": {"cos:prefix": listing_prefixes(root)}}
    return listing


def registry_cam_policy(bucket: str, region: str, appid, rootdirectory: str | None = "") -> dict:
    """The CAM policy document a registry with this COS storage needs, and nothing more."""
    bucket, region, appid, root = cos_location(bucket, region, appid, rootdirectory)
    everything = bucket_resource(bucket, region, appid)
    objects = f"qcs::cos:{region}:uid/{appid}:{bucket}/{root}/*" if root else everything
    return {
        "version": "2.0",
        "statement": [
            {
                "effect": "allow",
                "action": [cos_action(name) for name, _purpose, _source in OBJECT_ACTIONS],
                "resource": [objects],
            },
            listing_statement(bucket, region, appid, root, [name for name, _purpose, _source in LISTING_ACTIONS]),
        ],
    }
