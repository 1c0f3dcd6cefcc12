"""python -m emulator.session --config FILE -- CMD ARGS...

Starts the emulator on a free port, writes FILE (YAML) with the endpoints and root credentials, runs CMD with the
same values in its environment, stops the emulator and exits with CMD's status.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .server import Emulator

REGION = "ap-guangzhou"


def named_url(url: str, region: str = REGION) -> str:
    """The emulator's address under COS's own endpoint name, for clients that resolve cos.<region>.myqcloud.com (and
    the bucket hosts under it) to the emulator, as virtual-host addressing needs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://cos.{region}.myqcloud.com:{parts.port}"


def session_settings(emulator: Emulator) -> dict[str, str]:
    settings = {
        "emulator_url": emulator.url,
        "emulator_named_url": named_url(emulator.url),
        "emulator_control_url": emulator.url + "/_emulator",
        "cos_endpoint": emulator.url,
        "api_endpoint": emulator.url,
        "tencentcloud_secret_id": emulator.iam.root_secret_id,
        "tencentcloud_secret_key": emulator.iam.root_secret_key,
        "tencentcloud_region": REGION,
        "tencentcloud_appid": emulator.appid,
    }
    if emulator.ca_file:
        settings["emulator_ca_file"] = str(emulator.ca_file)
    return settings


def session_environment(settings: dict[str, str]) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "TENCENTCLOUD_SECRET_ID": settings["tencentcloud_secret_id"],
            "TENCENTCLOUD_SECRET_KEY": settings["tencentcloud_secret_key"],
            "TENCENTCLOUD_REGION": settings["tencentcloud_region"],
            "TENCENTCLOUD_APPID": settings["tencentcloud_appid"],
            "TENCENTCLOUD_COS_ENDPOINT": settings["cos_endpoint"],
            "TENCENTCLOUD_API_ENDPOINT": settings["api_endpoint"],
            "EMULATOR_CONTROL_URL": settings["emulator_control_url"],
        }
    )
    if "emulator_ca_file" in settings:
        environment["EMULATOR_CA_FILE"] = settings["emulator_ca_file"]
    return environment


def write_config(path: Path, settings: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(settings, default_flow_style=False, sort_keys=True))
    path.chmod(0o600)


def run(command: list[str], environment: dict[str, str]) -> int:
    """Runs the command to its end, passing on SIGINT/SIGTERM so it can clean up."""
    child = subprocess.Popen(command, env=environment)

    def forward(signum, frame):
        child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.session", description=__doc__.split("\n\n")[1])
    parser.add_argument("--config", required=True, type=Path, help="YAML file to write the endpoints and keys to")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated certificate")
    parser.add_argument(
        "--reject-path-style",
        action="store_true",
        help="refuse path-style COS requests (403 PathStyleDomainForbidden), as buckets created after 2024 do",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    with Emulator(tls=args.tls, reject_path_style=args.reject_path_style) as emulator:
        settings = session_settings(emulator)
        write_config(args.config, settings)
        return run(command, session_environment(settings))


if __name__ == "__main__":
    sys.exit(main())
