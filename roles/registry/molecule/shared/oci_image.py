"""Write an OCI image layout with one random gzip layer: python oci_image.py DIR TAG SIZE."""

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def write_blob(layout: str, data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as blob:
        blob.write(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def layer(size: int) -> tuple:
    payload = os.urandom(size)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("random.bin")
        info.size = size
        tar.addfile(info, io.BytesIO(payload))
    tar_bytes = archive.getvalue()
    return gzip.compress(tar_bytes, mtime=0), hashlib.sha256(tar_bytes).hexdigest()


def main(layout: str, tag: str, size: int) -> None:
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    compressed, diff_id = layer(size)
    layer_desc = write_blob(layout, compressed)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]},
        "config": {},
    }
    config_desc = write_blob(layout, json.dumps(config).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_desc},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer_desc}],
    }
    manifest_desc = write_blob(layout, json.dumps(manifest).encode())
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **manifest_desc,
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    }
    with open(os.path.join(layout, "index.json"), "w", encoding="utf-8") as index_file:
        json.dump(index, index_file)
    with open(os.path.join(layout, "oci-layout"), "w", encoding="utf-8") as marker:
        json.dump({"imageLayoutVersion": "1.0.0"}, marker)
    print(json.dumps({"layers": [layer_desc["digest"]], "config": config_desc["digest"]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
