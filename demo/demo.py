"""`make demo` and `make demo-clean`: the main job against the bundled emulator, which stays up between runs.

`make demo` starts the emulator (COS, CAM and STS on one local port), runs playbooks/deploy.yml against this machine,
pushes a sample image through the new registry and pulls it back. The emulator keeps its state in memory, so it keeps
running after the demo (a second `make demo` finds everything in place and changes nothing) until `make demo-clean`
stops it together with the registry and, when the demo started it, dockerd.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import yaml

from . import engine, sample
from .paths import ROOT, STATE

PID_FILE = STATE / "emulator.pid"
SETTINGS_FILE = STATE / "emulator.yml"
REGISTRY_STATE = STATE / "registry"
DEPLOY_LOG = STATE / "deploy.log"
INVENTORY = ROOT / "demo" / "inventory.yml"
DEFAULT_PORT = 9400
READY_TIMEOUT = 30
REGISTRY = "127.0.0.1:5000"
# The registry's debug server (inventory.yml's registry_metrics.port), which serves its Prometheus metrics.
METRICS = "http://127.0.0.1:5002/metrics"
REQUESTS_METRIC = "registry_http_requests_total{"
CONTAINERS = ("cosops-demo-registry", "cosops-demo-registry-candidate")


def emulator_settings(port: int) -> dict:
    """What the playbooks need to reach the emulator; the root key is the emulator's documented default."""
    from emulator.iam import DEFAULT_APPID, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY
    from emulator.session import named_url

    url = f"http://127.0.0.1:{port}"
    return {
        "emulator_url": url,
        "emulator_named_url": named_url(url),
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
    # A new emulator starts empty: a key file from an earlier emulator would name a key that no longer exists.
    shutil.rmtree(REGISTRY_STATE, ignore_errors=True)
    with open(STATE / "emulator.log", "ab") as log:
        process = subprocess.Popen(
            # Like every bucket created after 2024, the demo's refuses path-style requests.
            [sys.executable, "-m", "emulator", "--port", str(port), "--reject-path-style"],
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


def playbook_environment(settings: dict) -> dict:
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
    # distribution 2.8's s3 driver panics when this reaches the registry container.
    environment.pop("AWS_CA_BUNDLE", None)
    return environment


def deploy_command() -> list[str]:
    playbooks = ROOT / "playbooks"
    return [
        shutil.which("ansible-playbook") or "ansible-playbook",
        "-i",
        str(INVENTORY),
        str(playbooks / "deploy.yml"),
        "-e",
        f"@{SETTINGS_FILE}",
        "-e",
        f"@{playbooks / 'vars' / 'emulator.yml'}",
    ]


def run_deploy(settings: dict) -> int:
    """Runs deploy.yml, showing and logging its output; returns how many changes its recap counts."""
    with subprocess.Popen(
        deploy_command(),
        cwd=ROOT,
        env=playbook_environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process, open(DEPLOY_LOG, "w") as log:
        output = []
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
            output.append(line)
    if process.returncode != 0:
        sys.exit(f"playbooks/deploy.yml failed; its output is in {DEPLOY_LOG}")
    return sum(int(count) for count in re.findall(r"^\S+\s+:\s.*\bchanged=(\d+)", "".join(output), re.M))


def playbook_hint(name: str) -> str:
    """The command line that runs another playbook against the demo, from the repository's root."""
    command = " ".join(deploy_command()).replace(str(ROOT) + "/", "").replace("deploy.yml", name)
    collections = os.environ.get("ANSIBLE_COLLECTIONS_PATH")
    return f"ANSIBLE_COLLECTIONS_PATH={collections} {command}" if collections else command


def counted_requests() -> int:
    """The HTTP requests the registry's metrics count so far (the sample's push and pull among them)."""
    with urllib.request.urlopen(METRICS, timeout=10) as answer:
        text = answer.read().decode()
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines() if line.startswith(REQUESTS_METRIC))


def report(settings: dict, image: str, container_engine: str, changes: int, pushed: str, requests: int) -> None:
    key_id = yaml.safe_load((REGISTRY_STATE / "registry-key.yml").read_text())["secret_id"]
    bucket = f"registry-{settings['tencentcloud_appid']}"
    deploy = "a no-op: everything was in place (changed=0)" if changes == 0 else f"{changes} changes"
    print(f"""
The demo is running.
  Deploy run         {deploy}; output in {DEPLOY_LOG}
  Emulator           {settings['emulator_url']} (COS, CAM and STS; log {STATE / 'emulator.log'})
  Bucket             {bucket} in {settings['tencentcloud_region']}, registry data under /registry; it refuses
                     path-style requests, as buckets created after 2024 do: the registry addresses it by virtual
                     host, {bucket}.cos.{settings['tencentcloud_region']}.myqcloud.com
  CAM sub-user       registry, key {key_id}, secret only in {REGISTRY_STATE / 'registry-key.yml'}
  Registry           http://{REGISTRY} (container {CONTAINERS[0]}, config {REGISTRY_STATE / 'etc' / 'config.yml'})
  Metrics            {METRICS} (Prometheus text, {requests} requests counted so far; rules in
                     prometheus/registry-rules.yml, docs/observability.md)
  Image              {image}
  Container engine   {container_engine}
  Sample image       {pushed}, pulled back into {sample.PULLED_DIR}

Try it:
  skopeo inspect --tls-verify=false docker://{pushed}
  docker pull {pushed}
  curl -s {METRICS} | grep ^registry_http_requests_total
  {playbook_hint("check.yml")}
    (the same with rotate_credentials.yml or garbage_collect.yml)

`make demo` again re-runs the deploy, which then changes nothing; `make demo-clean` stops and removes it all.""")


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


def remove_containers() -> None:
    if not engine.docker_answers():
        return
    for name in CONTAINERS:
        if subprocess.run(["docker", "container", "inspect", name], capture_output=True, check=False).returncode:
            continue
        subprocess.run(["docker", "rm", "--force", name], capture_output=True, check=True)
        print(f"Removed the container {name}.")


def clean() -> None:
    remove_containers()
    if engine.stop_docker():
        print("Stopped the dockerd the demo had started.")
    stop_emulator()
    shutil.rmtree(STATE, ignore_errors=True)
    print(f"Removed {STATE}.")


def run(port: int) -> None:
    settings = start_emulator(port)
    write_settings(settings)
    container_engine = engine.ensure_docker()
    image = engine.ensure_image()
    print(f"Registry image: {image}")
    changes = run_deploy(settings)
    pushed = sample.push_and_pull(REGISTRY)
    report(settings, image, container_engine, changes, pushed, counted_requests())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("action", choices=("run", "clean"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_EMULATOR_PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)
    if args.action == "clean":
        clean()
    else:
        run(args.port)


if __name__ == "__main__":
    main()
