# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Semantic comparison of CAM and COS policy documents. Pure functions, no SDK, no Ansible.

Two documents are equal when they grant the same thing: statement order, the order of actions, resources,
principals and condition values, a single string versus a one-item list, duplicates, the case of keys and the case of
`effect` do not matter.
"""

from __future__ import annotations

import json
from typing import Any

from ansible_collections.cosops.registry.plugins.module_utils.cos import as_list
from ansible_collections.cosops.registry.plugins.module_utils.errors import ValidationError

# Statement fields whose value is one word, not a set.
SCALAR_FIELDS = frozenset(("effect", "sid"))


def load_policy(document: Any) -> dict:
    """A policy document as a dict, from a dict or a JSON string."""
    if isinstance(document, (str, bytes)):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise ValidationError(f"Policy document is not valid JSON: {exc}.") from None
    if not isinstance(document, dict):
        raise ValidationError(f"Policy document must be a JSON object, not {type(document).__name__}.")
    return document


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _normalize_set(value: Any) -> Any:
    """A string or list becomes a sorted list without duplicates; a mapping keeps its keys and normalizes values."""
    if isinstance(value, dict):
        return {key: _normalize_set(item) for key, item in value.items()}
    items = {_canonical(item): _normalize_set(item) if isinstance(item, dict) else item for item in as_list(value)}
    return [items[key] for key in sorted(items)]


def normalize_statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    normalized = {}
    for key, value in statement.items():
        name = str(key).lower()
        if name == "effect" and isinstance(value, str):
            normalized[name] = value.lower()
        elif name in SCALAR_FIELDS:
            normalized[name] = value
        else:
            normalized[name] = _normalize_set(value)
    return normalized


def normalize_policy(document: Any) -> dict:
    """The canonical form of a policy document (dict or JSON string): equal forms grant the same."""
    normalized = {}
    for key, value in load_policy(document).items():
        name = str(key).lower()
        if name == "statement":
            statements = {_canonical(normalize_statement(item)): normalize_statement(item) for item in as_list(value)}
            normalized[name] = [statements[key] for key in sorted(statements)]
        elif name == "principal":
            normalized[name] = _normalize_set(value)
        else:
            normalized[name] = value
    return normalized


def policies_equal(first: Any, second: Any) -> bool:
    """True when two documents (dicts or JSON strings) grant the same, whatever their order and spelling."""
    return normalize_policy(first) == normalize_policy(second)
