# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CAM and COS policy documents: the shape CAM accepts, the text it stores, and comparison by meaning. Pure: no SDK,
no Ansible.

Two documents are equal when they grant the same thing: statement order, the order of actions, resources,
principals and condition values, a single string versus a one-item list, duplicates, the case of keys and the case of
`effect` do not matter.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from ansible_collections.cosops.registry.plugins.module_utils._rules.shapes import as_list
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

MAX_DOCUMENT_LENGTH = 6144
POLICY_VERSION = "2.0"
EFFECTS = ("allow", "deny")
STATEMENT_FIELDS = ("effect", "action", "resource", "condition")
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


def validate_policy_document(document: Any) -> dict:
    """The document as a dict, after checking the shape CreatePolicy accepts: version 2.0 and a statement list."""
    document = load_policy(document)
    fields = {str(key).lower(): value for key, value in document.items()}
    unknown = sorted(set(fields) - {"version", "statement"})
    if unknown:
        raise ValidationError(
            f"Policy document has unknown top-level keys {unknown}; only version and statement are allowed."
        )
    if fields.get("version") != POLICY_VERSION:
        raise ValidationError(f"Policy document version {fields.get('version')!r} must be {POLICY_VERSION!r}.")
    statements = fields.get("statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        raise ValidationError("Policy document statement must be a non-empty list of statements.")
    for index, statement in enumerate(statements):
        _validate_statement(statement, index)
    if len(policy_json(document)) > MAX_DOCUMENT_LENGTH:
        raise ValidationError(f"Policy document is longer than CAM's limit of {MAX_DOCUMENT_LENGTH} characters.")
    return document


def _validate_statement(statement: Any, index: int) -> None:
    where = f"Policy statement {index}"
    if not isinstance(statement, dict):
        raise ValidationError(f"{where} must be an object with effect, action and resource.")
    fields = {str(key).lower(): value for key, value in statement.items()}
    unknown = sorted(set(fields) - set(STATEMENT_FIELDS))
    if unknown:
        raise ValidationError(f"{where} has unknown keys {unknown}; allowed are {', '.join(STATEMENT_FIELDS)}.")
    effect = fields.get("effect")
    if not isinstance(effect, str) or effect.lower() not in EFFECTS:
        raise ValidationError(f"{where} effect {effect!r} must be allow or deny.")
    for name in ("action", "resource"):
        _validate_strings(fields.get(name), f"{where} {name}")
    condition = fields.get("condition")
    if condition is not None:
        _validate_condition(condition, where)


def _validate_strings(value: Any, where: str) -> None:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(item, str) and item for item in values):
        raise ValidationError(f"{where} must be a non-empty string or list of non-empty strings.")


def _validate_condition(condition: Any, where: str) -> None:
    if not isinstance(condition, dict) or not condition:
        raise ValidationError(f"{where} condition must be an object of operators such as string_equal.")
    for operator, tests in condition.items():
        if not isinstance(tests, dict) or not tests:
            raise ValidationError(f"{where} condition {operator!r} must map condition keys to values.")


def policy_json(document: dict) -> str:
    """The compact JSON text CAM stores."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def stored_document(text: str) -> dict:
    """GetPolicy's PolicyDocument; CAM may hand it back URL-encoded."""
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(unquote(text))
