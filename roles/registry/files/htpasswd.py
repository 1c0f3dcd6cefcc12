"""Print htpasswd lines with bcrypt hashes for the users given as JSON on stdin.

Input: {"users": [{"name": ..., "password": ...}], "key": ..., "cost": 10}.
Each salt is derived from the key, the user name and the password, so the same input always gives the same file
(re-runs change nothing) while a new password, or another key, gives a new salt.
"""

import base64
import hashlib
import hmac
import json
import sys

import bcrypt

_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def derived_salt(key: str, name: str, password: str, cost: int) -> bytes:
    digest = hmac.new(key.encode(), f"{name}\0{password}".encode(), hashlib.sha256).digest()[:16]
    encoded = base64.b64encode(digest)[:22].translate(bytes.maketrans(_STD, _BCRYPT))
    return b"$2b$%02d$" % cost + encoded


def htpasswd_lines(spec: dict) -> list:
    lines = []
    for user in spec["users"]:
        salt = derived_salt(spec["key"], user["name"], user["password"], int(spec["cost"]))
        lines.append(f"{user['name']}:{bcrypt.hashpw(user['password'].encode(), salt).decode()}")
    return lines


if __name__ == "__main__":
    sys.stdout.write("".join(line + "\n" for line in htpasswd_lines(json.load(sys.stdin))))
