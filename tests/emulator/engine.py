"""The S3 storage engine under the COS face: moto's S3 app and its (process-wide) backend."""

from __future__ import annotations

import os

# moto reads its settings at import time: no CORS headers of its own, path-style bucket names only.
os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")
os.environ.setdefault("S3_IGNORE_SUBDOMAIN_BUCKETNAME", "true")

from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.core.model_instances import reset_model_data  # noqa: E402
from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app  # noqa: E402
from moto.s3.models import FakeBucket, S3Backend, s3_backends  # noqa: E402

__all__ = ["MotoRequestHandler", "Engine"]


class Engine:
    """One per process: moto keeps S3 state in a module-level backend."""

    def __init__(self) -> None:
        self.app = create_backend_app("s3")

    @property
    def backend(self) -> S3Backend:
        return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]

    def bucket(self, name: str) -> FakeBucket | None:
        return self.backend.buckets.get(name)

    def buckets(self) -> list[FakeBucket]:
        return list(self.backend.buckets.values())

    def reset(self) -> None:
        """Empty storage, closing the files that hold object data."""
        self.backend.reset()
        reset_model_data()
