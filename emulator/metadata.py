"""The CVM instance metadata service's CAM role credentials (product 213/4934, CAM roles on CVM 213/47668).

GET http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/ names the role bound to the instance;
GET .../security-credentials/<role> returns its temporary keys as JSON, which tencentcloud-sdk-python's
CVMRoleCredential reads (TmpSecretId, TmpSecretKey, Token, ExpiredTime, Code "Success"). The emulator answers on the
host metadata.tencentyun.com, which clients reach with the emulator as their HTTP proxy.
"""

from __future__ import annotations

import json
import time

from werkzeug.wrappers import Request, Response

from .iam import IamStore

HOST = "metadata.tencentyun.com"
CREDENTIALS_PATH = "/latest/meta-data/cam/security-credentials/"
# How long the keys the instance hands out live; CVM renews them well before they expire.
INSTANCE_KEY_SECONDS = 7200
OPERATION = "cvm:MetadataSecurityCredentials"  # its name in the counters


def is_metadata(request: Request) -> bool:
    return request.host.split(":", 1)[0].lower() == HOST


def handle_metadata(request: Request, iam: IamStore) -> Response:
    if request.method != "GET" or not request.path.startswith(CREDENTIALS_PATH):
        return not_found()
    role_name = iam.instance_role
    asked = request.path[len(CREDENTIALS_PATH) :]
    if role_name is None or asked not in ("", role_name):
        return not_found()
    if not asked:
        return Response(role_name, content_type="text/plain")
    key = iam.instance_key(INSTANCE_KEY_SECONDS)
    if key is None:
        return not_found()
    body = {
        "TmpSecretId": key.secret_id,
        "TmpSecretKey": key.secret_key,
        "ExpiredTime": int(key.expires),
        "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(key.expires)),
        "Token": key.token,
        "Code": "Success",
    }
    return Response(json.dumps(body), content_type="application/json")


def not_found() -> Response:
    return Response("404 - Not Found", status=404, content_type="text/plain")
