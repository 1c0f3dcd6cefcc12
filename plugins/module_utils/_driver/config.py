# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `storage: cos:` configuration: its keys, defaults and rules, from a dict of its settings or from the registry's
environment form (REGISTRY_STORAGE=cos, REGISTRY_STORAGE_COS_<KEY>)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
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
# The key pair and its token are one setting: they come together from one place, never half from another.
CREDENTIAL_KEYS = ("secretid", "secretkey", "security_token")
# distribution reads REGISTRY_STORAGE as the driver's name (replacing the file's whole storage section) and
# REGISTRY_STORAGE_<DRIVER>_<KEY> as one key. It splits names at underscores, so security_token has no variable: a
# registry runs with a static key.
ENVIRONMENT_DRIVER = "REGISTRY_STORAGE"
ENVIRONMENT_PREFIX = "REGISTRY_STORAGE_COS_"
ENVIRONMENT_KEYS = REQUIRED_KEYS + ("rootdirectory", "chunksize", "maxconcurrency", "secure", "endpoint")
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
    def from_parameters(cls, parameters: Mapping, names: Mapping[str, str] | None = None) -> "DriverConfig":
        """Validate the registry's `storage: cos:` keys; ints and bools may arrive as strings (YAML, environment).
        `names` gives the environment variable a key's value came from, for the refusal to name it."""
        given = _known(_set(parameters))
        missing = [key for key in REQUIRED_KEYS if key not in given]
        if missing:
            raise ValidationError(f"The cos storage driver requires {', '.join(missing)}.")
        return cls(**_credentials(given), **_settings(given, names or {}))

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        options: Mapping | None = None,
        fallbacks: Mapping | None = None,
        credentials: Callable[[], tuple] | None = None,
    ) -> "DriverConfig":
        """The settings a module runs with on a host configured by the registry's environment form. Each key comes
        from `options` when set there, else from its REGISTRY_STORAGE_COS_<KEY> variable, else from `fallbacks` (the
        caller's own defaults), else the driver's default; empty values are unset. The key pair is one setting, taken
        whole from the first of these that has it, else from `credentials()` -> (secretid, secretkey, security_token),
        asked only then and only once every other setting has passed its rule. A refused value from the environment
        is named by its variable.

        For the registry itself the environment overrides config.yml; for a module the options are the task's own
        words, so they win, and the environment fills what they leave unset."""
        layers = (
            ("fallback", _set(fallbacks)),
            ("environment", environment_settings(environ)),
            ("option", _set(options)),
        )
        chosen, names = {}, {}
        for source, layer in layers:
            if any(key in layer for key in CREDENTIAL_KEYS):
                chosen = {key: value for key, value in chosen.items() if key not in CREDENTIAL_KEYS}
            chosen.update(layer)
            names.update({key: environment_variable(key) if source == "environment" else key for key in layer})
        _known(chosen)
        asks = credentials is not None and not any(key in chosen for key in CREDENTIAL_KEYS)
        needed = [key for key in REQUIRED_KEYS if key not in chosen and not (asks and key in CREDENTIAL_KEYS)]
        if needed:
            raise ValidationError(
                f"The cos storage driver requires {', '.join(needed)}: set the options or"
                f" {', '.join(environment_variable(key) for key in needed)}."
            )
        settings = _settings(chosen, names)
        if asks:
            chosen.update(zip(CREDENTIAL_KEYS, credentials()))
        return cls(**_credentials(chosen), **settings)

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


def environment_variable(key: str) -> str:
    return ENVIRONMENT_PREFIX + key.upper()


def environment_settings(environ: Mapping[str, str] | None = None) -> dict:
    """The `storage: cos:` keys the REGISTRY_STORAGE_COS_<KEY> variables set (empty ones are unset), refused as the
    registry would refuse them: beside a REGISTRY_STORAGE that names another driver, under a name that is no key, or
    one key of the pair without the other."""
    environ = os.environ if environ is None else environ
    keys = {environment_variable(key): key for key in ENVIRONMENT_KEYS}
    found = sorted(name for name, value in environ.items() if name.startswith(ENVIRONMENT_PREFIX) and value != "")
    unknown = [name for name in found if name not in keys]
    if unknown:
        raise ValidationError(f"{', '.join(unknown)} names no cos storage key; the variables are {', '.join(keys)}.")
    driver = environ.get(ENVIRONMENT_DRIVER) or "cos"
    if found and driver != "cos":
        raise ValidationError(
            f"{ENVIRONMENT_DRIVER} {driver!r} names another storage driver, which a registry cannot run beside the"
            f" {ENVIRONMENT_PREFIX}* variables set here ({len(found)}): set {ENVIRONMENT_DRIVER}=cos or unset them."
        )
    settings = {keys[name]: environ[name] for name in found}
    if ("secretid" in settings) != ("secretkey" in settings):
        raise ValidationError(
            f"{environment_variable('secretid')} and {environment_variable('secretkey')} must be set together."
        )
    return settings


def _set(parameters: Mapping | None) -> dict:
    """The keys that have a value: None and the empty string mean unset, in YAML, options and the environment."""
    return {key: value for key, value in (parameters or {}).items() if value is not None and value != ""}


def _known(given: dict) -> dict:
    unknown = sorted(set(given) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise ValidationError(
            f"Unknown cos storage keys {', '.join(unknown)}; known keys are {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}."
        )
    return given


def _credentials(given: dict) -> dict:
    token = given.get("security_token") or None
    return {
        "secretid": str(given["secretid"]),
        "secretkey": str(given["secretkey"]),
        "security_token": None if token is None else str(token),
    }


def _settings(given: dict, names: Mapping[str, str]) -> dict:
    """Every key but the credentials, checked; a refusal names the variable a value came from when `names` gives one."""

    def checked(key: str, rule: Callable, *arguments):
        try:
            return rule(*arguments)
        except ValidationError as error:
            if names.get(key, key) == key:
                raise
            raise ValidationError(f"{names[key]}: {error}") from None

    region = checked("region", validate_region, str(given["region"]))
    return {
        "region": region,
        "bucket": checked("bucket", validate_bucket_name, str(given["bucket"]), region),
        "rootdirectory": checked("rootdirectory", validate_registry_root, given.get("rootdirectory")),
        "chunksize": checked("chunksize", validate_chunksize, given.get("chunksize", DEFAULT_CHUNK_SIZE)),
        "maxconcurrency": checked(
            "maxconcurrency", validate_maxconcurrency, given.get("maxconcurrency", DEFAULT_MAX_CONCURRENCY)
        ),
        "secure": checked("secure", _boolean, "secure", given.get("secure", True)),
        "endpoint": str(given["endpoint"]) if "endpoint" in given else None,
    }


def _boolean(key: str, value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(f"{key} {value!r} must be true or false.")
