"""The storage check leaves nothing behind, however many uploads its probe directory holds (against the emulator)."""

from __future__ import annotations

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_check import StorageCheck

from emulator import clients

BUCKET = "registry-1250000000"


@pytest.mark.slow
def test_clean_up_aborts_more_uploads_than_one_listing_page(emulator):
    root = (emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    cos = clients.cos_client(emulator.url, *root)
    cos.create_bucket(Bucket=BUCKET)
    config = DriverConfig.from_parameters(
        {
            "secretid": root[0],
            "secretkey": root[1],
            "region": clients.REGION,
            "bucket": BUCKET,
            "rootdirectory": "/registry",
            "endpoint": emulator.url,
        }
    )
    check = StorageCheck(CosDriver(config), smoke_size=1)
    probe = check.key(check.probe)
    cos.put_object(Bucket=BUCKET, Key=f"{probe}/object", Body=b"x")
    emulator.engine.start_uploads(BUCKET, [f"{probe}/upload-{number:04}" for number in range(1001)])

    check.clean_up({"multipart"})

    assert cos.list_multipart_uploads(Bucket=BUCKET).get("Upload", []) == []
    assert "Contents" not in cos.list_objects(Bucket=BUCKET, Prefix=f"{probe}/")
