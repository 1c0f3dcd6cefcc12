"""Tencent Cloud API v3 face: CAM and STS over TC3-HMAC-SHA256 signed requests.

A request names its action in X-TC-Action and its version in X-TC-Version; the service comes from the credential
scope (or the Host's first label, as in cam.tencentcloudapi.com). Parameters arrive as a JSON body (POST) or a
flattened query string (GET: `SecretIdList.0=...`). Every answer is HTTP 200 with `{"Response": {...}}`; failures
carry `Response.Error.{Code,Message}`, as Tencent Cloud does.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from emulator import api_models, cam, sts, tc3
from emulator.iam import CamError, IamStore, Principal, token_problem


@dataclass(frozen=True)
class Service:
    version: str
    actions: dict
    authorize: Callable[[IamStore, Principal, str, dict], None] | None
    models: api_models.ServiceModels


TOKEN_MESSAGES = {
    "missing": "The SecretId is a temporary key: send its token in X-TC-Token",
    "wrong": "The token in X-TC-Token does not belong to the SecretId",
    "expired": "The token has expired: get new temporary keys",
}
SERVICES = {
    "cam": Service(cam.VERSION, cam.ACTIONS, cam.authorize, api_models.load("cam", cam.VERSION)),
    # any active key may ask who it is
    "sts": Service(sts.VERSION, sts.ACTIONS, None, api_models.load("sts", sts.VERSION)),
}


def api_service(request: Request) -> str:
    service = tc3.scope_service(request)
    if service:
        return service
    label = request.host.split(".", 1)[0].split(":", 1)[0]
    return label if label.isalpha() else "api"


def api_operation(request: Request) -> str:
    """`<service>:<Action>`, e.g. `cam:AddUser`, for counters and fault matching."""
    return f"{api_service(request)}:{request.headers.get('X-TC-Action', '')}"


def handle_api(request: Request, iam: IamStore) -> Response:
    try:
        body = run_action(request, iam)
    except (tc3.Tc3Error, CamError) as exc:
        body = {"Error": {"Code": exc.code, "Message": exc.message}}
    body["RequestId"] = str(uuid.uuid4())
    # The SDK only reads errors when Content-Type is exactly application/json.
    return Response(json.dumps({"Response": body}), status=200, headers={"Content-Type": "application/json"})


def run_action(request: Request, iam: IamStore) -> dict:
    service_name = api_service(request)
    action = request.headers.get("X-TC-Action", "")
    service = SERVICES.get(service_name)
    version = request.headers.get("X-TC-Version", "")
    if service is None or not service.models.defines(action):
        raise CamError(
            "InvalidAction",
            f"The request action=`{action}` is invalid or not found in service=`{service_name}` and "
            f"version=`{version}`.",
        )
    if version != service.version:
        raise CamError("NoSuchVersion", f"Version {version!r} of {service_name} does not exist; use {service.version}")
    caller = authenticate(request, iam, service_name)
    params = request_params(request)
    service.models.check_request(action, params, from_query=request.method == "GET" or is_form(request))
    if action not in service.actions:
        raise CamError("UnsupportedOperation", f"The emulator does not implement {service_name}:{action}.")
    if service.authorize is not None:
        service.authorize(iam, caller, action, params)
    return service.actions[action](iam, caller, params)


def authenticate(request: Request, iam: IamStore, service: str) -> Principal:
    credential = tc3.parse_authorization(request)
    timestamp = tc3.request_timestamp(request)
    tc3.check_timestamp(timestamp)
    caller = iam.lookup_key(credential.secret_id)
    if caller is None:
        raise tc3.Tc3Error("AuthFailure.SecretIdNotFound", f"SecretId {credential.secret_id} does not exist")
    tc3.check_signature(request, credential, timestamp, caller.secret_key)
    problem = token_problem(caller, request.headers.get("X-TC-Token"))
    if problem:
        raise tc3.Tc3Error("AuthFailure.TokenFailure", TOKEN_MESSAGES[problem])
    if not caller.active:
        raise tc3.Tc3Error("AuthFailure.SecretIdNotFound", f"SecretId {credential.secret_id} is disabled")
    iam.record_key_use(credential.secret_id, service)
    return caller


def is_form(request: Request) -> bool:
    return request.mimetype == "application/x-www-form-urlencoded"


def request_params(request: Request) -> dict:
    if request.method == "GET":
        return unflatten(request.args.items())
    if is_form(request):
        return unflatten(request.form.items())
    data = request.get_data(cache=True)
    try:
        params = json.loads(data) if data.strip() else {}
    except ValueError:
        raise CamError("InvalidParameter", "The request body is not valid JSON") from None
    if not isinstance(params, dict):
        raise CamError("InvalidParameter", "The request body must be a JSON object")
    return params


def unflatten(items: Any) -> dict:
    """`{"A.0": x, "A.1": y, "B.C": z}` -> `{"A": [x, y], "B": {"C": z}}`, the inverse of the SDK's GET encoding."""
    tree: dict = {}
    for key, value in items:
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return _lists_from_indexes(tree)


def _lists_from_indexes(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    children = {key: _lists_from_indexes(value) for key, value in node.items()}
    if children and all(key.isdigit() for key in children):
        return [children[key] for key in sorted(children, key=int)]
    return children
