# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry's container, described once.

The role's variables become one engine-neutral description (`describe`); the docker and podman modules' parameters
(`engine_parameters`), the argv of a one-off container such as garbage-collect's (`run_argv`, with `run_stdin`) and
the fingerprint the live container is labelled with (`fingerprint`) are all read from it. A new container option is
one key of the description and one row of OPTIONS.

Secrets have keys of their own: `secret_env` (variables whose values are secret: in the container's environment, but
never on a one-off's command line, which reads them from its stdin) and `secrets` (variables filled from podman
secrets, which docker has only in swarm mode).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# The port the registry listens on inside the container in bridge mode (its http.addr there is ":5000").
CONTAINER_PORT = 5000
# The port of the debug server (metrics) inside the live container in bridge mode (its http.debug.addr is ":5001").
METRICS_CONTAINER_PORT = 5001
# The label of the live container that holds the fingerprint of the description it was created from.
FINGERPRINT_LABEL = "org.cosops.registry.fingerprint"
PURPOSES = ("live", "candidate")
# Keys that name a container rather than describe it: they do not count in its fingerprint.
NAMING_KEYS = ("name",)


def describe(settings: Mapping, purpose: str = "live") -> dict:
    """The description of the live container or of its candidate (same spec, its own name, directory and loopback
    port, never restarted) from the role's settings; see the filter cosops.registry.registry_container."""
    if purpose not in PURPOSES:
        raise ValueError(f"Container purpose {purpose!r} is not one of {', '.join(PURPOSES)}.")
    candidate = purpose == "candidate"
    network = settings["network_mode"]
    secrets = dict(settings.get("secrets") or {})
    if secrets and settings["engine"] != "podman":
        raise ValueError(
            f"Secrets ({', '.join(secrets)}) need the podman engine: docker keeps secrets in swarm mode only."
        )
    directory = settings["candidate_dir"] if candidate else settings["config_dir"]
    return {
        "engine": settings["engine"],
        "name": f"{settings['name']}-candidate" if candidate else settings["name"],
        "image": settings["image"],
        "command": ["serve", f"{settings['container_dir']}/config.yml"],
        "network": network,
        "ports": published_ports(settings, candidate) if network == "bridge" else [],
        "mounts": [f"{directory}:{settings['container_dir']}:ro"],
        "env": dict(settings.get("env") or {}),
        "secret_env": dict(settings.get("secret_env") or {}),
        "secrets": secrets,
        "etc_hosts": dict(settings.get("etc_hosts") or {}),
        "ulimits": list(settings.get("ulimits") or []),
        "memory": str(settings.get("memory") or ""),
        "cpus": float(settings.get("cpus") or 0),
        "healthcheck": dict(settings.get("healthcheck") or {}),
        "restart_policy": "no" if candidate else settings["restart_policy"],
        # Only podman is given an OCI runtime (registry_podman_runtime).
        "oci_runtime": str(settings.get("oci_runtime") or "") if settings["engine"] == "podman" else "",
    }


def published_ports(settings: Mapping, candidate: bool) -> list:
    """`[address:]port:5000`: the live port on the bind address, the candidate's on loopback; and the live container's
    debug server, `[address:]port:5001`, when it has a metrics port (a candidate's stays inside its container)."""
    if candidate:
        return [f"127.0.0.1:{settings['candidate_port']}:{CONTAINER_PORT}"]
    ports = [publish(settings.get("bind_address"), settings["port"], CONTAINER_PORT)]
    metrics_port = int(settings.get("metrics_port") or 0)
    if metrics_port:
        ports.append(publish(settings.get("metrics_bind_address"), metrics_port, METRICS_CONTAINER_PORT))
    return ports


def publish(address, port, container_port: int) -> str:
    return f"{address + ':' if address else ''}{port}:{container_port}"


def fingerprint(description: Mapping, image_id: str) -> str:
    """sha256 of everything the container is made from, with the image by id, so a pulled image counts. Empty values
    are left out: an option added later keeps the fingerprint of every container that does not use it."""
    spec = {key: value for key, value in description.items() if key not in NAMING_KEYS and not is_empty(value)}
    spec["image"] = image_id
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()


def is_empty(value) -> bool:
    return value is None or value == "" or value == 0 or (isinstance(value, (list, dict)) and not value)


@dataclass(frozen=True)
class Option:
    """How each engine takes one key of the description: docker_container's and podman_container's parameters, and
    the flags of `<engine> run` for a one-off container (None where it does not take the key)."""

    docker: Callable[[object], dict]
    podman: Callable[[object], dict]
    run: Callable[[object], list] | None = None


def secret_specs(secrets: Mapping) -> list:
    """podman's secret specs: each secret given to the container as the environment variable it fills."""
    return [f"{secret},type=env,target={variable}" for variable, secret in secrets.items()]


def parameter(name: str, keep_empty: bool = True) -> Callable[[object], dict]:
    return lambda value: {name: value} if keep_empty or not is_empty(value) else {}


def flags(flag: str, render: Callable[[object], list] = list) -> Callable[[object], list]:
    return lambda value: [f"{flag}={item}" for item in render(value)]


def podman_healthcheck(healthcheck: Mapping) -> dict:
    """podman_container takes the test as a string (a JSON list for exec form) and the timings as parameters."""
    if "test" not in healthcheck:
        return {}
    test = healthcheck["test"]
    parameters = {"healthcheck": test if isinstance(test, str) else json.dumps(test)}
    for timing in ("interval", "timeout", "retries"):
        if timing in healthcheck:
            parameters[f"healthcheck_{timing}"] = healthcheck[timing]
    return parameters


OPTIONS: dict[str, Option] = {
    "engine": Option(docker=lambda value: {}, podman=lambda value: {}),
    "name": Option(docker=parameter("name"), podman=parameter("name")),
    "image": Option(docker=parameter("image"), podman=parameter("image")),
    "command": Option(docker=parameter("command"), podman=parameter("command")),
    "network": Option(
        docker=parameter("network_mode"),
        podman=lambda value: {"network": [value]} if value == "host" else {},
        run=flags("--network", lambda value: [value]),
    ),
    "ports": Option(docker=parameter("published_ports", False), podman=parameter("ports", False)),
    "mounts": Option(docker=parameter("volumes"), podman=parameter("volume"), run=flags("--volume")),
    "env": Option(
        docker=parameter("env"),
        podman=parameter("env"),
        run=flags("--env", lambda value: [f"{name}={setting}" for name, setting in value.items()]),
    ),
    # Added to the parameter `env`; a one-off reads them from its stdin (run_stdin), never from its command line.
    "secret_env": Option(
        docker=parameter("env", False),
        podman=parameter("env", False),
        run=lambda value: ["--env-file=/dev/stdin"] if value else [],
    ),
    "secrets": Option(
        docker=lambda value: {},
        podman=lambda value: {"secrets": secret_specs(value)} if value else {},
        run=flags("--secret", secret_specs),
    ),
    "etc_hosts": Option(
        docker=parameter("etc_hosts", False),
        podman=parameter("etc_hosts", False),
        run=flags("--add-host", lambda value: [f"{name}:{address}" for name, address in value.items()]),
    ),
    "ulimits": Option(
        docker=lambda value: {"ulimits": [limit.replace("=", ":") for limit in value]},
        podman=parameter("ulimit"),
        run=flags("--ulimit"),
    ),
    "memory": Option(docker=parameter("memory", False), podman=parameter("memory", False)),
    "cpus": Option(docker=parameter("cpus", False), podman=parameter("cpus", False)),
    "healthcheck": Option(docker=parameter("healthcheck", False), podman=podman_healthcheck),
    "restart_policy": Option(docker=parameter("restart_policy"), podman=parameter("restart_policy")),
    "oci_runtime": Option(
        docker=lambda value: {},
        podman=lambda value: {"cmd_args": ["--runtime", value]} if value else {},
        run=lambda value: [f"--runtime={value}"] if value else [],
    ),
}
# What each module is told besides the description: docker_container's defaults stay out of the comparison.
ENGINE_PARAMETERS = {"docker": {"container_default_behavior": "no_defaults"}, "podman": {}}
LABELS_PARAMETER = {"docker": "labels", "podman": "label"}


def engine_parameters(description: Mapping, recreate: bool = False, fingerprint_label: str = "") -> dict:
    """The parameters of community.docker.docker_container or containers.podman.podman_container (the description's
    engine) that start the described container; the live one carries its fingerprint as a label."""
    engine = description["engine"]
    parameters = {"state": "started", "recreate": recreate, **ENGINE_PARAMETERS[engine]}
    for key, value in description.items():
        for name, setting in getattr(OPTIONS[key], engine)(value).items():
            # env and secret_env both fill the parameter env.
            parameters[name] = {**parameters[name], **setting} if isinstance(parameters.get(name), dict) else setting
    parameters[LABELS_PARAMETER[engine]] = {FINGERPRINT_LABEL: fingerprint_label} if fingerprint_label else {}
    return parameters


def run_argv(description: Mapping, command: list) -> list:
    """`<engine> run --rm ...` of a one-off container with the described network, mounts, environment, host entries,
    ulimits and OCI runtime, running `command` (the image's arguments) instead of the registry."""
    argv = [description["engine"], "run", "--rm"]
    for key, value in description.items():
        if OPTIONS[key].run is not None:
            argv.extend(OPTIONS[key].run(value))
    return argv + [description["image"], *command]


def run_stdin(description: Mapping) -> str:
    """What `run_argv`'s command reads on its stdin: the secret variables as an env-file, one NAME=value a line."""
    return "\n".join(f"{name}={value}" for name, value in description.get("secret_env", {}).items())
