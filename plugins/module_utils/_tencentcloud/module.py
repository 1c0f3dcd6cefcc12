# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every module: shared options merged into the module's own, clients on demand, one error path."""

from __future__ import annotations

import copy
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    ENV_FALLBACKS,
    ApiClient,
    Connection,
    CosApi,
    MissingSdkError,
    caller_appid,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.credentials import (
    DEFAULT_DURATION,
    DEFAULT_SESSION_NAME,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError


def _with_env(name: str, **spec) -> dict:
    spec["fallback"] = (env_fallback, [ENV_FALLBACKS[name]])
    return spec


COMMON_ARGUMENT_SPEC = {
    "secret_id": _with_env("secret_id", type="str", no_log=False),
    "secret_key": _with_env("secret_key", type="str", no_log=True),
    "security_token": _with_env("security_token", type="str", no_log=True),
    "profile": _with_env("profile", type="str"),
    "assume_role": {
        "type": "dict",
        "options": {
            "role_arn": {"type": "str", "required": True},
            "session_name": {"type": "str", "default": DEFAULT_SESSION_NAME},
            "duration": {"type": "int", "default": DEFAULT_DURATION},
            "policy": {"type": "json"},
        },
    },
    "region": _with_env("region", type="str"),
    "cos_endpoint": _with_env("cos_endpoint", type="str"),
    "api_endpoint": _with_env("api_endpoint", type="str"),
    "validate_certs": {"type": "bool", "default": True},
    "timeout": {"type": "int", "default": DEFAULT_TIMEOUT},
    "retries": {"type": "int", "default": DEFAULT_RETRIES},
}


class TencentCloudModule(AnsibleModule):
    """AnsibleModule with the common connection options and lazily built COS, CAM and STS clients."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = copy.deepcopy(COMMON_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        try:
            self.connection = Connection.from_params(self.params)
        except ValidationError as error:
            self.fail_json(msg=str(error))
        self._cos_clients = {}
        self._api_clients = {}
        self._appid = None

    def cos(self, region: str | None = None) -> CosApi:
        """The COS client for a region (the connection's region by default)."""
        key = region or self.connection.region
        if key not in self._cos_clients:
            self._cos_clients[key] = CosApi(self.connection, region)
        return self._cos_clients[key]

    def api(self, service: str) -> ApiClient:
        if service not in self._api_clients:
            self._api_clients[service] = ApiClient(self.connection, service)
        return self._api_clients[service]

    @property
    def cam(self) -> ApiClient:
        return self.api("cam")

    @property
    def sts(self) -> ApiClient:
        return self.api("sts")

    def appid(self) -> str:
        """The account's AppId, asked of CAM once per run."""
        if self._appid is None:
            self._appid = caller_appid(self.cam)
        return self._appid

    def resource_result(self, changed: bool, key: str, after: dict, diff: tuple[dict, dict]) -> dict:
        """The result of a module that manages one resource: whether it changed, the resource after, and the
        (before, after) views as the diff when the run asks for one."""
        result = {"changed": changed, key: after}
        if self._diff:
            result["diff"] = dict(zip(("before", "after"), diff))
        return result

    def run(self, handler) -> None:
        """Call handler(module) -> result dict, turning every expected failure into a one-line fail_json."""
        try:
            result = handler(self)
        except ValidationError as error:
            self.fail_json(msg=str(error))
        except TencentCloudError as error:
            self.fail_json(msg=error.explained(), error=error.as_result())
        except MissingSdkError as error:
            self.fail_json(msg=missing_required_lib(error.package), exception=traceback.format_exc())
        self.exit_json(**result)
