# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one client layer: connection options, SDK clients built lazily, retries and error translation on every call.

Layers, lowest first: errors, retries, naming -> client -> module. A lower layer never imports a higher one, and
nothing here imports Ansible, so the COS driver and unit tests can use it on their own.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree

from ansible_collections.cosops.registry.plugins.module_utils.errors import (
    TencentCloudError,
    ValidationError,
    from_api_exception,
    from_cos_exception,
)
from ansible_collections.cosops.registry.plugins.module_utils.naming import validate_region
from ansible_collections.cosops.registry.plugins.module_utils.retries import call_with_retries

ENV_FALLBACKS = {
    "secret_id": "TENCENTCLOUD_SECRET_ID",
    "secret_key": "TENCENTCLOUD_SECRET_KEY",
    "security_token": "TENCENTCLOUD_SECURITY_TOKEN",
    "region": "TENCENTCLOUD_REGION",
    "cos_endpoint": "TENCENTCLOUD_COS_ENDPOINT",
    "api_endpoint": "TENCENTCLOUD_API_ENDPOINT",
}
DEFAULT_TIMEOUT = 30
DEFAULT_RETRIES = 5
API_VERSIONS = {"cam": "2019-01-16", "sts": "2018-08-13"}


class MissingSdkError(ImportError):
    """An SDK the call needs is not installed; `package` is what to pip install."""

    def __init__(self, package: str):
        self.package = package
        super().__init__(package)


@dataclass(frozen=True)
class Connection:
    """Where and as whom to call Tencent Cloud; built from module options or a plain dict."""

    secret_id: str | None = None
    secret_key: str | None = None
    security_token: str | None = None
    region: str | None = None
    cos_endpoint: str | None = None
    api_endpoint: str | None = None
    validate_certs: bool = True
    timeout: int = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES

    @classmethod
    def from_params(cls, params: dict, environ=None) -> "Connection":
        """Options win; environment variables fill what the options leave unset."""
        environ = os.environ if environ is None else environ
        values = {name: params.get(name) or environ.get(variable) or None for name, variable in ENV_FALLBACKS.items()}
        for name in ("validate_certs", "timeout", "retries"):
            if params.get(name) is not None:
                values[name] = params[name]
        return cls(**values)

    def require_credentials(self) -> None:
        if not self.secret_id or not self.secret_key:
            raise ValidationError(
                "Credentials are missing: set secret_id and secret_key (or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)."
            )

    def require_region(self) -> str:
        if not self.region:
            raise ValidationError("Region is missing: set region (or TENCENTCLOUD_REGION), for example 'ap-guangzhou'.")
        return validate_region(self.region)


def _is_address(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def cos_endpoint_settings(endpoint: str | None, region: str) -> dict:
    """CosConfig keyword arguments for an endpoint override.

    A URL whose host is an IP address (a private gateway, the emulator) is where to connect; requests still carry the
    virtual-host name `<bucket>.cos.<region>.myqcloud.com`, as COS expects. Any other host is the endpoint domain the
    bucket name is prefixed to, such as `cos-internal.ap-guangzhou.tencentcos.cn`.
    """
    if not endpoint:
        return {"Region": region, "Scheme": "https"}
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"COS endpoint {endpoint!r} is not a host or an http(s) URL.")
    if _is_address(parts.hostname):
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return {
            "Region": region,
            "Scheme": parts.scheme,
            "Endpoint": f"cos.{region}.myqcloud.com",
            "IP": parts.hostname,
            "Port": port,
            # The SDK sends GET Service (list_buckets) to this domain and ignores IP for it.
            "ServiceDomain": f"{parts.hostname}:{port}",
        }
    return {"Region": region, "Scheme": parts.scheme, "Endpoint": parts.netloc}


def api_endpoint_settings(endpoint: str | None, service: str) -> dict:
    """HttpProfile keyword arguments; `{service}` in the endpoint stands for cam, sts and so on."""
    if not endpoint:
        return {}
    endpoint = endpoint.replace("{service}", service)
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"API endpoint {endpoint!r} is not a host or an http(s) URL.")
    return {"endpoint": parts.netloc, "protocol": parts.scheme}


def action_name(method: str) -> str:
    """put_bucket_lifecycle -> PutBucketLifecycle, the name COS documents the call by."""
    return "".join(word.capitalize() for word in method.split("_"))


class _LazySdk:
    """Holds a Connection and builds the SDK client on first use, so a run that needs no call needs no SDK."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self._sdk_client = None

    @property
    def sdk(self):
        if self._sdk_client is None:
            self._sdk_client = self._build()
        return self._sdk_client

    def _build(self):
        raise NotImplementedError


class CosApi(_LazySdk):
    """cos-python-sdk-v5 for one region, every call retried and its errors translated."""

    def __init__(self, connection: Connection, region: str | None = None, pool_size: int = 10):
        super().__init__(connection)
        self.region = validate_region(region) if region else connection.require_region()
        # Connections kept open: at least as many as the calls made at once (the driver's maxconcurrency).
        self.pool_size = max(pool_size, 1)

    def _build(self):
        try:
            import requests
            from qcloud_cos import CosConfig, CosS3Client
        except ImportError:
            raise MissingSdkError("cos-python-sdk-v5")
        self.connection.require_credentials()
        config = CosConfig(
            SecretId=self.connection.secret_id,
            SecretKey=self.connection.secret_key,
            Token=self.connection.security_token,
            Timeout=self.connection.timeout,
            VerifySSL=self.connection.validate_certs,
            **cos_endpoint_settings(self.connection.cos_endpoint, self.region),
        )
        # The SDK's shared default pool is sized once per process; a session of our own follows pool_size.
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=self.pool_size, pool_maxsize=self.pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        # retry=0: the SDK's own retries have no backoff; ours do and are bounded.
        return CosS3Client(config, retry=0, session=session)

    def call(self, method: str, idempotent: bool = True, **kwargs):
        """Call an SDK method by name, e.g. call("get_bucket_lifecycle", Bucket=...)."""
        sdk_method = getattr(self.sdk, method)
        return call_with_retries(lambda: self._once(method, sdk_method, kwargs), self.connection.retries, idempotent)

    @staticmethod
    def _once(method, sdk_method, kwargs):
        from qcloud_cos.cos_exception import CosClientError, CosServiceError

        try:
            return sdk_method(**kwargs)
        except (CosServiceError, CosClientError) as exc:
            raise from_cos_exception(action_name(method), exc) from None


class ApiClient(_LazySdk):
    """A Tencent Cloud API v3 service (cam, sts) through tencentcloud-sdk-python, retried and translated."""

    def __init__(self, connection: Connection, service: str):
        super().__init__(connection)
        self.service = service

    def _build(self):
        try:
            from tencentcloud.common import credential
            from tencentcloud.common.common_client import CommonClient
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile
        except ImportError:
            raise MissingSdkError("tencentcloud-sdk-python-common")
        self.connection.require_credentials()
        http = HttpProfile(reqTimeout=self.connection.timeout, **api_endpoint_settings(self.connection.api_endpoint, self.service))
        if not self.connection.validate_certs:
            http.certification = False
        cred = credential.Credential(self.connection.secret_id, self.connection.secret_key, self.connection.security_token)
        # CAM and STS answer for the whole account; the region only picks the nearest endpoint.
        region = self.connection.region or ""
        return CommonClient(self.service, API_VERSIONS[self.service], cred, region, profile=ClientProfile(httpProfile=http))

    def call(self, action: str, params: dict | None = None, idempotent: bool = True) -> dict:
        """The `Response` object of the action, without its RequestId."""
        response = call_with_retries(lambda: self._once(action, params or {}), self.connection.retries, idempotent)
        response = dict(response.get("Response", {}))
        response.pop("RequestId", None)
        return response

    def _once(self, action, params):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        try:
            return self.sdk.call_json(action, params)
        except TencentCloudSDKException as exc:
            raise from_api_exception(action, exc) from None


def caller_appid(cam: ApiClient) -> str:
    """The account's AppId, which COS bucket names end in."""
    return str(cam.call("GetUserAppId")["AppId"])


def is_not_found(error: TencentCloudError) -> bool:
    """NoSuchBucket, NoSuchKey, NoSuchLifecycleConfiguration..., ResourceNotFound.UserNotExist..."""
    return error.code.startswith(("NoSuch", "ResourceNotFound")) or error.status == 404


@dataclass(frozen=True)
class RawAnswer:
    """What COS answered to a request the SDK has no method for: status and body, an error left for the caller."""

    status: int
    body: bytes

    @property
    def error_code(self) -> str:
        """The <Code> of an XML error body; empty when the answer carries none."""
        if self.status < 400:
            return ""
        try:
            return ElementTree.fromstring(self.body).findtext("Code") or ""
        except ElementTree.ParseError:
            return ""


def cos_raw_get(
    cos: CosApi,
    action: str,
    url: str,
    headers: dict | None = None,
    signed_path: str | None = None,
    params: dict | None = None,
) -> RawAnswer:
    """A GET the SDK has no method for (a path-style URL, a presigned one), with the connection's timeout, certificate
    check and retries; signed with the key for `signed_path` when given. Only a request without an answer raises."""
    import requests
    from qcloud_cos.cos_auth import CosS3Auth

    auth = CosS3Auth(cos.sdk.get_conf(), signed_path, params=params) if signed_path is not None else None

    def get() -> RawAnswer:
        try:
            response = requests.get(
                url,
                params=params,
                headers=headers,
                auth=auth,
                timeout=cos.connection.timeout,
                verify=cos.connection.validate_certs,
            )
        except requests.RequestException as error:
            raise TencentCloudError(action, "ClientNetworkError", str(error), retryable=True) from None
        return RawAnswer(response.status_code, response.content)

    return call_with_retries(get, cos.connection.retries)
