# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which hosts of a run failed a step, read from the facts each host kept: the playbooks' verdicts over hostvars."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ansible.module_utils.parsing.convert_bool import BOOLEANS, boolean

MISSING = object()


def fact(variables: Mapping, path: str):
    """The value at a dotted path ('_cosops_report.storage_ok') of a host's variables, MISSING when any step lacks."""
    value = variables
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return MISSING
        value = value[step]
    return value


def holds(value) -> bool:
    """True for a true fact: booleans and their words as Ansible reads them, any other non-empty value."""
    if isinstance(value, str) and value.strip().lower() in BOOLEANS:
        return boolean(value.strip())
    return bool(value)


def first_failure(variables: Mapping, checks: Mapping, missing_fails: bool):
    """The reason of the first check a host fails, None when it passes them all."""
    for path, reason in checks.items():
        value = fact(variables, path)
        if (value is MISSING and missing_fails) or (value is not MISSING and not holds(value)):
            return reason
    return None


def failed_hosts(hosts: Iterable[str], hostvars: Mapping, checks, missing_fails: bool = True) -> list[str]:
    """The hosts that fail `checks`, in the order given: with one fact path, their names; with a mapping of fact paths
    to reasons (checked in order), `host: reason` for the first check each fails."""
    if isinstance(checks, Mapping):
        reasons = ((host, first_failure(hostvars[host], checks, missing_fails)) for host in hosts)
        return [f"{host}: {reason}" for host, reason in reasons if reason is not None]
    return [host for host in hosts if first_failure(hostvars[host], {checks: checks}, missing_fails) is not None]
