"""A small client for the emulator's control surface (/_emulator/), for tests and playbooks' helpers."""

from __future__ import annotations

import json
import ssl
import urllib.request
from typing import Any

CONTROL_PATH = "/_emulator"
TIMEOUT = 30


class EmulatorControl:
    """url: the emulator's URL or its control URL (ending in /_emulator)."""

    def __init__(self, url: str, ca_file: str | None = None) -> None:
        base = url.rstrip("/")
        self.url = base if base.endswith(CONTROL_PATH) else base + CONTROL_PATH
        self.context = ssl.create_default_context(cafile=ca_file) if ca_file else None

    def call(self, method: str, path: str, body: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT, context=self.context) as response:
            return json.loads(response.read() or b"null")

    def health(self) -> dict:
        return self.call("GET", "health")

    def reset(self) -> None:
        self.call("POST", "reset")

    def add_fault(
        self,
        kind: str,
        count: int = 1,
        delay: float = 0,
        method: str | None = None,
        operation: str | None = None,
        path: str | None = None,
        service: str | None = None,
    ) -> dict:
        """kind: slowdown, internal, unavailable, drop or delay; the next `count` matching requests get it."""
        match = {"method": method, "operation": operation, "path": path, "service": service}
        body = {"kind": kind, "count": count, "delay": delay, "match": {k: v for k, v in match.items() if v}}
        return self.call("POST", "faults", body)

    def faults(self) -> list[dict]:
        return self.call("GET", "faults")

    def clear_faults(self) -> None:
        self.call("DELETE", "faults")

    def counters(self) -> dict:
        """{"operations": {"cos:PutObject": n, ...}, "reads": n, "writes": n, "total": n}"""
        return self.call("GET", "counters")

    def clear_counters(self) -> None:
        self.call("DELETE", "counters")

    def set_list_delay(self, seconds: float) -> None:
        self.call("POST", "consistency", {"list_delay": seconds})

    def set_path_style(self, bucket: str, reject: bool) -> None:
        self.call("POST", f"buckets/{bucket}/path-style", {"reject": reject})

    def bind_instance_role(self, role: str | None) -> None:
        """The CAM role the emulated CVM instance carries (its carrier must be cvm.qcloud.com); None unbinds it."""
        self.call("POST", "instance-role", {"role": role})

    def expire_temporary_keys(self) -> int:
        """Every temporary key issued so far stops working, as when its lifetime has passed."""
        return self.call("POST", "temporary-keys/expire", {})["expired"]
