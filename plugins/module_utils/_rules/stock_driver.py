# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the stock registry's s3 storage driver sends to COS with every write, from its `objectacl` and `storageclass`.

distribution's s3 driver (v2.8 and v3) sends both on PutObject, CreateMultipartUpload and CopyObject; `storageclass:
NONE` leaves the storage class out, so objects take the bucket's class. Pure: no SDK, no Ansible.
"""

from __future__ import annotations

NO_STORAGE_CLASS = "NONE"
# The classes distribution's s3 driver accepts (s3StorageClasses) that COS knows; a multi-AZ bucket takes only NONE.
STORAGE_CLASSES = (NO_STORAGE_CLASS, "STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING")
# The canned ACLs distribution's s3 driver accepts (validObjectACLs).
OBJECT_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
)


def upload_headers(objectacl: str, storageclass: str) -> dict:
    """The cos-python-sdk-v5 arguments (x-cos-acl, x-cos-storage-class) that carry the same headers."""
    headers = {"ACL": objectacl}
    if storageclass != NO_STORAGE_CLASS:
        headers["StorageClass"] = storageclass
    return headers
