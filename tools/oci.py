"""OCI image layouts generated on the spot (index.json, oci-layout, blobs/sha256/...), of any size, for pushing."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"


@dataclass
class OciImage:
    """An image in an OCI layout directory; `oci:<path>:<tag>` names it for skopeo."""

    path: Path
    tag: str
    manifest_digest: str
    config_digest: str
    layer_digests: list[str] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return f"oci:{self.path}:{self.tag}"

    @property
    def digests(self) -> list[str]:
        return [self.manifest_digest, self.config_digest, *self.layer_digests]

    def blob(self, digest: str) -> bytes:
        return blob_path(self.path, digest).read_bytes()


def blob_path(layout: Path, digest: str) -> Path:
    algorithm, separator, hexdigest = digest.partition(":")
    return layout / "blobs" / algorithm / hexdigest


def write_blob(layout: Path, data: bytes) -> tuple[str, int]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = blob_path(layout, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return digest, len(data)


def random_layer(size: int) -> tuple[bytes, str]:
    """A gzip'd tar holding one file of `size` random bytes (random data does not compress), and its diff id."""
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        member = tarfile.TarInfo("payload.bin")
        member.size = size
        member.mode = 0o644
        archive.addfile(member, io.BytesIO(os.urandom(size)))
    tar_bytes = tar_buffer.getvalue()
    diff_id = "sha256:" + hashlib.sha256(tar_bytes).hexdigest()
    return gzip.compress(tar_bytes, compresslevel=1, mtime=0), diff_id


def descriptor(media_type: str, digest: str, size: int, **extra) -> dict:
    return {"mediaType": media_type, "digest": digest, "size": size, **extra}


def canonical_json(document: dict) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def write_image(layout: Path, tag: str = "latest", layer_sizes: tuple[int, ...] = (1024 * 1024,)) -> OciImage:
    """An image with one random layer per size in `layer_sizes`, written as an OCI layout at `layout`."""
    layout.mkdir(parents=True, exist_ok=True)
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    layers, diff_ids = [], []
    for size in layer_sizes:
        data, diff_id = random_layer(size)
        layers.append(descriptor(LAYER_TYPE, *write_blob(layout, data)))
        diff_ids.append(diff_id)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/payload.bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    config_digest, config_size = write_blob(layout, canonical_json(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": descriptor(CONFIG_TYPE, config_digest, config_size),
        "layers": layers,
    }
    manifest_digest, manifest_size = write_blob(layout, canonical_json(manifest))
    index = {
        "schemaVersion": 2,
        "manifests": [descriptor(MANIFEST_TYPE, manifest_digest, manifest_size, annotations={REF_NAME: tag})],
    }
    (layout / "index.json").write_bytes(canonical_json(index))
    return OciImage(layout, tag, manifest_digest, config_digest, [layer["digest"] for layer in layers])


def write_images(directory: Path, tags: tuple[str, ...], layer_sizes: tuple[int, ...]) -> dict[str, OciImage]:
    """One image per tag, each written as an OCI layout of its own, named after the tag, under `directory`."""
    return {tag: write_image(directory / tag, tag, layer_sizes) for tag in tags}


def read_image(layout: Path, tag: str) -> OciImage:
    """The image tagged `tag` in an existing layout (for instance one skopeo pulled into)."""
    index = json.loads((layout / "index.json").read_text())
    entry = next(m for m in index["manifests"] if m.get("annotations", {}).get(REF_NAME) == tag)
    manifest = json.loads(blob_path(layout, entry["digest"]).read_bytes())
    return OciImage(
        layout,
        tag,
        entry["digest"],
        manifest["config"]["digest"],
        [layer["digest"] for layer in manifest["layers"]],
    )
