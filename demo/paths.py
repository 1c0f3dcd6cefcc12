"""Where the demo keeps what it generates."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "demo" / ".state"
