# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A registry's COS storage as module options (the registry's own `storage.cos` names), and the driver they give.

Shared by the modules that work on a registry's storage (registry_storage_check, registry_storage_sync); documented
once in the cosops.registry.registry_storage doc fragment. A module may take the same options again in a dict
suboption (another registry's storage), which is given here as `options`.
"""

from __future__ import annotations

from ansible_collections.cosops.registry.plugins.module_utils._driver.config import DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_settings import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_CONCURRENCY,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import Connection, CosApi

LOCATION_SPEC = {
    "secretid": {"type": "str", "no_log": False},
    "secretkey": {"type": "str", "no_log": True},
    "bucket": {"type": "str", "required": True},
    "rootdirectory": {"type": "str", "default": ""},
    "secure": {"type": "bool", "default": True},
    "endpoint": {"type": "str"},
}
# The location, and how the registry writes there.
REGISTRY_STORAGE_SPEC = {
    **LOCATION_SPEC,
    "chunksize": {"type": "int", "default": DEFAULT_CHUNK_SIZE},
    "maxconcurrency": {"type": "int", "default": DEFAULT_MAX_CONCURRENCY},
}


def own_keys(options: dict) -> bool:
    return bool(options.get("secretid") or options.get("secretkey"))


def registry_keys(module, options: dict, label: str = "") -> tuple:
    """The registry's own keys when given; else the current keys of the common credential sources. Another registry's
    storage (a suboption, `label`) takes both of its keys or none: never half of them from the module's options."""
    params = module.params
    if not own_keys(options):
        return module.connection.credential.get_credential_info()
    if options is params:
        keys = (options.get("secretid") or params["secret_id"], options.get("secretkey") or params["secret_key"])
        names, token = "secretid and secretkey (or secret_id and secret_key)", params["security_token"]
    else:
        keys = (options.get("secretid"), options.get("secretkey"))
        names, token = f"{label}.secretid and {label}.secretkey", None
    if not all(keys):
        raise ValidationError(f"{names} must be set together.")
    return (*keys, token)


def storage_config(module, options: dict | None = None, label: str = "") -> DriverConfig:
    """The driver settings of `options` (the module's own options by default); what they leave out is the module's:
    region, endpoint, chunk size and concurrency."""
    params = module.params
    options = params if options is None else options
    secret_id, secret_key, token = registry_keys(module, options, label)
    return DriverConfig.from_parameters(
        {
            "secretid": secret_id,
            "secretkey": secret_key,
            "region": options.get("region") or module.connection.require_region(),
            "bucket": options["bucket"],
            "rootdirectory": options["rootdirectory"],
            "chunksize": options.get("chunksize") or params["chunksize"],
            "maxconcurrency": options.get("maxconcurrency") or params["maxconcurrency"],
            "secure": options["secure"],
            "endpoint": options.get("endpoint") or params["cos_endpoint"],
            "security_token": token,
        }
    )


def storage_connection(module, config: DriverConfig, options: dict | None = None) -> Connection:
    """Static registry keys as given; otherwise the module's sources, so temporary keys are renewed during the run."""
    params = module.params
    if own_keys(params if options is None else options):
        return config.connection(
            timeout=params["timeout"], retries=params["retries"], validate_certs=params["validate_certs"]
        )
    return module.connection.moved(config.region, config.endpoint_url())


def storage_driver(
    module, options: dict | None = None, upload_headers: dict | None = None, label: str = ""
) -> CosDriver:
    """The COS driver over the storage `options` describe (the module's own options by default; `label` names the
    suboption they come from)."""
    config = storage_config(module, options, label)
    connection = storage_connection(module, config, options)
    api = CosApi(connection, config.region, pool_size=config.maxconcurrency + 1)
    return CosDriver(config, api, upload_headers)
