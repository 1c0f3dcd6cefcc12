"""The redis protocol of the blob cache's clean-up, against a socket pair standing in for redis."""

import io
import socket
import threading

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._registry.blob_cache import (
    RedisError,
    address_of,
    encode,
    read_reply,
    run_commands,
)


def test_commands_are_encoded_as_arrays_of_bulk_strings():
    assert encode(("SREM", "repository::a::blobs", "sha256:d")) == (
        b"*3\r\n$4\r\nSREM\r\n$20\r\nrepository::a::blobs\r\n$8\r\nsha256:d\r\n"
    )


@pytest.mark.parametrize(
    "raw, value",
    [
        (b"+OK\r\n", "OK"),
        (b":3\r\n", 3),
        (b"$3\r\nabc\r\n", b"abc"),
        (b"$-1\r\n", None),
        (b"*2\r\n:1\r\n+OK\r\n", [1, "OK"]),
    ],
)
def test_replies_are_read(raw, value):
    assert read_reply(io.BytesIO(raw)) == value


def test_an_error_reply_raises_with_redis_sentence():
    with pytest.raises(RedisError, match="NOAUTH Authentication required"):
        read_reply(io.BytesIO(b"-NOAUTH Authentication required.\r\n"))


def test_addresses_default_to_redis_port():
    assert address_of("cache.internal") == ("cache.internal", 6379)
    assert address_of("127.0.0.1:6380") == ("127.0.0.1", 6380)


def test_commands_are_pipelined_after_auth_and_select_and_their_replies_returned():
    server = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve():
        connection, _address = server.accept()
        with connection, connection.makefile("rb") as stream:
            for reply in (b"+OK\r\n", b"+OK\r\n", b":1\r\n", b":0\r\n"):
                count = int(stream.readline()[1:])
                received.append([stream.readline() and stream.readline()[:-2] for _part in range(count)])
                connection.sendall(reply)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        address = f"127.0.0.1:{server.getsockname()[1]}"
        replies = run_commands(address, [("DEL", "blobs::a"), ("DEL", "blobs::b")], password="secret", db=2)
    finally:
        thread.join(10)
        server.close()
    assert replies == [1, 0]
    assert received == [[b"AUTH", b"secret"], [b"SELECT", b"2"], [b"DEL", b"blobs::a"], [b"DEL", b"blobs::b"]]


def test_an_unreachable_redis_is_one_sentence():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(RedisError, match=f"redis at 127.0.0.1:{port} could not be reached"):
        run_commands(f"127.0.0.1:{port}", [("DEL", "x")])
