# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one client layer: connection options, SDK clients built lazily, retries and error translation on every call.

Layers, lowest first: errors, retries, naming -> client -> module. A lower layer never imports a higher one, and
nothing here imports Ansible, so the COS driver and unit tests can use it on their own.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import urlsplit
from xml.etree import ElementTree

from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import split_bucket, validate_region
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.credentials import (
    AssumeRole,
    assumed_role_credential,
    resolve_source,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import (
    BODYLESS_CODES,
    TencentCloudError,
    from_api_exception,
    from_cos_exception,
    refusal_fix,
)
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.retries import call_with_retries

ENV_FALLBACKS = {
    "secret_id": "TENCENTCLOUD_SECRET_ID",
    "secret_key": "TENCENTCLOUD_SECRET_KEY",
    "security_token": "TENCENTCLOUD_SECURITY_TOKEN",
    "profile": "TENCENTCLOUD_PROFILE",
    "region": "TENCENTCLOUD_REGION",
    "cos_endpoint": "TENCENTCLOUD_COS_ENDPOINT",
    "api_endpoint": "TENCENTCLOUD_API_ENDPOINT",
}
DEFAULT_TIMEOUT = 30
DEFAULT_RETRIES = 5
API_VERSIONS = {"cam": "2019-01-16", "sts": "2018-08-13"}
# A refused HEAD has no body, so no code: the GET of the same resource (read as little as possible) says why.
HEAD_FOLLOW_UPS = {
    "head_bucket": ("list_objects", {"MaxKeys": 1}),
    "head_object": ("get_object", {"Range": "bytes=0-0"}),
}


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
    profile: str | None = None
    assume_role: AssumeRole | None = None
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
        values["assume_role"] = AssumeRole.from_option(params.get("assume_role"))
        for name in ("validate_certs", "timeout", "retries"):
            if params.get(name) is not None:
                values[name] = params[name]
        return cls(**values)

    @cached_property
    def credential(self):
        """The SDK credential object every client reads its keys from, found once per connection.

        Options and environment, a profile, the CVM instance role, in that order; assume_role (or a profile's
        role_arn) is then applied on top of whichever was found.
        """
        try:
            source = resolve_source((self.secret_id, self.secret_key, self.security_token), self.profile)
        except ImportError:
            raise MissingSdkError("tencentcloud-sdk-python-common") from None
        role = self.assume_role or source.role
        if role is None:
            return source.credential
        sts = ApiClient(replace(self, assume_role=None), "sts", credential=source.credential)
        return assumed_role_credential(role, lambda params: sts.call("AssumeRole", params))

    def moved(self, region: str, cos_endpoint: str | None) -> "Connection":
        """The same credentials (already found: no second AssumeRole) for another region and COS endpoint."""
        connection = replace(self, region=region, cos_endpoint=cos_endpoint)
        connection.__dict__["credential"] = self.credential
        return connection

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
        self._keys = None
        self._session = None
        # Requests sent, by SDK method, retries included: what a caller reports as its cost.
        self.requests = Counter()
        self._requests_lock = threading.Lock()

    @property
    def sdk(self):
        """A client signing with the credential's current keys, built again when temporary keys were renewed.

        cos-python-sdk-v5's CredentialInstance signs with renewed keys but sends only CosConfig's Token as
        x-cos-security-token, so each set of keys gets a client of its own (sharing one connection pool).
        """
        keys = self.connection.credential.get_credential_info()
        if self._sdk_client is None or keys != self._keys:
            self._sdk_client, self._keys = self._build(keys), keys
        return self._sdk_client

    def _build(self, keys):
        try:
            import requests
            from qcloud_cos import CosConfig, CosS3Client
        except ImportError:
            raise MissingSdkError("cos-python-sdk-v5")
        secret_id, secret_key, token = keys
        config = CosConfig(
            SecretId=secret_id,
            SecretKey=secret_key,
            Token=token,
            Timeout=self.connection.timeout,
            VerifySSL=self.connection.validate_certs,
            **cos_endpoint_settings(self.connection.cos_endpoint, self.region),
        )
        if self._session is None:
            # The SDK's shared default pool is sized once per process; a session of our own follows pool_size.
            self._session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=self.pool_size, pool_maxsize=self.pool_size)
            self._session.mount("http://", adapter)
            self._session.mount("https://", adapter)
        # retry=0: the SDK resends after 1, 2, 3 s, unjittered, on top of ours; ours back off with jitter, bounded.
        return CosS3Client(config, retry=0, session=self._session)

    def call(self, method: str, idempotent: bool = True, **kwargs):
        """Call an SDK method by name, e.g. call("get_bucket_lifecycle", Bucket=...)."""
        sdk_method = getattr(self.sdk, method)
        try:
            return call_with_retries(
                lambda: self._counted(method, sdk_method, kwargs), self.connection.retries, idempotent
            )
        except TencentCloudError as error:
            if method in HEAD_FOLLOW_UPS and error.status == 403 and error.code == BODYLESS_CODES[403]:
                raise self._explained_refusal(method, kwargs, error) from None
            raise

    def _explained_refusal(self, method: str, kwargs: dict, refusal: TencentCloudError) -> TencentCloudError:
        """The HEAD's refusal with the code COS gives its GET, and the fix; a GET that is let through means the HEAD's
        own action is not allowed."""
        follow_up, reading_little = HEAD_FOLLOW_UPS[method]
        target = {name: kwargs[name] for name in ("Bucket", "Key") if name in kwargs}
        code, message = "AccessDenied", None
        try:
            answer = self._once(follow_up, getattr(self.sdk, follow_up), dict(target, **reading_little))
            if "Body" in answer:
                answer["Body"].get_raw_stream().close()
        except TencentCloudError as error:
            if error.status == 403:
                code, message = error.code, error.message
        action = f"name/cos:{refusal.action}"
        bucket = target["Bucket"]
        resource = f"qcs::cos:{self.region}:uid/{split_bucket(bucket)[1]}:{bucket}/{target.get('Key', '')}"
        message = refusal_fix(code, action, resource) or message
        return TencentCloudError(refusal.action, code, message, refusal.request_id, refusal.status)

    def presigned_url(self, bucket: str, key: str, method: str, expired: int, headers: dict) -> str:
        """A presigned URL for the object; signing is local (no request), so there is nothing to retry."""
        return self.sdk.get_presigned_url(Bucket=bucket, Key=key, Method=method, Expired=expired, Headers=headers)

    def virtual_host(self, bucket: str) -> str:
        """The bucket's virtual-host name, as the SDK addresses it."""
        return self.sdk.get_conf().get_host(Bucket=bucket)

    def _counted(self, method, sdk_method, kwargs):
        with self._requests_lock:
            self.requests[method] += 1
        return self._once(method, sdk_method, kwargs)

    @staticmethod
    def _once(method, sdk_method, kwargs):
        from qcloud_cos.cos_exception import CosClientError, CosServiceError

        try:
            return sdk_method(**kwargs)
        except (CosServiceError, CosClientError) as exc:
            raise from_cos_exception(action_name(method), exc) from None


class ApiClient(_LazySdk):
    """A Tencent Cloud API v3 service (cam, sts) through tencentcloud-sdk-python, retried and translated."""

    def __init__(self, connection: Connection, service: str, credential=None):
        super().__init__(connection)
        self.service = service
        # The credential to sign with instead of the connection's: the source keys an AssumeRole is made with.
        self.credential = credential

    def _build(self):
        try:
            from tencentcloud.common.common_client import CommonClient
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile
        except ImportError:
            raise MissingSdkError("tencentcloud-sdk-python-common")
        http = HttpProfile(reqTimeout=self.connection.timeout, **api_endpoint_settings(self.connection.api_endpoint, self.service))
        if not self.connection.validate_certs:
            http.certification = False
        # The SDK asks the credential for its keys before every request, so renewed temporary keys are used.
        cred = self.credential or self.connection.credential
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
