"""Registries generated from a seed, in distribution's storage layout, as a registry's pushes and deletes leave them:
layers shared across repositories, image manifests (Docker schema 2 and OCI), multi-arch indexes and manifest lists,
tags moved, manifests deleted through the API (revision and the tags naming it gone, an index's child too),
referrers with a subject (tagged or not), blobs uploaded or mounted without a manifest, zero-byte blobs and blobs
larger than a multipart part.

Each operation changes `objects` (driver path -> content) the way distribution's handlers do; the generator also
keeps every manifest's references, so that a test can say what a tag reaches without the collector's code."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field

V2 = "/docker/registry/v2"
SCHEMA2 = "application/vnd.docker.distribution.manifest.v2+json"
SCHEMA2_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
SCHEMA2_CONFIG = "application/vnd.docker.container.image.v1+json"
SCHEMA2_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
# Names chosen so that distribution's order of repositories (key order at _manifests) is not plain name order.
REPOSITORY_NAMES = ("alpha", "alpha-x", "alpha/beta", "alpha/0", "team/app", "team/app2", "zeta")
LARGE_BLOB = 6 * 1024 * 1024


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob_path(digest: str) -> str:
    hexdigest = digest.split(":", 1)[1]
    return f"{V2}/blobs/sha256/{hexdigest[:2]}/{hexdigest}/data"


def repo_path(repository: str, *parts: str) -> str:
    return "/".join((f"{V2}/repositories/{repository}", *parts))


def hex_of(digest: str) -> str:
    return digest.split(":", 1)[1]


@dataclass
class Registry:
    """The storage a registry would hold after the operations below; `large` are paths written as multipart uploads."""

    objects: dict = field(default_factory=dict)
    references: dict = field(default_factory=dict)  # manifest digest -> referenced digests
    large: set = field(default_factory=set)

    # Blobs and links, as distribution writes them.

    def blob(self, data: bytes) -> str:
        digest = digest_of(data)
        self.objects[blob_path(digest)] = data
        if len(data) >= LARGE_BLOB:
            self.large.add(blob_path(digest))
        return digest

    def link_layer(self, repository: str, digest: str) -> None:
        self.objects[repo_path(repository, "_layers/sha256", hex_of(digest), "link")] = digest.encode()

    def upload(self, repository: str, data: bytes) -> str:
        """A blob pushed (or mounted) into a repository: its data and the repository's layer link."""
        digest = self.blob(data)
        self.link_layer(repository, digest)
        return digest

    def put_manifest(self, repository: str, document: dict, references: list) -> str:
        """PUT of a manifest by digest: its blob and revision link (distribution checks the references exist)."""
        digest = self.blob(json.dumps(document, indent=3).encode())
        self.objects[repo_path(repository, "_manifests/revisions/sha256", hex_of(digest), "link")] = digest.encode()
        self.references[digest] = list(references)
        return digest

    def tag(self, repository: str, tag: str, digest: str) -> None:
        """The tag's current link, then its index entry (distribution's tagStore.Tag)."""
        base = repo_path(repository, "_manifests/tags", tag)
        self.objects[f"{base}/current/link"] = digest.encode()
        self.objects[f"{base}/index/sha256/{hex_of(digest)}/link"] = digest.encode()

    def delete_manifest(self, repository: str, digest: str) -> None:
        """DELETE /v2/<name>/manifests/<digest>: the revision goes, and every tag whose current link names it."""
        revision = repo_path(repository, "_manifests/revisions/sha256", hex_of(digest)) + "/"
        tags_dir = repo_path(repository, "_manifests/tags") + "/"
        doomed_tags = {
            path[len(tags_dir) :].split("/", 1)[0]
            for path, content in self.objects.items()
            if path.startswith(tags_dir) and path.endswith("/current/link") and content == digest.encode()
        }
        for path in list(self.objects):
            tag = path[len(tags_dir) :].split("/", 1)[0] if path.startswith(tags_dir) else None
            if path.startswith(revision) or tag in doomed_tags:
                del self.objects[path]

    # What a test needs to know.

    def tags(self) -> dict:
        """(repository, tag) -> digest of every current link."""
        found = {}
        for path, content in self.objects.items():
            if path.endswith("/current/link") and "/_manifests/tags/" in path:
                repository, rest = path[len(f"{V2}/repositories/") :].split("/_manifests/tags/")
                found[(repository, rest.split("/", 1)[0])] = content.decode()
        return found

    def revisions(self, repository: str) -> set:
        prefix = repo_path(repository, "_manifests/revisions/sha256") + "/"
        return {"sha256:" + path[len(prefix) :].split("/")[0] for path in self.objects if path.startswith(prefix)}

    def reached_by_tags(self) -> dict:
        """digest -> the first 'repository:tag' that reaches it: a tag's manifest, and the references of every
        manifest it reaches that is a revision of the repository (what a pull of the tag needs)."""
        reached = {}
        for (repository, tag), root in sorted(self.tags().items()):
            revisions, pending, seen = self.revisions(repository), [root], set()
            while pending:
                digest = pending.pop()
                if digest in seen or digest not in revisions:
                    continue
                seen.add(digest)
                for reference in [digest, *self.references.get(digest, ())]:
                    reached.setdefault(reference, f"{repository}:{tag}")
                    pending.append(reference)
        return reached


class Generator:
    """The operations, drawn from one seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.registry = Registry()
        self.layers = [self.layer_data(index) for index in range(self.rng.randint(6, 16))]
        self.serial = 0

    def layer_data(self, index: int) -> bytes:
        if index == 0:
            return b""  # a zero-byte blob, as an empty layer is
        return f"layer {index} ".encode() + self.rng.randbytes(self.rng.randint(1, 3000))

    def unique(self, kind: str) -> bytes:
        self.serial += 1
        return json.dumps({"kind": kind, "serial": self.serial, "salt": self.rng.random()}).encode()

    def image(self, repository: str, layers: list | None = None) -> str:
        """An image manifest pushed by digest: config and layers uploaded first."""
        oci = self.rng.random() < 0.5
        config = self.registry.upload(repository, self.unique("config"))
        layers = layers if layers is not None else self.rng.sample(self.layers, self.rng.randint(1, 3))
        digests = [self.registry.upload(repository, data) for data in layers]
        sizes = {digest: len(data) for digest, data in zip(digests, layers)}
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST if oci else SCHEMA2,
            "config": {"mediaType": OCI_CONFIG if oci else SCHEMA2_CONFIG, "digest": config, "size": 10},
            "layers": [
                {"mediaType": OCI_LAYER if oci else SCHEMA2_LAYER, "digest": digest, "size": sizes[digest]}
                for digest in digests
            ],
        }
        return self.registry.put_manifest(repository, document, [config, *digests])

    def index(self, repository: str) -> str:
        """A multi-arch index (OCI) or manifest list (Docker): its children pushed first, untagged."""
        children = [self.image(repository) for _arch in range(self.rng.randint(2, 3))]
        oci = self.rng.random() < 0.5
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX if oci else SCHEMA2_LIST,
            "manifests": [
                {"mediaType": OCI_MANIFEST if oci else SCHEMA2, "digest": child, "size": 1, "platform": {"os": "linux"}}
                for child in children
            ],
        }
        return self.registry.put_manifest(repository, document, children)

    def referrer(self, repository: str, subject: str) -> str:
        """A signature-like artifact whose subject is another manifest of the repository."""
        empty = self.registry.upload(repository, b"{}")
        signature = self.registry.upload(repository, self.unique("signature"))
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": "application/vnd.example.signature",
            "config": {"mediaType": OCI_EMPTY, "digest": empty, "size": 2},
            "layers": [{"mediaType": "application/vnd.example.signature", "digest": signature, "size": 10}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": 1},
        }
        return self.registry.put_manifest(repository, document, [empty, signature])

    def run(self, large: bool = False) -> Registry:
        names = self.rng.sample(REPOSITORY_NAMES, self.rng.randint(2, 5))
        if large:
            self.layers.append(self.rng.randbytes(LARGE_BLOB + 1024))
        pushed = {name: [] for name in names}
        for _step in range(self.rng.randint(8, 22)):
            self.step(self.rng.choice(names), names, pushed)
        return self.registry

    def step(self, repository: str, names: list, pushed: dict) -> None:
        registry, draw = self.registry, self.rng.random()
        tag = f"v{self.rng.randint(1, 4)}"
        if draw < 0.35 or not pushed[repository]:
            digest = self.image(repository)
            pushed[repository].append(digest)
            if self.rng.random() < 0.8:
                registry.tag(repository, tag, digest)  # a new tag, or one moved from an older image
        elif draw < 0.5:
            digest = self.index(repository)
            pushed[repository].append(digest)
            registry.tag(repository, tag, digest)
        elif draw < 0.6:
            subject = self.rng.choice(pushed[repository])
            signature = self.referrer(repository, subject)
            if self.rng.random() < 0.5:
                registry.tag(repository, f"sha256-{hex_of(subject)}.sig", signature)
        elif draw < 0.72:
            # Deleted through the API: an image, or an index's child while the index stays.
            candidates = pushed[repository] + [
                child
                for digest in pushed[repository]
                for child in registry.references.get(digest, ())
                if child in registry.references
            ]
            registry.delete_manifest(repository, self.rng.choice(candidates))
        elif draw < 0.8:
            registry.tag(repository, tag, self.rng.choice(pushed[repository]))  # a tag moved back to an older image
        elif draw < 0.9:
            # A blob uploaded without its manifest (a failed push), or mounted from another repository.
            source = self.rng.choice(names)
            registry.upload(repository, self.unique("orphan") if source == repository else self.rng.choice(self.layers))
        else:
            # The same image or index pushed to another repository: blobs mounted, manifests put again.
            other, digest = self.rng.choice(names), self.rng.choice(pushed[repository])
            if digest in registry.revisions(repository):
                self.copy(digest, other)
                pushed[other].append(digest)
                registry.tag(other, tag, digest)

    def copy(self, digest: str, repository: str) -> None:
        """A manifest put into `repository` by a client copying it: its references first (children put, blobs
        mounted), then its revision link."""
        registry = self.registry
        for reference in registry.references[digest]:
            if reference in registry.references:
                self.copy(reference, repository)
            else:
                registry.link_layer(repository, reference)
        path = repo_path(repository, "_manifests/revisions/sha256", hex_of(digest), "link")
        registry.objects[path] = digest.encode()


def generate(seed: int, large: bool = False) -> Registry:
    return Generator(seed).run(large)
