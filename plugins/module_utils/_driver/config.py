# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `storage: cos:` configuration: its keys, defaults and rules, from a dict of its settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import (
    validate_bucket_name,
    validate_region,
    validate_registry_root,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_settings import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_CONCURRENCY,
    validate_chunksize,
    validate_maxconcurrency,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import Connection

REQUIRED_KEYS = ("secretid", "secretkey", "region", "bucket")
OPTIONAL_KEYS = ("rootdirectory", "chunksize", "maxconcurrency", "secure", "endpoint", "security_token")
TRUE_WORDS = frozenset(("true", "yes", "on", "1"))
FALSE_WORDS = frozenset(("false", "no", "off", "0"))


@dataclass(frozen=True)
class DriverConfig:
    secretid: str
    secretkey: str = field(repr=False)
    region: str
    bucket: str
    rootdirectory: str = ""
    chunksize: int = DEFAULT_CHUNK_SIZE
    maxconcurrency: int = DEFAULT_MAX_CONCURRENCY
    secure: bool = True
    endpoint: str | None = None
    security_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_parameters(cls, parameters: dict) -> "DriverConfig":
        """Validate the registry's `storage: cos:` keys; ints and bools may arrive as strings (YAML, environment)."""
        given = {key: value for key, value in parameters.items() if value is not None and value != ""}
        unknown = sorted(set(given) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
        if unknown:
            raise ValidationError(
                f"Unknown cos storage keys {', '.join(unknown)}; known keys are"
                f" {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}."
            )
        missing = [key for key in REQUIRED_KEYS if key not in given]
        if missing:
            raise ValidationError(f"The cos storage driver requires {', '.join(missing)}.")
        region = validate_region(str(given["region"]))
        return cls(
            secretid=str(given["secretid"]),
            secretkey=str(given["secretkey"]),
            region=region,
            bucket=validate_bucket_name(str(given["bucket"]), region),
            rootdirectory=validate_registry_root(given.get("rootdirectory")),
            chunksize=validate_chunksize(given.get("chunksize", DEFAULT_CHUNK_SIZE)),
            maxconcurrency=validate_maxconcurrency(given.get("maxconcurrency", DEFAULT_MAX_CONCURRENCY)),
            secure=_boolean("secure", given.get("secure", True)),
            endpoint=str(given["endpoint"]) if "endpoint" in given else None,
            security_token=str(given["security_token"]) if "security_token" in given else None,
        )

    def endpoint_url(self) -> str | None:
        """The endpoint for the client layer, with the scheme `secure` picks when the endpoint has none."""
        scheme = "https" if self.secure else "http"
        if self.endpoint:
            return self.endpoint if "://" in self.endpoint else f"{scheme}://{self.endpoint}"
        return None if self.secure else f"http://cos.{self.region}.myqcloud.com"

    def connection(self, **options) -> Connection:
        return Connection(
            secret_id=self.secretid,
            secret_key=self.secretkey,
            security_token=self.security_token,
            region=self.region,
            cos_endpoint=self.endpoint_url(),
            **options,
        )


def _boolean(key: str, value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(f"{key} {value!r} must be true or false.")
