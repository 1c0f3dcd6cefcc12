# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A registry's COS storage as module options (the registry's own `storage.cos` names), and the driver they give.

Shared by the modules that work on a registry's storage (registry_storage_check, registry_storage_sync); documented
once in the cosops.registry.registry_storage doc fragment. Each setting of the module's own storage comes from its
option, else from the host's REGISTRY_STORAGE_COS_<KEY> variable, else from the module's connection (its credential
sources, region and cos_endpoint), else from the driver's defaults: DriverConfig.from_env. A module may take another
registry's storage in a dict suboption, given here as `options`: it never reads this host's environment, which
describes the module's own registry, and what it leaves unset is the target's.
"""

from __future__ import annotations

import os

from ansible_collections.cosops.registry.plugins.module_utils._driver.config import DriverConfig, environment_settings
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import CosApi

# The module's own storage. No option has a default, so that an unset one can be taken from the environment; `region`
# drops the common option's TENCENTCLOUD_REGION fallback, which comes after REGISTRY_STORAGE_COS_REGION.
REGISTRY_STORAGE_SPEC = {
    "secretid": {"type": "str", "no_log": False},
    "secretkey": {"type": "str", "no_log": True},
    "region": {"type": "str"},
    "bucket": {"type": "str"},
    "rootdirectory": {"type": "str"},
    "chunksize": {"type": "int"},
    "maxconcurrency": {"type": "int"},
    "secure": {"type": "bool"},
    "endpoint": {"type": "str"},
}
# Another registry's storage, a suboption.
LOCATION_SPEC = {
    **{key: REGISTRY_STORAGE_SPEC[key] for key in ("secretid", "secretkey", "region", "endpoint")},
    "bucket": {"type": "str", "required": True},
    "rootdirectory": {"type": "str", "default": ""},
    "secure": {"type": "bool", "default": True},
}


def option_keys(module, options: dict, label: str = "") -> dict:
    """The key pair the options give, {} when they give none. The module's own options may complete it with
    secret_id or secret_key (and security_token); another registry's storage (`label`) gives both keys or none."""
    if not (options.get("secretid") or options.get("secretkey")):
        return {}
    params = module.params
    if options is params:
        keys = (options.get("secretid") or params["secret_id"], options.get("secretkey") or params["secret_key"])
        names, token = "secretid and secretkey (or secret_id and secret_key)", params["security_token"]
    else:
        keys = (options.get("secretid"), options.get("secretkey"))
        names, token = f"{label}.secretid and {label}.secretkey", None
    if not all(keys):
        raise ValidationError(f"{names} must be set together.")
    return {"secretid": keys[0], "secretkey": keys[1], "security_token": token}


def chain_keys(module) -> tuple:
    """The current keys of the module's credential sources; finding them may ask the CVM metadata service or STS."""
    return module.connection.credential.get_credential_info()


def storage_driver(module, upload_headers: dict | None = None) -> CosDriver:
    """The COS driver over the module's own storage, each setting from where the docstring above says."""
    params = module.params
    keys = option_keys(module, params)
    static = bool(keys) or "secretid" in environment_settings(os.environ)
    config = DriverConfig.from_env(
        os.environ,
        options={**{key: params[key] for key in REGISTRY_STORAGE_SPEC}, **keys},
        fallbacks={"region": module.connection.region, "endpoint": module.connection.cos_endpoint},
        credentials=None if static else lambda: chain_keys(module),
    )
    return _driver(module, config, static, upload_headers)


def source_driver(module, options: dict, label: str, target: CosDriver) -> CosDriver:
    """The COS driver over another registry's storage (the suboption `label`): its keys or the module's credential
    sources, and the target's region, endpoint, chunk size and concurrency where it sets none."""
    keys = option_keys(module, options, label)
    config = DriverConfig.from_env(
        {},
        options={**options, **keys},
        fallbacks={key: getattr(target.config, key) for key in ("region", "endpoint", "chunksize", "maxconcurrency")},
        credentials=None if keys else lambda: chain_keys(module),
    )
    return _driver(module, config, bool(keys))


def _driver(module, config: DriverConfig, static: bool, upload_headers: dict | None = None) -> CosDriver:
    """Static keys are used as given; the module's credential sources through its connection, so that temporary keys
    are renewed during the run."""
    # Whatever the source, the secret key is masked wherever it might appear in the module's result.
    module.no_log_values.add(config.secretkey)
    params = module.params
    if static:
        connection = config.connection(
            timeout=params["timeout"], retries=params["retries"], validate_certs=params["validate_certs"]
        )
    else:
        connection = module.connection.moved(config.region, config.endpoint_url())
    api = CosApi(connection, config.region, pool_size=config.maxconcurrency + 1)
    return CosDriver(config, api, upload_headers)
