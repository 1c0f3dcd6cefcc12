"""Looks for secrets in text: every line of every output and file, in plain form and in the encodings a secret
travels in (base64, as in a basic-auth header or a JSON-escaped string). Findings name where, never the secret."""

from __future__ import annotations

import base64
import json
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Scan:
    """secrets: secret -> where it came from (e.g. "the root SecretKey")."""

    secrets: dict[str, str]
    lines: int = 0
    files: int = 0

    def forms(self) -> dict[str, str]:
        """Every searchable form of every secret -> its origin."""
        forms = {}
        for secret, origin in self.secrets.items():
            forms[secret] = origin
            forms[json.dumps(secret)[1:-1]] = origin
            forms[base64.b64encode(secret.encode()).decode().rstrip("=")] = f"{origin} (base64)"
        return forms

    def text(self, where: str, text: str) -> list[str]:
        """'<where>: line N holds <origin>' for every line holding a secret."""
        forms = self.forms()
        findings = []
        for number, line in enumerate(text.splitlines(), 1):
            self.lines += 1
            findings += [f"{where}: line {number} holds {origin}" for form, origin in forms.items() if form in line]
        return findings

    def tree(self, root: Path, allowed: set[Path]) -> list[str]:
        """Every regular file under root except those allowed to hold secrets."""
        findings = []
        for path in sorted(root.rglob("*")):
            if path in allowed or not path.is_file() or path.is_symlink():
                continue
            self.files += 1
            findings += self.text(str(path), path.read_text(errors="replace"))
        return findings


def readable_by_others(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
