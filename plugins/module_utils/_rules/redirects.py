# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a registry's clients can follow its redirects: the verdict on their fetches of a presigned URL.

A registry with redirects on answers blob GETs with 307 to a presigned URL on the bucket's host; a client that cannot
fetch such a URL fails every pull with its transport's own, generic error. The verdict says so in words that name
redirects, and what to do.
"""

from __future__ import annotations

import re

ERROR_CODE = re.compile(r"<Code>([^<]+)</Code>")
REDIRECT_SWITCH = "registry_storage_redirect_disable"


def fetch_problem(fetch: dict, body: str) -> str:
    """What went wrong with one client's fetch (ansible.builtin.uri's result, delegated to the client); '' when it
    brought back the probe's bytes."""
    if fetch.get("unreachable"):
        return f"the client did not answer Ansible: {fetch.get('msg', 'unreachable')}"
    status = fetch.get("status", -1)
    if status == 200:
        if fetch.get("content") == body:
            return ""
        return "HTTP 200 with other content than the object (a proxy or portal in between?)"
    if status == -1 or status is None:
        return str(fetch.get("msg") or "no answer").replace("Status code was -1 and not [200]: ", "")
    code = ERROR_CODE.search(str(fetch.get("content") or ""))
    return f"HTTP {status}" + (f" {code.group(1)}" if code else "")


def fetch_outcomes(clients: list, fetches: list, body: str) -> list[dict]:
    """One outcome per client, in order; a client without a fetch result is one that was not asked."""
    by_client = {fetch.get("item"): fetch for fetch in fetches}
    outcomes = []
    for client in clients:
        fetch = by_client.get(client)
        problem = fetch_problem(fetch, body) if fetch is not None else "not asked"
        outcomes.append({"client": client, "ok": not problem, "detail": problem or "fetched the object"})
    return outcomes


def redirect_verdict(clients: list, redirects: bool, probe: dict, fetches: list, path_style: bool = False) -> dict:
    """ok (false only when redirects are on and a client cannot follow them), redirects, host, the clients' outcomes,
    the failed ones, and a summary for people."""
    host = probe.get("host", "")
    state = "on" if redirects else "off"
    outcomes = []
    if not clients:
        summary = f"redirects {state}; no client was named to fetch a presigned URL of {host or 'the bucket'}"
    elif path_style:
        summary = f"redirects {state}; not checked from the clients: path-style redirect URLs are not presigned here"
    elif not probe.get("url"):
        summary = f"redirects {state}; not checked from the clients: no probe object in check mode"
    else:
        outcomes = fetch_outcomes(clients, fetches, probe.get("body", ""))
        summary = outcome_summary(redirects, host, outcomes)
    failures = [outcome["client"] for outcome in outcomes if not outcome["ok"]]
    return {
        "ok": not (redirects and failures),
        "redirects": redirects,
        "host": host,
        "checked": bool(outcomes),
        "clients": outcomes,
        "failures": failures,
        "summary": summary,
    }


def outcome_summary(redirects: bool, host: str, outcomes: list[dict]) -> str:
    failed = [f"{outcome['client']} ({outcome['detail']})" for outcome in outcomes if not outcome["ok"]]
    reached = [outcome["client"] for outcome in outcomes if outcome["ok"]]
    if not failed:
        fetched = f"{', '.join(reached)} fetched a presigned URL of {host}"
        return f"redirects on; {fetched}" if redirects else f"redirects off; {fetched}, so they could follow redirects"
    if not redirects:
        return f"redirects off; {', '.join(failed)} cannot fetch a presigned URL of {host}: keep redirects off for them"
    return (
        f"redirects on, but {', '.join(failed)} cannot fetch a presigned URL of {host}: pulls from them fail once the"
        f" registry redirects blob downloads there. Make {host} reachable from them, or turn redirects off"
        f" ({REDIRECT_SWITCH}: true)."
    )
