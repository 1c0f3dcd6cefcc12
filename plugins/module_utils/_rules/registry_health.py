# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a registry is healthy, from its answers to /v2/ and to a catalog listing. Pure: no network, no Ansible.

A registry is healthy when /v2/ answers (200, or 401 asking for credentials) and the catalog, which reads the storage,
answers 200. With token authentication an anonymous gate cannot read the catalog: both must then refuse it with 401
and the Bearer challenge of the configured realm - the registry runs and enforces tokens, and the storage is left to the
storage check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

NO_ANSWER = -1
V2_ANSWERS = (200, 401)


def bearer_challenge(realm: str) -> str:
    """The start of the WWW-Authenticate header distribution sends for the realm."""
    return f"Bearer realm={json.dumps(realm)}"


def answer(result: Mapping | None) -> str:
    if not result or result.get("skipped"):
        return "not tried"
    status = status_of(result)
    return "no answer" if status == NO_ANSWER else f"HTTP {status}"


def status_of(result: Mapping | None) -> int:
    return int((result or {}).get("status", NO_ANSWER))


def challenged(results: list, realm: str) -> bool:
    """Every answer refuses with 401 and the Bearer challenge of the realm."""
    return all(
        status_of(result) == 401 and str(result.get("www_authenticate", "")).startswith(bearer_challenge(realm))
        for result in results
    )


def registry_health(v2: Mapping, catalog: Mapping | None, token_realm: str = "") -> dict:
    """{ok, detail}: the verdict on a registry from its /v2/ and catalog answers (as ansible.builtin.uri reports them,
    status -1 for no answer; the catalog skipped when /v2/ did not answer)."""
    if token_realm:
        ok = challenged([v2, catalog], token_realm)
        detail = (
            f"/v2/ {answer(v2)}, catalog {answer(catalog)} {'with' if ok else 'without'} the Bearer challenge of "
            f"{token_realm} (token authentication: the gate cannot read the catalog, storage is proven by the storage "
            "check)"
        )
        return {"ok": ok, "detail": detail}
    ok = status_of(v2) in V2_ANSWERS and status_of(catalog) == 200
    return {"ok": ok, "detail": f"/v2/ {answer(v2)}, catalog through storage {answer(catalog)}"}
