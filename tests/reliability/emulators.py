"""Emulators in child processes: one per deployment or fault lane, so they keep their state while the test process's
own emulator is emptied for each test, and so faults injected in one cannot reach another's requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from emulator.control import EmulatorControl
from emulator.iam import DEFAULT_APPID, DEFAULT_ROOT_SECRET_ID, DEFAULT_ROOT_SECRET_KEY
from tests.support import processes


@dataclass
class ChildEmulator:
    """Looks like emulator.server.Emulator to the helpers that take one (url, appid, iam, ca_file)."""

    process: object
    url: str
    appid: str = DEFAULT_APPID
    ca_file: str | None = None
    iam: SimpleNamespace = field(
        default_factory=lambda: SimpleNamespace(
            root_secret_id=DEFAULT_ROOT_SECRET_ID, root_secret_key=DEFAULT_ROOT_SECRET_KEY, appid=DEFAULT_APPID
        )
    )

    @property
    def control(self) -> EmulatorControl:
        return EmulatorControl(self.url)

    def reset(self) -> None:
        self.control.reset()

    def stop(self) -> None:
        processes.stop(self.process)


def start() -> ChildEmulator:
    process, url, _ca_file = processes.start_emulator()
    return ChildEmulator(process, url)
