"""One threaded HTTP server, four faces: the control surface, the CVM metadata service, the Tencent Cloud API v3 (CAM,
STS) and COS."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from werkzeug.exceptions import ClientDisconnected
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from . import api, metadata
from .addressing import COS_HOST, host_without_port, locate, resource_text
from .control_surface import PREFIX, ControlSurface, json_response
from .cos import CosFace
from .engine import PRESERVED_HEADER_NAMES_ENVIRON_KEY, Engine, MotoRequestHandler, environ_key_for_header
from .errors import error_response
from .iam import DEFAULT_APPID, DEFAULT_OWNER_UIN, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY, IamStore
from .state import EmulatorState, Fault
from .tls import server_context

log = logging.getLogger(__name__)
READ_ACTION_PREFIXES = ("Get", "List", "Describe")
COS_FAULTS = {
    "slowdown": (503, "SlowDown", "Please reduce your request rate."),
    "internal": (500, "InternalError", "We encountered an internal error. Please try again."),
    "unavailable": (503, "ServiceUnavailable", "Service is unavailable now. Please try again."),
}
API_FAULTS = {
    "slowdown": ("RequestLimitExceeded", "The request frequency exceeds the limit."),
    "internal": ("InternalError", "An internal error occurred."),
    "unavailable": ("InternalError", "The service is temporarily unavailable."),
}


class DropConnection(ConnectionError):
    """Raised after the client socket was shut: the server sends nothing back."""


class RequestHandler(MotoRequestHandler):
    """Keeps underscores in x-amz-meta-* and x-cos-meta-* names, answers as COS does, logs at debug level only."""

    def make_environ(self) -> dict:
        environ = super().make_environ()
        names = environ.setdefault(PRESERVED_HEADER_NAMES_ENVIRON_KEY, {})
        for name, value in self.headers.items():
            if "_" in name and name.lower().startswith("x-cos-meta-"):
                key = environ_key_for_header(name)
                environ.setdefault(key, value)
                names.setdefault(key, name)
        return environ

    def version_string(self) -> str:
        return "tencent-cos"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug('"%s" %s %s', self.requestline, code, size)


class Dispatcher:
    """The WSGI application: picks the face, counts the operation and applies injected faults."""

    def __init__(self, cos: CosFace, control: ControlSurface, iam: IamStore, state: EmulatorState) -> None:
        self.cos = cos
        self.control = control
        self.iam = iam
        self.state = state

    def __call__(self, environ: dict, start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except DropConnection:
            raise
        except ClientDisconnected:
            response = error_response(400, "IncompleteBody", "The request body ended before its Content-Length.")
        except Exception:
            log.exception("unexpected failure on %s %s", request.method, request.path)
            response = error_response(500, "InternalError", "We encountered an internal error. Please try again.")
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if is_control(request):
            return self.control.handle(request)
        if metadata.is_metadata(request):
            self.state.count(metadata.OPERATION, False)
            return metadata.handle_metadata(request, self.iam)
        service, operation, writes = self.classify(request)
        self.state.count(operation, writes)
        fault = self.state.take_fault(request.method, operation, request.path, service)
        failure = self.apply_fault(fault, request, service) if fault else None
        if failure:
            return failure
        if service == "cos":
            return self.cos.handle(request)
        return api.handle_api(request, self.iam)

    def classify(self, request: Request) -> tuple[str, str, bool]:
        """(service, operation name, whether it writes)."""
        if "X-TC-Action" in request.headers:
            operation = api.api_operation(request)
            action = operation.split(":", 1)[-1]
            return operation.split(":", 1)[0], operation, not action.startswith(READ_ACTION_PREFIXES)
        cos_operation = self.cos.operation(request)
        return "cos", cos_operation.name, cos_operation.writes

    def apply_fault(self, fault: Fault, request: Request, service: str) -> Response | None:
        """The answer a fault gives instead of the normal one; None when the normal one follows (a delay)."""
        if fault.kind == "drop":
            drop(request)
        if fault.kind == "delay":
            time.sleep(fault.delay)
            return None
        if service == "cos":
            status, code, message = COS_FAULTS[fault.kind]
            # COS always names the resource; the SDK cannot parse an error whose Resource is empty.
            return error_response(status, code, message, resource_text(locate(request.environ)))
        code, message = API_FAULTS[fault.kind]
        return json_response({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "emulator-fault"}})


def is_control(request: Request) -> bool:
    """Control paths, except on a bucket's own host where /_emulator/... is just a key."""
    if not request.path.startswith(PREFIX):
        return False
    match = COS_HOST.match(host_without_port(request.host).lower())
    return not (match and match.group("bucket"))


def drop(request: Request) -> None:
    """Close the client's connection without an answer."""
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise DropConnection("connection dropped by an injected fault")


class Emulator:
    """COS, CAM and STS on one local port. One per process: the storage engine's state is process-wide."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        appid: str = DEFAULT_APPID,
        owner_uin: str = DEFAULT_OWNER_UIN,
        root_secret_id: str = DEFAULT_ROOT_SECRET_ID,
        root_secret_key: str = DEFAULT_ROOT_SECRET_KEY,
        reject_path_style: bool = False,
        tls: bool = False,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.appid = appid
        self.tls = tls
        self.iam = IamStore(appid, owner_uin, root_secret_id, root_secret_key)
        self.state = EmulatorState(reject_path_style=reject_path_style)
        self.engine = Engine()
        self.cos = CosFace(self.engine, self.iam, self.state, appid, owner_uin)
        self.control = ControlSurface(self.state, self.reset, self.cos.signer, self.iam)
        self.app = Dispatcher(self.cos, self.control, self.iam, self.state)
        self.ca_file: Path | None = None
        self._tls_directory: str | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "Emulator":
        ssl_context = None
        if self.tls:
            self._tls_directory = tempfile.mkdtemp(prefix="cos-emulator-tls-")
            ssl_context, self.ca_file = server_context(Path(self._tls_directory), self.host)
        self._server = make_server(
            self.host,
            self.requested_port,
            self.app,
            threaded=True,
            request_handler=RequestHandler,
            ssl_context=ssl_context,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="cos-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._tls_directory:
            shutil.rmtree(self._tls_directory, ignore_errors=True)
            self._tls_directory = None
        self.engine.reset()

    def reset(self) -> None:
        """Empty storage, IAM back to the root account, counters, faults and switches cleared."""
        self.engine.reset()
        self.iam.reset()
        self.state.reset()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._server.server_port

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
