"""Takes a server out of an HAProxy backend and puts it back, through HAProxy's runtime API.

haproxy_server.py SOCKET BACKEND/SERVER drain|ready [TIMEOUT]

SOCKET is the admin-level `stats socket` (a path, or host:port for `stats socket ipv4@...`).
drain puts the server in maintenance and waits until it has no sessions left, so a restart cuts no request off;
ready takes it out of maintenance and waits until HAProxy's health check reports it UP.
Exits non-zero when that does not happen within TIMEOUT seconds (default 60).
"""

import csv
import socket
import sys
import time

POLL = 0.2


def ask(address, command):
    if ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        connection = socket.create_connection((host, int(port)), timeout=10)
    else:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(10)
        connection.connect(address)
    with connection:
        connection.sendall(command.encode() + b"\n")
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return b"".join(chunks).decode()
            chunks.append(chunk)


def server_stats(address, backend, server):
    rows = csv.DictReader(ask(address, "show stat").lstrip("# ").splitlines())
    for row in rows:
        if row["pxname"] == backend and row["svname"] == server:
            return row
    raise SystemExit(f"HAProxy has no server {server} in backend {backend}")


def wait_for(address, backend, server, done, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        row = server_stats(address, backend, server)
        if done(row):
            return
        if time.monotonic() > deadline:
            raise SystemExit(
                f"{backend}/{server} did not {what} within {timeout}s (status {row['status']}, "
                f"{row['scur']} sessions)"
            )
        time.sleep(POLL)


def main(address, target, action, timeout):
    backend, server = target.split("/", 1)
    server_stats(address, backend, server)
    if action == "drain":
        ask(address, f"disable server {backend}/{server}")
        wait_for(address, backend, server, lambda row: row["scur"] == "0", timeout, "lose its sessions")
    elif action == "ready":
        ask(address, f"enable server {backend}/{server}")
        wait_for(address, backend, server, lambda row: row["status"].startswith("UP"), timeout, "come UP")
    else:
        raise SystemExit(f"unknown action {action!r}: use drain or ready")
    print(f"{backend}/{server}: {action} done")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) == 5 else 60)
