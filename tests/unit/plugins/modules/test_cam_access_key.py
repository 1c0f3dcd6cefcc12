"""CreateAccessKey answers lost after CAM acted: proven against the emulator's CAM face behind a lossy connection."""

from __future__ import annotations

import json
import socket
import threading
from types import SimpleNamespace

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import ApiClient, Connection
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError
from ansible_collections.cosops.registry.plugins.modules.cam_access_key import create_key
from werkzeug.serving import make_server


class LoseAnswers:
    """WSGI middleware: lets CAM create the key, then closes the connection instead of answering, `times` times."""

    def __init__(self, app, times: int) -> None:
        self.app = app
        self.times = times
        self.lost_key_ids: list[str] = []

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_TC_ACTION") != "CreateAccessKey" or len(self.lost_key_ids) >= self.times:
            return self.app(environ, start_response)
        body = b"".join(self.app(environ, lambda *args: None))
        self.lost_key_ids.append(json.loads(body)["Response"]["AccessKey"]["AccessKeyId"])
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("answer lost on purpose")


@pytest.fixture(name="lossy")
def lossy_fixture(emulator, request):
    """(middleware, API endpoint) of a server that loses the first `request.param` CreateAccessKey answers."""
    middleware = LoseAnswers(emulator.app, request.param)
    server = make_server("127.0.0.1", 0, middleware, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield middleware, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def module_for(emulator, endpoint: str, retries: int = 5) -> SimpleNamespace:
    """What create_key reads of the Ansible module: its connection, CAM client and the description option."""
    connection = Connection(
        secret_id=emulator.iam.root_secret_id,
        secret_key=emulator.iam.root_secret_key,
        api_endpoint=endpoint,
        retries=retries,
    )
    return SimpleNamespace(connection=connection, cam=ApiClient(connection, "cam"), params={"description": "registry"})


@pytest.mark.parametrize("lossy", [1, 2], indirect=True)
def test_keys_behind_lost_answers_are_deleted_and_exactly_one_key_remains(emulator, lossy):
    middleware, endpoint = lossy
    user = emulator.iam.add_user("registry").user
    existing = emulator.iam.create_access_key(user.uin).secret_id

    created = create_key(module_for(emulator, endpoint), int(user.uin), [existing])

    remaining = sorted(key.secret_id for key in emulator.iam.list_access_keys(user.uin))
    assert remaining == sorted([existing, created["AccessKeyId"]])
    assert created["SecretAccessKey"]
    assert created["AccessKeyId"] not in middleware.lost_key_ids
    assert len(middleware.lost_key_ids) == len(set(middleware.lost_key_ids)) == middleware.times


@pytest.mark.parametrize("lossy", [3], indirect=True)
def test_the_create_gives_up_when_its_retries_are_spent(emulator, lossy):
    _middleware, endpoint = lossy
    user = emulator.iam.add_user("registry").user

    with pytest.raises(TencentCloudError, match="CreateAccessKey failed: ClientNetworkError"):
        create_key(module_for(emulator, endpoint, retries=2), int(user.uin), [])
    assert emulator.iam.list_access_keys(user.uin) == []
