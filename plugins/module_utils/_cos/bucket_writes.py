# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""COS bucket writes, beside the reads of bucket.py: create, apply each managed setting, delete.

Every function compares in canonical form first and writes only what differs; in check mode it writes nothing and
returns what it would have written, so check mode predicts the real run.
"""

from __future__ import annotations

import json

from ansible_collections.cosops.registry.plugins.module_utils._cos import bucket as cos_bucket
from ansible_collections.cosops.registry.plugins.module_utils._rules.policy_documents import load_policy, policies_equal
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import CosApi

# How far counting goes before a refusal to delete a non-empty bucket gives a lower bound.
COUNT_CAP = 10000
# A bucket COS has just created: what reading it would return.
NEW_BUCKET = {
    "acl": "private",
    "versioning": "disabled",
    "tags": {},
    "encryption": {"algorithm": "none"},
    "cors_rules": [],
    "policy": None,
}


def desired_settings(params: dict) -> dict:
    """The managed settings of cos_bucket's options in canonical form, validated; unset options are left out."""
    desired = {}
    if params["acl"] is not None:
        desired["acl"] = params["acl"]
    if params["versioning"] is not None:
        desired["versioning"] = params["versioning"]
    if params["tags"] is not None:
        desired["tags"] = cos_bucket.validate_tags(params["tags"])
    if params["encryption"] is not None:
        desired["encryption"] = cos_bucket.desired_encryption(params["encryption"], params["encryption_key_id"])
    elif params["encryption_key_id"] is not None:
        raise ValidationError(f"encryption_key_id {params['encryption_key_id']!r} needs encryption=KMS.")
    if params["cors_rules"] is not None:
        desired["cors_rules"] = cos_bucket.cors_from_options(params["cors_rules"])
    if params["policy"] is not None:
        text = params["policy"].strip()
        document = load_policy(text) if text else {}
        desired["policy"] = cos_bucket.validate_bucket_policy(document) if document else None
    return desired


class BucketWriter:
    """The writes to one bucket; `check_mode` sends none of them."""

    def __init__(self, api: CosApi, bucket: str, check_mode: bool, purge_tags: bool = True):
        self.api = api
        self.bucket = bucket
        self.check_mode = check_mode
        self.purge_tags = purge_tags

    def call(self, method: str, **arguments) -> None:
        if not self.check_mode:
            self.api.call(method, Bucket=self.bucket, **arguments)

    def put_or_delete(self, setting: str, **put_arguments) -> None:
        """put_bucket_<setting> with the arguments given, or delete_bucket_<setting> when there are none."""
        if put_arguments:
            self.call(f"put_bucket_{setting}", **put_arguments)
        else:
            self.call(f"delete_bucket_{setting}")

    def create(self, acl: str | None) -> dict:
        """Create the bucket; returns what reading the new bucket gives."""
        # The ACL goes with the creation so a bucket meant to be private is never public, not even briefly.
        self.call("create_bucket", ACL=acl or "private")
        return dict(NEW_BUCKET, acl=acl or "private")

    def ensure(self, name: str, current, wanted) -> tuple[bool, object]:
        """(changed, value after) for one managed setting."""
        return getattr(self, f"ensure_{name}")(current, wanted)

    def ensure_acl(self, current: str, wanted: str):
        if current == wanted:
            return False, current
        self.call("put_bucket_acl", ACL=wanted)
        return True, wanted

    def ensure_versioning(self, current: str, wanted: str):
        if cos_bucket.versioning_matches(current, wanted):
            return False, current
        self.call("put_bucket_versioning", Status=wanted.capitalize())
        return True, wanted

    def ensure_tags(self, current: dict, wanted: dict):
        wanted = cos_bucket.desired_tags(current, wanted, self.purge_tags)
        if wanted == current:
            return False, current
        self.put_or_delete("tagging", **({"Tagging": cos_bucket.tags_to_api(wanted)} if wanted else {}))
        return True, wanted

    def ensure_encryption(self, current: dict, wanted: dict):
        if cos_bucket.encryption_matches(current, wanted):
            return False, current
        configured = wanted["algorithm"] != "none"
        put = {"ServerSideEncryptionConfiguration": cos_bucket.encryption_to_api(wanted)} if configured else {}
        self.put_or_delete("encryption", **put)
        return True, wanted

    def ensure_cors_rules(self, current: list, wanted: list):
        if current == wanted:
            return False, current
        self.put_or_delete("cors", **({"CORSConfiguration": cos_bucket.cors_to_api(wanted)} if wanted else {}))
        return True, wanted

    def ensure_policy(self, current: dict | None, wanted: dict | None):
        if wanted is None or current is None:
            unchanged = wanted is current
        else:
            unchanged = policies_equal(current, wanted)
        if unchanged:
            return False, current
        self.put_or_delete("policy", **({"Policy": json.dumps(wanted)} if wanted is not None else {}))
        return True, wanted

    def delete(self, force: bool) -> dict:
        """Delete the bucket; a non-empty one only with force, which first empties it. Returns what it held."""
        contents = cos_bucket.bucket_contents(self.api, self.bucket, COUNT_CAP)
        if (contents["objects"] or contents["uploads"]) and not force:
            at_least = "at least " if contents["truncated"] else ""
            raise ValidationError(
                f"Bucket {self.bucket!r} is not empty: it holds {at_least}{contents['objects']} objects (counting "
                f"versions and delete markers) and {contents['uploads']} incomplete multipart uploads; set force=true "
                "to delete them with the bucket."
            )
        if not self.check_mode:
            cos_bucket.empty_bucket(self.api, self.bucket)
            self.api.call("delete_bucket", Bucket=self.bucket)
        return contents


def ensure_present(writer: BucketWriter, exists: bool, desired: dict, acl: str | None):
    """Create the bucket if needed, then apply each managed setting; returns (changed, before, after).

    Only the managed settings are read: a setting not given costs no request.
    """
    if exists:
        current = {name: cos_bucket.SETTING_READERS[name](writer.api, writer.bucket) for name in desired}
        before = dict(current, exists=True)
    else:
        current = writer.create(acl)
        before = {"exists": False}
    changed = not exists
    after = {}
    for name in desired:
        setting_changed, after[name] = writer.ensure(name, current[name], desired[name])
        changed = changed or setting_changed
    return changed, before, dict(after, exists=True)
