"""`make demo` and `make demo-clean`: the main job against the bundled emulator, which stays up between runs.

The emulator keeps its state in memory, so it keeps running after the demo (a second `make demo` then finds
everything in place and changes nothing) until `make demo-clean` stops it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "demo" / ".state"
PID_FILE = STATE / "emulator.pid"
SETTINGS_FILE = STATE / "emulator.yml"
DEFAULT_PORT = 9400
READY_TIMEOUT = 30


def emulator_settings(port: int) -> dict:
    """What the playbooks need to reach the emulator; the root key is the emulator's documented default."""
    from tests.emulator.iam import DEFAULT_APPID, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY

    url = f"http://127.0.0.1:{port}"
    return {
        "emulator_url": url,
        "emulator_control_url": f"{url}/_emulator",
        "cos_endpoint": url,
        "api_endpoint": url,
        "tencentcloud_secret_id": DEFAULT_ROOT_SECRET_ID,
        "tencentcloud_secret_key": DEFAULT_ROOT_SECRET_KEY,
        "tencentcloud_region": "ap-guangzhou",
        "tencentcloud_appid": DEFAULT_APPID,
    }


def is_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_emulator(port: int) -> dict:
    """Reuse the running emulator, or start one detached from this process."""
    settings = emulator_settings(port)
    if is_healthy(settings["emulator_url"]):
        print(f"Emulator already running at {settings['emulator_url']}")
        return settings
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / "emulator.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.emulator", "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    PID_FILE.write_text(str(process.pid))
    deadline = time.monotonic() + READY_TIMEOUT
    while not is_healthy(settings["emulator_url"]):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"The emulator did not start; see {STATE / 'emulator.log'}")
        time.sleep(0.2)
    print(f"Emulator started at {settings['emulator_url']} (pid {process.pid})")
    return settings


def write_settings(settings: dict) -> None:
    SETTINGS_FILE.write_text(yaml.safe_dump(settings, default_flow_style=False))
    SETTINGS_FILE.chmod(0o600)


def run_playbook(playbook: str, settings: dict) -> None:
    environment = dict(os.environ)
    environment.update(
        {
            "TENCENTCLOUD_SECRET_ID": settings["tencentcloud_secret_id"],
            "TENCENTCLOUD_SECRET_KEY": settings["tencentcloud_secret_key"],
            "TENCENTCLOUD_REGION": settings["tencentcloud_region"],
            "TENCENTCLOUD_COS_ENDPOINT": settings["cos_endpoint"],
            "TENCENTCLOUD_API_ENDPOINT": settings["api_endpoint"],
        }
    )
    command = ["ansible-playbook", "-i", str(ROOT / "demo" / "inventory.yml"), str(ROOT / playbook),
               "-e", f"@{SETTINGS_FILE}"]
    if subprocess.call(command, cwd=ROOT, env=environment) != 0:
        sys.exit(f"The demo playbook {playbook} failed.")


def stop_emulator() -> None:
    if not PID_FILE.exists():
        print("No demo emulator is running.")
        return
    pid = int(PID_FILE.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
        print(f"Stopped the demo emulator (pid {pid}).")
    except ProcessLookupError:
        print("The demo emulator had already stopped.")
    PID_FILE.unlink()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("action", choices=("run", "clean"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_EMULATOR_PORT", DEFAULT_PORT)))
    parser.add_argument("--playbook", default="demo/smoke.yml")
    args = parser.parse_args(argv)
    if args.action == "clean":
        stop_emulator()
        return
    settings = start_emulator(args.port)
    write_settings(settings)
    run_playbook(args.playbook, settings)
    print(f"\nThe emulator keeps running at {settings['emulator_url']}; `make demo-clean` stops it.")


if __name__ == "__main__":
    main()
