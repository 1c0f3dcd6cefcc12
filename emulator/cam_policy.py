"""CAM policy documents: validation as CreatePolicy does it, and evaluation of requests against them.

A document is `{"version": "2.0", "statement": [{"effect", "action", "resource", "condition"?}, ...]}`. Keys and
effects are case-insensitive, as CAM accepts them. A request is allowed when some statement allows it and none
denies it. Policy variables (`${uin}`, `${owner_uin}`, `${app_id}`: product 598/10607) in a resource or a condition
value stand for the caller's.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from emulator.errors import ApiError

EFFECTS = ("allow", "deny")
CONDITION_OPERATORS = ("string_equal", "string_not_equal", "string_like", "string_not_like")
NEGATED_OPERATORS = ("string_not_equal", "string_not_like")
MAX_DOCUMENT_LENGTH = 6144
POLICY_VARIABLE = re.compile(r"\$\{(\w+)\}")


class PolicyDocumentError(ApiError):
    """A document CreatePolicy/UpdatePolicy refuses; `code` is the CAM error code."""


@dataclass(frozen=True)
class TrustStatement:
    """A role's trust (role carrier) statement: who may assume it (`qcs` principals) or which service (`service`)."""

    effect: str
    actions: tuple[str, ...]
    principals: tuple[str, ...]
    services: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]  # (operator, key, values)


def parse_policy_document(text: str) -> tuple[Statement, ...]:
    """Validate a policy document and return its statements, or raise PolicyDocumentError."""
    document = _document_object(text)
    statements = document.get("statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise PolicyDocumentError("InvalidParameter.StatementError", "statement must be a non-empty list")
    return tuple(_parse_statement(statement) for statement in statements)


def parse_trust_document(text: str) -> tuple[TrustStatement, ...]:
    """Validate a role's PolicyDocument (CreateRole): statements with effect, action and a principal, no resource."""
    document = _document_object(text)
    statements = document.get("statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        raise PolicyDocumentError("InvalidParameter.StatementError", "statement must be a non-empty list")
    return tuple(_parse_trust_statement(statement) for statement in statements)


def _parse_trust_statement(raw: Any) -> TrustStatement:
    raw, effect, actions = _effect_and_actions(raw)
    principal = raw.get("principal")
    if not isinstance(principal, dict) or not principal:
        raise PolicyDocumentError("InvalidParameter.PrincipalError", "a role's statement needs a principal")
    principal = _lower_keys(principal)
    unknown = set(principal) - {"qcs", "service"}
    if unknown:
        raise PolicyDocumentError("InvalidParameter.PrincipalError", f"principal keys {sorted(unknown)} are unknown")
    qcs = (
        _string_list(principal["qcs"], "InvalidParameter.PrincipalQcsError", "principal.qcs")
        if "qcs" in principal
        else ()
    )
    services = (
        _string_list(principal["service"], "InvalidParameter.PrincipalError", "principal.service")
        if "service" in principal
        else ()
    )
    return TrustStatement(effect.lower(), actions, qcs, services)


def trusts(statements: tuple[TrustStatement, ...], principals: tuple[str, ...], service: str | None = None) -> bool:
    """Whether the role may be assumed by any of `principals` (or by `service`): an allow matches, no deny does."""
    allowed = False
    for statement in statements:
        if not any(action_matches(pattern, "name/sts:AssumeRole") for pattern in statement.actions):
            continue
        if not (set(principals) & set(statement.principals) or (service and service in statement.services)):
            continue
        if statement.effect == "deny":
            return False
        allowed = True
    return allowed


def _document_object(text: str) -> dict:
    if len(text) > MAX_DOCUMENT_LENGTH:
        raise PolicyDocumentError(
            "InvalidParameter.PolicyDocumentLengthOverLimit", f"PolicyDocument is longer than {MAX_DOCUMENT_LENGTH}"
        )
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise PolicyDocumentError(
            "InvalidParameter.PolicyDocumentError", f"PolicyDocument is not JSON: {exc}"
        ) from None
    if not isinstance(document, dict):
        raise PolicyDocumentError("InvalidParameter.PolicyDocumentError", "PolicyDocument must be a JSON object")
    document = _lower_keys(document)
    if document.get("version") != "2.0":
        raise PolicyDocumentError("InvalidParameter.VersionError", 'policy version must be "2.0"')
    return document


def _lower_keys(mapping: dict) -> dict:
    return {str(key).lower(): value for key, value in mapping.items()}


def _effect_and_actions(raw: Any) -> tuple[dict, str, tuple[str, ...]]:
    """What every statement has: (the statement with lower-case keys, its effect, its actions)."""
    if not isinstance(raw, dict):
        raise PolicyDocumentError("InvalidParameter.StatementError", "each statement must be a JSON object")
    raw = _lower_keys(raw)
    effect = raw.get("effect")
    if not isinstance(effect, str) or effect.lower() not in EFFECTS:
        raise PolicyDocumentError("InvalidParameter.EffectError", f"effect must be allow or deny, not {effect!r}")
    actions = _string_list(raw.get("action"), "InvalidParameter.ActionError", "action")
    return raw, effect, actions


def _parse_statement(raw: Any) -> Statement:
    raw, effect, actions = _effect_and_actions(raw)
    resources = _string_list(raw.get("resource"), "InvalidParameter.ResourceError", "resource")
    return Statement(effect.lower(), actions, resources, _parse_conditions(raw.get("condition")))


def _string_list(value: Any, code: str, field: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise PolicyDocumentError(code, f"{field} must be a non-empty string or list of strings")
    return tuple(value)


def _parse_conditions(raw: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise PolicyDocumentError("InvalidParameter.ConditionError", "condition must be a JSON object")
    conditions = []
    for operator, tests in raw.items():
        if operator.lower() not in CONDITION_OPERATORS:
            raise PolicyDocumentError(
                "InvalidParameter.ConditionTypeError",
                f"condition operator {operator!r} is not one of {', '.join(CONDITION_OPERATORS)}",
            )
        if not isinstance(tests, dict) or not tests:
            raise PolicyDocumentError("InvalidParameter.ConditionContentError", f"condition {operator!r} is empty")
        for key, values in tests.items():
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
                raise PolicyDocumentError(
                    "InvalidParameter.ConditionContentError", f"condition values for {key!r} must be strings"
                )
            conditions.append((operator.lower(), key, tuple(values)))
    return tuple(conditions)


def evaluate_session(
    statements: list[Statement],
    session: tuple[Statement, ...] | None,
    action: str,
    resource: str,
    context: dict | None = None,
    variables: dict | None = None,
) -> bool:
    """An assumed role's request: the role's policies must allow it and, when given, the session policy too."""
    return evaluate(statements, action, resource, context, variables) and (
        session is None or evaluate(list(session), action, resource, context, variables)
    )


def evaluate(
    statements: list[Statement],
    action: str,
    resource: str,
    context: dict | None = None,
    variables: dict | None = None,
) -> bool:
    """True when some statement allows `action` on `resource` and none denies it (explicit deny wins).

    `variables` are the caller's values of the policy variables, by name without `${}`.
    """
    context = context or {}
    allowed = False
    for statement in statements:
        if not _statement_applies(_with_variables(statement, variables or {}), action, resource, context):
            continue
        if statement.effect == "deny":
            return False
        allowed = True
    return allowed


def _with_variables(statement: Statement, variables: dict) -> Statement:
    """The statement with each `${name}` in its resources and condition values replaced by the caller's value."""
    if not variables:
        return statement
    return Statement(
        statement.effect,
        statement.actions,
        tuple(_substitute(resource, variables) for resource in statement.resources),
        tuple(
            (operator, key, tuple(_substitute(value, variables) for value in values))
            for operator, key, values in statement.conditions
        ),
    )


def _substitute(text: str, variables: dict) -> str:
    return POLICY_VARIABLE.sub(lambda match: str(variables.get(match[1], match[0])), text)


def _statement_applies(statement: Statement, action: str, resource: str, context: dict) -> bool:
    return (
        any(action_matches(pattern, action) for pattern in statement.actions)
        and any(resource_matches(pattern, resource) for pattern in statement.resources)
        and all(_condition_holds(operator, key, values, context) for operator, key, values in statement.conditions)
    )


def action_matches(pattern: str, action: str) -> bool:
    """`name/cos:GetObject`, `cos:Get*`, `name/cos:*`, `*`: the `name/` prefix is optional, names ignore case."""
    return _wildcard(_strip_name_prefix(pattern).lower()).fullmatch(_strip_name_prefix(action).lower()) is not None


def _strip_name_prefix(action: str) -> str:
    return action[len("name/") :] if action.lower().startswith("name/") else action


def resource_matches(pattern: str, resource: str) -> bool:
    """`*` matches any run of characters; an empty region in a qcs six-part pattern matches every region."""
    return _wildcard(_any_region(pattern)).fullmatch(resource) is not None


def _any_region(pattern: str) -> str:
    parts = pattern.split(":", 5)
    if len(parts) == 6 and parts[0] == "qcs" and parts[3] == "":
        parts[3] = "*"
    return ":".join(parts)


def _condition_holds(operator: str, key: str, values: tuple[str, ...], context: dict) -> bool:
    negated = operator in NEGATED_OPERATORS
    if key not in context:
        return negated
    actual = str(context[key])
    if operator in ("string_like", "string_not_like"):
        matched = any(_wildcard(value).fullmatch(actual) for value in values)
    else:
        matched = actual in values
    return matched != negated


@functools.lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
