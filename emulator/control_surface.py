"""The control surface under /_emulator/: reset, faults, counters, listing delay, path-style switches, the instance's
CAM role and the expiry of temporary keys (JSON)."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from .errors import CosError
from .iam import CamError, IamStore
from .state import EmulatorState, InvalidControlRequest, parse_fault

PREFIX = "/_emulator/"
PATH_STYLE = re.compile(r"^/_emulator/buckets/(?P<bucket>[^/]+)/path-style$")
MAX_LIST_DELAY = 300


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


class ControlSurface:
    """authenticate returns the principal that signed a request (raising CosError when none did)."""

    def __init__(
        self, state: EmulatorState, reset: Callable[[], None], authenticate: Callable[[Request], Any], iam: IamStore
    ) -> None:
        self.state = state
        self.iam = iam
        self.reset = reset
        self.authenticate = authenticate
        self.routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", "health"): lambda request: json_response({"status": "ok"}),
            ("POST", "reset"): self.post_reset,
            ("GET", "faults"): lambda request: json_response(state.armed_faults()),
            ("POST", "faults"): self.post_fault,
            ("DELETE", "faults"): self.delete_faults,
            ("GET", "counters"): lambda request: json_response(state.counters()),
            ("DELETE", "counters"): self.delete_counters,
            ("GET", "consistency"): lambda request: json_response({"list_delay": state.list_delay}),
            ("POST", "consistency"): self.post_consistency,
            ("GET", "instance-role"): lambda request: json_response({"role": iam.instance_role}),
            ("POST", "instance-role"): self.post_instance_role,
            ("POST", "temporary-keys/expire"): self.expire_temporary_keys,
        }

    def handle(self, request: Request) -> Response:
        try:
            self.check_caller(request)
            return self.route(request)
        except InvalidControlRequest as error:
            return json_response({"error": str(error)}, 400)
        except CosError as error:
            return json_response({"error": f"{error.code}: {error.message}"}, error.status)

    def check_caller(self, request: Request) -> None:
        """Loopback clients may always control the emulator; others must sign with the root key."""
        if is_loopback(request.remote_addr):
            return
        if not self.authenticate(request).is_root:
            raise CosError(403, "AccessDenied", "Only the root account may use the control surface.")

    def route(self, request: Request) -> Response:
        match = PATH_STYLE.match(request.path)
        if match and request.method == "POST":
            return self.post_path_style(request, match.group("bucket"))
        handler = self.routes.get((request.method, request.path[len(PREFIX) :].strip("/")))
        if handler is None:
            return json_response({"error": f"no control endpoint {request.method} {request.path}"}, 404)
        return handler(request)

    def post_reset(self, request: Request) -> Response:
        self.reset()
        return json_response({"reset": True})

    def post_fault(self, request: Request) -> Response:
        fault = parse_fault(json_body(request))
        self.state.add_fault(fault)
        return json_response(fault.describe(), 201)

    def delete_faults(self, request: Request) -> Response:
        self.state.clear_faults()
        return json_response({"faults": []})

    def delete_counters(self, request: Request) -> Response:
        self.state.clear_counters()
        return json_response(self.state.counters())

    def post_consistency(self, request: Request) -> Response:
        delay = json_body(request).get("list_delay", 0)
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= MAX_LIST_DELAY:
            raise InvalidControlRequest(
                f"list_delay {delay!r} must be a number of seconds between 0 and {MAX_LIST_DELAY}"
            )
        self.state.set_list_delay(float(delay))
        return json_response({"list_delay": self.state.list_delay})

    def post_instance_role(self, request: Request) -> Response:
        role = json_body(request).get("role")
        if role is not None and not isinstance(role, str):
            raise InvalidControlRequest(f"role {role!r} must be a role name or null")
        try:
            self.iam.bind_instance_role(role)
        except CamError as error:
            raise InvalidControlRequest(error.message) from None
        return json_response({"role": role})

    def expire_temporary_keys(self, request: Request) -> Response:
        return json_response({"expired": self.iam.expire_temporary_keys()})

    def post_path_style(self, request: Request, bucket: str) -> Response:
        reject = json_body(request).get("reject")
        if not isinstance(reject, bool):
            raise InvalidControlRequest(f"reject {reject!r} must be true or false")
        self.state.set_path_style(bucket, reject)
        return json_response({"bucket": bucket, "reject": reject})


def json_body(request: Request) -> dict:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise InvalidControlRequest("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise InvalidControlRequest("the body must be a JSON object")
    return body
