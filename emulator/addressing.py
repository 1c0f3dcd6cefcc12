"""Where a COS request points: bucket, key and region from the Host and the path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .errors import CosError, invalid_bucket_name

DEFAULT_REGION = "ap-guangzhou"
# <bucket>.cos.<region>.myqcloud.com (virtual host) or cos.<region>.myqcloud.com (path style); tencentcos.cn alike.
COS_HOST = re.compile(
    r"^(?:(?P<bucket>[^.]+)\.)?cos\.(?P<region>[a-z0-9-]+)\.(?:myqcloud\.com|tencentcos\.cn)$", re.IGNORECASE
)
SERVICE_HOST = "service.cos.myqcloud.com"
SERVICE_HOSTS = {SERVICE_HOST, "service.cos.tencentcos.cn"}
BUCKET_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-(?P<appid>[0-9]+)$")
MAX_BUCKET_HOST = 60


@dataclass
class Target:
    """The bucket and key a request addresses; region None when neither Host nor signature names one."""

    bucket: str | None
    key: str | None
    raw_key: str | None
    region: str | None
    path_style: bool


def host_without_port(host: str) -> str:
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def raw_path(environ: dict) -> str:
    """The path exactly as the client sent it (still percent-encoded)."""
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
    if "://" in uri:
        uri = "/" + uri.split("://", 1)[1].split("/", 1)[-1]
    return uri.split("?", 1)[0] or "/"


def locate(environ: dict) -> Target:
    host = host_without_port(environ.get("HTTP_HOST", ""))
    path = raw_path(environ)
    if host.lower() in SERVICE_HOSTS:
        return Target(None, None, None, None, path_style=False)
    match = COS_HOST.match(host)
    region = match.group("region").lower() if match else None
    if match and match.group("bucket"):
        raw_key = path[1:] or None
        return Target(match.group("bucket"), decode(raw_key), raw_key, region, path_style=False)
    bucket, separator, raw_key = path[1:].partition("/")
    return Target(unquote(bucket) or None, decode(raw_key or None), raw_key or None, region, path_style=True)


def decode(raw_key: str | None) -> str | None:
    return unquote(raw_key) if raw_key else None


def check_bucket_name(bucket: str, appid: str, region: str) -> None:
    """COS rules: lowercase letters, digits and inner hyphens, then -<appid>; the bucket host at most 60 characters."""
    match = BUCKET_NAME.match(bucket)
    if not match or len(f"{bucket}.cos.{region}.myqcloud.com") > MAX_BUCKET_HOST:
        raise invalid_bucket_name(bucket)
    if match.group("appid") != appid:
        raise CosError(403, "AccessDenied", f"The bucket name must end in your APPID -{appid}: {bucket}")


def bucket_resource(region: str, appid: str, bucket: str, key: str = "") -> str:
    """The CAM resource of a bucket (key empty) or an object."""
    return f"qcs::cos:{region}:uid/{appid}:{bucket}/{key}"


def resource_text(target: Target) -> str:
    """What COS puts in <Resource>: the bucket host and the key."""
    if not target.bucket:
        return SERVICE_HOST
    host = f"{target.bucket}.cos.{target.region or DEFAULT_REGION}.myqcloud.com"
    return f"{host}/{target.key or ''}"
