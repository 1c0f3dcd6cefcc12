"""The CAM actions a refused storage check call is reported with (docs/least-privilege.md)."""

from __future__ import annotations

import pytest

from ansible_collections.cosops.registry.plugins.modules.registry_storage_check import cam_action


@pytest.mark.parametrize(
    "sdk_action, action",
    [
        ("PutObject", "name/cos:PutObject"),
        ("ListObjects", "name/cos:GetBucket"),
        ("CopyObject", "name/cos:PutObjectCopy"),
        ("DeleteObjects", "name/cos:DeleteObject"),
    ],
)
def test_a_refused_call_names_its_cam_action(sdk_action, action):
    assert cam_action(sdk_action) == action


def test_a_refused_part_copy_names_the_whole_documented_set():
    """product 436/8287: any one of these missing on the destination refuses Upload Part - Copy."""
    assert cam_action("UploadPartCopy").split(", ") == [
        "name/cos:PutObject",
        "name/cos:InitiateMultipartUpload",
        "name/cos:ListMultipartUploads",
        "name/cos:ListParts",
        "name/cos:CompleteMultipartUpload",
        "name/cos:AbortMultipartUpload",
    ]
