"""python -m emulator: run the emulator in the foreground until interrupted."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from .iam import DEFAULT_APPID, DEFAULT_OWNER_UIN, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY
from .server import Emulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Offline Tencent Cloud emulator: COS (XML API), CAM and STS (API v3) on one port.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=9400, help="port to listen on (0: any free port)")
    parser.add_argument("--appid", default=DEFAULT_APPID, help="the account's APPID; bucket names end in -<appid>")
    parser.add_argument("--owner-uin", default=DEFAULT_OWNER_UIN, help="the root account's uin")
    parser.add_argument("--root-secret-id", default=DEFAULT_ROOT_SECRET_ID, help="the root account's SecretId")
    parser.add_argument("--root-secret-key", default=DEFAULT_ROOT_SECRET_KEY, help="the root account's SecretKey")
    parser.add_argument(
        "--reject-path-style",
        action="store_true",
        help="answer path-style COS requests with 403 PathStyleDomainForbidden, as buckets created after 2024 do",
    )
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated certificate")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    emulator = Emulator(
        host=args.host,
        port=args.port,
        appid=args.appid,
        owner_uin=args.owner_uin,
        root_secret_id=args.root_secret_id,
        root_secret_key=args.root_secret_key,
        reject_path_style=args.reject_path_style,
        tls=args.tls,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    emulator.start()
    ready = f"emulator ready at {emulator.url} (appid {args.appid})"
    if emulator.ca_file:
        ready += f" ca-file {emulator.ca_file}"
    print(ready, flush=True)
    try:
        stopped.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
