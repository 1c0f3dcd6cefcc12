# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry's redis blob descriptor cache, told to forget blobs a collection deleted.

A replica whose cache still describes a deleted blob answers "exists" for it, and a client then skips the upload of a
layer its new manifest needs (distribution issues 1803, 4269). distribution clears nothing after its own collection;
restarting a replica empties an in-memory cache, not redis. The few commands needed are sent over redis's own protocol
(RESP), pipelined, so no client library is required.
"""

from __future__ import annotations

import socket

# Commands sent before their answers are read.
PIPELINE = 1000
DEFAULT_PORT = 6379


class RedisError(Exception):
    """Redis refused a command or could not be reached; the message says which."""


def encode(command) -> bytes:
    parts = [str(part).encode() for part in command]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in parts)


def read_reply(stream):
    """One reply: a status or bulk string, an integer, an array, or None; an error reply raises RedisError."""
    line = stream.readline()
    if not line.endswith(b"\r\n"):
        raise RedisError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RedisError(rest.decode(errors="replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        length = int(rest)
        return None if length < 0 else stream.read(length + 2)[:-2]
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [read_reply(stream) for _item in range(count)]
    raise RedisError(f"unexpected reply from redis: {line[:40]!r}")


def address_of(addr: str) -> tuple:
    host, _separator, port = addr.rpartition(":")
    return (host.strip("[]"), int(port)) if host else (addr, DEFAULT_PORT)


def run_commands(addr: str, commands: list, password: str = "", db: int = 0, timeout: float = 30) -> list:
    """Send commands to the redis at addr (host:port) on database db, pipelined; their replies in order."""
    preamble = ([("AUTH", password)] if password else []) + ([("SELECT", db)] if db else [])
    replies = []
    try:
        with socket.create_connection(address_of(addr), timeout=timeout) as connection:
            stream = connection.makefile("rb")
            for start in range(0, len(preamble + commands), PIPELINE):
                batch = (preamble + commands)[start : start + PIPELINE]
                connection.sendall(b"".join(encode(command) for command in batch))
                replies += [read_reply(stream) for _command in batch]
    except OSError as error:
        raise RedisError(f"redis at {addr} could not be reached: {error}") from None
    return replies[len(preamble) :]
