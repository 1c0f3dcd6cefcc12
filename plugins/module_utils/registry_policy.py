# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The least-privilege CAM policy for a registry's storage: exactly the COS actions its storage driver calls.

Object actions, batch delete included (COS authorizes it for every key it deletes), are granted on `<bucket>/<root>/*`
only. Listing is a bucket-level action, so it is granted on the bucket resource with a `cos:prefix` condition that
keeps it inside the root directory. Nothing touches bucket
configuration (lifecycle, ACL, policy, CORS) or the bucket itself. Pure functions: no SDK, no Ansible.
"""

from __future__ import annotations

import re

from ansible_collections.cosops.registry.plugins.module_utils.errors import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils.naming import (
    split_bucket,
    validate_appid,
    validate_bucket,
    validate_region,
)

# (COS action, the storage driver operations that call it); granted on objects under the root directory.
OBJECT_ACTIONS = (
    ("GetObject", "GetContent and Reader: read manifests, links and blobs; the source of a Move (copy)"),
    ("HeadObject", "Stat: size and modification time of a file"),
    ("PutObject", "PutContent: write links, manifests and upload state; the destination of a Move (PUT Object - Copy)"),
    ("DeleteObject", "Delete: removing a single key"),
    ("DeleteMultipleObjects", "Delete: remove every key under a path in batches; authorized for each key deleted"),
    ("InitiateMultipartUpload", "Writer: start a blob upload; Move of a blob larger than 32 MiB"),
    ("UploadPart", "Writer: each chunk of a blob upload; Upload Part - Copy when moving a blob larger than 32 MiB"),
    ("CompleteMultipartUpload", "Writer Commit: finish a blob upload; Move of a blob larger than 32 MiB"),
    ("AbortMultipartUpload", "Writer Cancel: abandon a blob upload"),
    ("ListParts", "Writer in append mode: resume an upload across requests"),
)
# Bucket-level listings; the cos:prefix condition confines them to the root directory.
LISTING_ACTIONS = (
    ("GetBucket", "List, Walk, Stat of a directory and Delete: list keys under a prefix (catalog, tags, GC)"),
    ("ListMultipartUploads", "Writer in append mode: find the upload in progress for a path"),
)
ROOT_PATTERN = re.compile(r"^[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$")


def cos_action(name: str) -> str:
    return f"name/cos:{name}"


def normalize_root(rootdirectory: str | None) -> str:
    """'/registry/' -> 'registry'; '' or '/' -> '' (the whole bucket). Refuses wildcards and relative segments."""
    root = (rootdirectory or "").strip("/")
    if root and (not ROOT_PATTERN.match(root) or any(part in (".", "..") for part in root.split("/"))):
        raise ValidationError(
            f"Root directory {rootdirectory!r} may use only letters, digits and ._- in '/'-separated parts, "
            "without '.' or '..' parts or wildcards."
        )
    return root


def qualified_bucket(bucket: str, appid: str, region: str) -> str:
    """The full `<name>-<appid>` bucket name; a name already ending in another AppId is refused."""
    short, found = split_bucket(bucket or "")
    if found is None:
        return validate_bucket(f"{bucket}-{appid}", region)
    if found != appid:
        raise ValidationError(f"Bucket {bucket!r} ends in AppId {found}, not in the account's AppId {appid}.")
    return validate_bucket(bucket, region)


def bucket_resource(bucket: str, region: str, appid: str) -> str:
    return f"qcs::cos:{region}:uid/{appid}:{bucket}/*"


def registry_cam_policy(bucket: str, region: str, appid, rootdirectory: str | None = "") -> dict:
    """The CAM policy document a registry with this COS storage needs, and nothing more."""
    region = validate_region(region)
    appid = validate_appid(appid)
    bucket = qualified_bucket(bucket, appid, region)
    root = normalize_root(rootdirectory)
    everything = bucket_resource(bucket, region, appid)
    objects = f"qcs::cos:{region}:uid/{appid}:{bucket}/{root}/*" if root else everything
    listing = {
        "effect": "allow",
        "action": [cos_action(name) for name, _purpose in LISTING_ACTIONS],
        "resource": [everything],
    }
    if root:
        listing["condition"] = {"string_like": {"cos:prefix": [f"{root}/*"]}}
    return {
        "version": "2.0",
        "statement": [
            {
                "effect": "allow",
                "action": [cos_action(name) for name, _purpose in OBJECT_ACTIONS],
                "resource": [objects],
            },
            listing,
        ],
    }
