"""Nothing lost: deleting a bucket that holds objects or an incomplete upload is refused unless forced, and the
refusal deletes nothing."""

from __future__ import annotations

import pytest

from emulator import clients
from tests.support import ansible_runner

DELETES = ("cos:DeleteBucket", "cos:DeleteObject", "cos:DeleteMultipleObjects", "cos:AbortMultipartUpload")


def root_cos(emulator):
    return clients.cos_client(emulator.url, emulator.iam.root_secret_id, emulator.iam.root_secret_key)


@pytest.mark.parametrize("content", ["object", "incomplete upload"])
def test_bucket_absent_without_force_keeps_a_bucket_with_data(emulator, control, content, figures):
    bucket = f"keep-{emulator.appid}"
    root = root_cos(emulator)
    root.create_bucket(Bucket=bucket)
    if content == "object":
        root.put_object(Bucket=bucket, Key="registry/docker/registry/v2/blobs/data", Body=b"an image layer")
    else:
        root.create_multipart_upload(Bucket=bucket, Key="registry/docker/registry/v2/uploads/data")
    control.clear_counters()
    result = ansible_runner.run_module(emulator, "cos_bucket", {"name": bucket, "state": "absent"})
    assert result.get("failed") and bucket in result["msg"]
    assert not set(DELETES) & set(control.counters()["operations"])
    root.head_bucket(Bucket=bucket)
    kept = root.list_objects(Bucket=bucket).get("Contents") or root.list_multipart_uploads(Bucket=bucket).get("Upload")
    assert kept, f"the bucket's {content} is gone"
    figures.add("nothing_lost_checks")
