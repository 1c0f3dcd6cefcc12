"""What the control surface changes: counters, injected faults, the listing delay, path-style switches."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from .documents import BucketConfig

FAULT_KINDS = ("slowdown", "internal", "unavailable", "drop", "delay")
MATCH_FIELDS = ("method", "operation", "path", "service")


class InvalidControlRequest(ValueError):
    """A control request with a bad value; the message names the value and the rule."""


@dataclass
class Fault:
    kind: str
    count: int
    delay: float = 0.0
    method: str | None = None
    operation: str | None = None
    path: re.Pattern | None = None
    service: str | None = None

    def matches(self, method: str, operation: str, path: str, service: str) -> bool:
        return (
            (self.method is None or self.method == method.upper())
            and (self.operation is None or self.operation == operation)
            and (self.path is None or self.path.search(path) is not None)
            and (self.service is None or self.service == service)
        )

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "count": self.count,
            "delay": self.delay,
            "match": {
                "method": self.method,
                "operation": self.operation,
                "path": self.path.pattern if self.path else None,
                "service": self.service,
            },
        }


def parse_fault(spec: dict) -> Fault:
    kind = spec.get("kind")
    if kind not in FAULT_KINDS:
        raise InvalidControlRequest(f"kind {kind!r} must be one of {', '.join(FAULT_KINDS)}")
    count, delay = spec.get("count", 1), spec.get("delay", 0)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InvalidControlRequest(f"count {count!r} must be a positive integer")
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= 300:
        raise InvalidControlRequest(f"delay {delay!r} must be a number of seconds between 0 and 300")
    match = spec.get("match") or {}
    unknown = set(match) - set(MATCH_FIELDS)
    if unknown:
        raise InvalidControlRequest(f"match keys {sorted(unknown)} are not among {', '.join(MATCH_FIELDS)}")
    try:
        path = re.compile(match["path"]) if match.get("path") else None
    except re.error as error:
        raise InvalidControlRequest(f"match.path {match['path']!r} is not a regular expression: {error}") from None
    method = match.get("method")
    return Fault(
        kind,
        count,
        float(delay),
        method.upper() if method else None,
        match.get("operation"),
        path,
        match.get("service"),
    )


@dataclass
class EmulatorState:
    reject_path_style: bool = False
    list_delay: float = 0.0
    operations: Counter = field(default_factory=Counter)
    reads: int = 0
    writes: int = 0
    faults: list[Fault] = field(default_factory=list)
    path_style: dict[str, bool] = field(default_factory=dict)
    bucket_configs: dict[str, BucketConfig] = field(default_factory=dict)
    written_at: dict[tuple[str, str], float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reset(self) -> None:
        with self.lock:
            self.list_delay = 0.0
            self.path_style.clear()
            self.bucket_configs.clear()
            self.written_at.clear()
            self.faults.clear()
        self.clear_counters()

    def count(self, operation: str, writes: bool) -> None:
        with self.lock:
            self.operations[operation] += 1
            if writes:
                self.writes += 1
            else:
                self.reads += 1

    def counters(self) -> dict:
        with self.lock:
            return {
                "operations": dict(self.operations),
                "reads": self.reads,
                "writes": self.writes,
                "total": self.reads + self.writes,
            }

    def clear_counters(self) -> None:
        with self.lock:
            self.operations.clear()
            self.reads = self.writes = 0

    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def armed_faults(self) -> list[dict]:
        with self.lock:
            return [fault.describe() for fault in self.faults]

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, operation: str, path: str, service: str) -> Fault | None:
        """The first armed fault this request matches, used up by one."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, operation, path, service):
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def set_list_delay(self, seconds: float) -> None:
        with self.lock:
            self.list_delay = seconds

    def record_write(self, bucket: str, key: str) -> None:
        with self.lock:
            if self.list_delay:
                self.written_at[(bucket, key)] = time.monotonic()

    def hidden_from_listing(self, bucket: str) -> set[str]:
        """Keys written to the bucket less than list_delay seconds ago."""
        now = time.monotonic()
        with self.lock:
            return {
                key for (name, key), when in self.written_at.items() if name == bucket and now - when < self.list_delay
            }

    def set_path_style(self, bucket: str, reject: bool) -> None:
        with self.lock:
            self.path_style[bucket] = reject

    def path_style_rejected(self, bucket: str) -> bool:
        with self.lock:
            return self.path_style.get(bucket, self.reject_path_style)

    def set_bucket_config(self, bucket: str, config: BucketConfig | None) -> None:
        """What the bucket was created as; None when it is deleted."""
        with self.lock:
            if config is None:
                self.bucket_configs.pop(bucket, None)
            else:
                self.bucket_configs[bucket] = config

    def bucket_config(self, bucket: str) -> BucketConfig:
        with self.lock:
            return self.bucket_configs.get(bucket, BucketConfig())
