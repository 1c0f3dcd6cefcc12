"""Running helper processes from tests: start, wait for a line or a port, stop - every wait bounded."""

from __future__ import annotations

import re
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

REPOSITORY = Path(__file__).resolve().parents[2]
# Builds a pinned third-party Go program on first use (a few minutes) and prints its path.
GO_PROGRAMS = REPOSITORY / "tools" / "go-programs.sh"
GO_BUILD_TIMEOUT = 1200
READY_LINE = re.compile(r"emulator ready at (?P<url>\S+)(?: \(appid \d+\))?(?: ca-file (?P<ca_file>\S+))?")


def read_line(stream: IO[str], timeout: float) -> str:
    """The next line of a child's output, or TimeoutError when none comes in time."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError(f"no output within {timeout} seconds")
    return stream.readline()


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def start_emulator(*options: str, timeout: float = 60) -> tuple[subprocess.Popen, str, str | None]:
    """`python -m emulator --port 0 OPTIONS` as a child: (process, URL, CA file or None)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", *options],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        match = READY_LINE.search(read_line(process.stdout, timeout))
    except TimeoutError:
        stop(process)
        raise
    if not match:
        stop(process)
        raise RuntimeError("the emulator did not print its ready line")
    return process, match.group("url"), match.group("ca_file")


def wait_until(condition, what: str, timeout: float, poll: float = 0.1) -> None:
    """Until condition() is true; fails naming what did not happen within timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} s")
        time.sleep(poll)


def wait_for_port(host: str, port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Until something accepts connections on host:port; fails early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process exited with status {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout} seconds")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def go_program(name: str) -> str:
    """The path of a third-party Go program the tests run (tools/go-programs.env pins it), built when missing."""
    built = subprocess.run(
        [str(GO_PROGRAMS), name], capture_output=True, text=True, timeout=GO_BUILD_TIMEOUT, check=True
    )
    return built.stdout.strip()
