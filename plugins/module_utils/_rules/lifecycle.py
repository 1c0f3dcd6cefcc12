# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""COS lifecycle rules: one canonical form for module options and API answers, validation, merging and the rules
that keep a Docker registry's data readable. Pure functions, no SDK, no Ansible.

The canonical form of a rule is a dict with snake_case keys, integer days, dates as `YYYY-MM-DD` (COS applies them
at midnight China Standard Time), upper-case storage classes, sorted transitions, and no key for an unset action, so
two rules that COS treats alike compare equal.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import validate_registry_root
from ansible_collections.cosops.registry.plugins.module_utils._rules.shapes import as_list
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

STORAGE_CLASSES = (
    "STANDARD_IA",
    "ARCHIVE",
    "DEEP_ARCHIVE",
    "INTELLIGENT_TIERING",
    "MAZ_STANDARD_IA",
    "MAZ_INTELLIGENT_TIERING",
)
# Objects in these classes cannot be read until restored: a registry pull of such a blob fails.
UNREADABLE_CLASSES = frozenset(("ARCHIVE", "DEEP_ARCHIVE"))
MAX_RULES = 1000
MAX_ID_LENGTH = 255
# The registry's own upload purging removes uploads older than 168h, so parts left longer are surely abandoned.
RECOMMENDED_ABORT_DAYS = 7
REGISTRY_DATA = "docker/registry/v2/"
CHINA_STANDARD_TIME = datetime.timezone(datetime.timedelta(hours=8))
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# Coercion shared by both directions: options come typed by Ansible, API answers as strings.


def _days(value, rule_id: str, field: str) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"Lifecycle rule {rule_id!r}: {field} {value!r} is not a whole number of days.") from None
    return days


def _date(value, rule_id: str, field: str) -> str:
    """The calendar date in China Standard Time, where COS applies lifecycle dates."""
    text = str(value).strip()
    try:
        if DATE_ONLY.match(text):
            return datetime.date.fromisoformat(text).isoformat()
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"Lifecycle rule {rule_id!r}: {field} {value!r} is not a date such as '2030-01-01' "
            "or '2030-01-01T00:00:00+08:00'."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_STANDARD_TIME)
    return moment.astimezone(CHINA_STANDARD_TIME).date().isoformat()


def _storage_class(value) -> str:
    return str(value or "").strip().upper()


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _moment(item: dict, rule_id: str, field: str) -> dict:
    """{'days': n} or {'date': 'YYYY-MM-DD'} from an item carrying either (or, wrongly, both)."""
    moment = {}
    if item.get("days") is not None:
        moment["days"] = _days(item["days"], rule_id, f"{field} days")
    if item.get("date") is not None:
        moment["date"] = _date(item["date"], rule_id, f"{field} date")
    return moment


def _transition_order(item: dict):
    return (item.get("days", 0), item.get("date", ""), item.get("storage_class", ""))


def _canonical_rule(rule_id, status, prefix, tags, expiration, transitions, noncurrent_days, noncurrent, abort_days):
    rule = {
        "id": rule_id,
        "status": str(status or "enabled").strip().lower(),
        "filter": {"prefix": prefix or "", "tags": {str(key): str(value) for key, value in (tags or {}).items()}},
    }
    if expiration:
        rule["expiration"] = expiration
    if transitions:
        rule["transitions"] = sorted(transitions, key=_transition_order)
    if noncurrent_days is not None:
        rule["noncurrent_version_expiration_days"] = _days(
            noncurrent_days, rule_id, "noncurrent_version_expiration_days"
        )
    if noncurrent:
        rule["noncurrent_version_transitions"] = sorted(noncurrent, key=_transition_order)
    if abort_days is not None:
        rule["abort_incomplete_multipart_upload_days"] = _days(
            abort_days, rule_id, "abort_incomplete_multipart_upload_days"
        )
    return rule


# Module options -> canonical.


def rule_from_options(options: dict) -> dict:
    """A rule as the module's `rules` option gives it (None for unset suboptions) in canonical form."""
    rule_id = options.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise ValidationError(f"Lifecycle rule id {rule_id!r} must be a non-empty string.")
    filters = options.get("filter") or {}
    expiration = None
    if options.get("expiration"):
        given = options["expiration"]
        expiration = _moment(given, rule_id, "expiration")
        if given.get("expired_object_delete_marker"):
            expiration["expired_object_delete_marker"] = True
    transitions = [
        dict(_moment(item, rule_id, "transition"), storage_class=_storage_class(item.get("storage_class")))
        for item in options.get("transitions") or []
    ]
    noncurrent = [
        {
            "days": _days(item.get("days"), rule_id, "noncurrent_version_transitions days"),
            "storage_class": _storage_class(item.get("storage_class")),
        }
        for item in options.get("noncurrent_version_transitions") or []
    ]
    return _canonical_rule(
        rule_id,
        options.get("status"),
        filters.get("prefix"),
        filters.get("tags"),
        expiration,
        transitions,
        options.get("noncurrent_version_expiration_days"),
        noncurrent,
        options.get("abort_incomplete_multipart_upload_days"),
    )


# API (cos-python-sdk-v5 dicts) <-> canonical.


def _api_filter(rule: dict):
    """(prefix, tags) from a rule's Filter, its And, or the legacy top-level Prefix."""
    api_filter = rule.get("Filter") or {}
    scope = api_filter.get("And") or api_filter
    prefix = scope.get("Prefix") or rule.get("Prefix") or ""
    tags = {tag.get("Key"): tag.get("Value") or "" for tag in as_list(scope.get("Tag")) if tag}
    return prefix, tags


def _api_moment(item: dict, rule_id: str, field: str, days_key: str = "Days") -> dict:
    return _moment({"days": item.get(days_key), "date": item.get("Date")}, rule_id, field)


def rule_from_api(rule: dict) -> dict:
    """A rule as get_bucket_lifecycle returns it, in canonical form."""
    rule_id = rule.get("ID") or ""
    prefix, tags = _api_filter(rule)
    expiration = None
    if rule.get("Expiration"):
        expiration = _api_moment(rule["Expiration"], rule_id, "expiration")
        if _truthy(rule["Expiration"].get("ExpiredObjectDeleteMarker")):
            expiration["expired_object_delete_marker"] = True
    transitions = [
        dict(_api_moment(item, rule_id, "transition"), storage_class=_storage_class(item.get("StorageClass")))
        for item in as_list(rule.get("Transition"))
    ]
    noncurrent = [
        {
            "days": _days(item.get("NoncurrentDays"), rule_id, "noncurrent transition days"),
            "storage_class": _storage_class(item.get("StorageClass")),
        }
        for item in as_list(rule.get("NoncurrentVersionTransition"))
    ]
    return _canonical_rule(
        rule_id,
        rule.get("Status"),
        prefix,
        tags,
        expiration,
        transitions,
        (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays"),
        noncurrent,
        (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation"),
    )


def rules_from_api(configuration: dict | None) -> list:
    return [rule_from_api(rule) for rule in as_list((configuration or {}).get("Rule"))]


def _api_date(date: str) -> str:
    return f"{date}T00:00:00+08:00"


def _to_api_moment(item: dict) -> dict:
    if "days" in item:
        return {"Days": item["days"]}
    return {"Date": _api_date(item["date"])}


def _to_api_filter(prefix: str, tags: dict) -> dict:
    tag_list = [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
    if not tag_list:
        return {"Prefix": prefix}
    if not prefix and len(tag_list) == 1:
        return {"Tag": tag_list[0]}
    scope = {"Prefix": prefix} if prefix else {}
    scope["Tag"] = tag_list
    return {"And": scope}


def rule_to_api(rule: dict) -> dict:
    """The canonical rule as put_bucket_lifecycle takes it."""
    api = {
        "ID": rule["id"],
        "Filter": _to_api_filter(rule["filter"]["prefix"], rule["filter"]["tags"]),
        "Status": rule["status"].capitalize(),
    }
    expiration = rule.get("expiration")
    if expiration:
        api["Expiration"] = (
            {"ExpiredObjectDeleteMarker": "true"}
            if expiration.get("expired_object_delete_marker")
            else _to_api_moment(expiration)
        )
    if rule.get("transitions"):
        api["Transition"] = [
            dict(_to_api_moment(item), StorageClass=item["storage_class"]) for item in rule["transitions"]
        ]
    if "noncurrent_version_expiration_days" in rule:
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule["noncurrent_version_expiration_days"]}
    if rule.get("noncurrent_version_transitions"):
        api["NoncurrentVersionTransition"] = [
            {"NoncurrentDays": item["days"], "StorageClass": item["storage_class"]}
            for item in rule["noncurrent_version_transitions"]
        ]
    if "abort_incomplete_multipart_upload_days" in rule:
        api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": rule["abort_incomplete_multipart_upload_days"]}
    return api


def configuration_to_api(rules: list) -> dict:
    return {"Rule": [rule_to_api(rule) for rule in rules]}


# Validation: every refusal names the rule and the value.


def _validate_days(rule_id: str, field: str, days) -> None:
    if days is not None and days <= 0:
        raise ValidationError(f"Lifecycle rule {rule_id!r}: {field} is {days}, but days must be greater than 0.")


def _validate_storage_class(rule_id: str, storage_class: str) -> None:
    if storage_class not in STORAGE_CLASSES:
        raise ValidationError(
            f"Lifecycle rule {rule_id!r}: storage class {storage_class!r} is not one of {', '.join(STORAGE_CLASSES)}."
        )


def _validate_expiration(rule_id: str, expiration: dict) -> None:
    given = [name for name in ("days", "date", "expired_object_delete_marker") if name in expiration]
    if len(given) != 1:
        raise ValidationError(
            f"Lifecycle rule {rule_id!r}: expiration needs exactly one of days, date and "
            f"expired_object_delete_marker, but has {', '.join(given) or 'none'}."
        )
    _validate_days(rule_id, "expiration days", expiration.get("days"))


def _validate_timing(rule: dict) -> None:
    """Days and Date may not be mixed in one rule, and each transition names exactly one of them."""
    rule_id = rule["id"]
    moments = list(rule.get("transitions", []))
    if "days" in rule.get("expiration", {}) or "date" in rule.get("expiration", {}):
        moments.append(rule["expiration"])
    for item in rule.get("transitions", []):
        if ("days" in item) == ("date" in item):
            raise ValidationError(f"Lifecycle rule {rule_id!r}: each transition needs exactly one of days and date.")
        _validate_days(rule_id, "transition days", item.get("days"))
        _validate_storage_class(rule_id, item["storage_class"])
    kinds = {"days" if "days" in item else "date" for item in moments}
    if len(kinds) > 1:
        raise ValidationError(
            f"Lifecycle rule {rule_id!r} mixes days and dates; COS requires its expiration and transitions "
            "to use one of them."
        )


def validate_rule(rule: dict) -> None:
    rule_id = rule["id"]
    if len(rule_id) > MAX_ID_LENGTH:
        raise ValidationError(f"Lifecycle rule id {rule_id!r} is longer than {MAX_ID_LENGTH} characters.")
    if rule["status"] not in ("enabled", "disabled"):
        raise ValidationError(f"Lifecycle rule {rule_id!r}: status {rule['status']!r} is not enabled or disabled.")
    actions = ("expiration", "transitions", "noncurrent_version_expiration_days", "noncurrent_version_transitions")
    if not any(name in rule for name in actions + ("abort_incomplete_multipart_upload_days",)):
        raise ValidationError(
            f"Lifecycle rule {rule_id!r} has no action: give an expiration, a transition or an abort."
        )
    prefix = rule["filter"]["prefix"]
    if prefix.startswith("/"):
        raise ValidationError(
            f"Lifecycle rule {rule_id!r}: filter prefix {prefix!r} starts with '/', which no COS key does; "
            f"write {prefix.lstrip('/')!r}."
        )
    if "expiration" in rule:
        _validate_expiration(rule_id, rule["expiration"])
    _validate_timing(rule)
    _validate_days(rule_id, "noncurrent_version_expiration_days", rule.get("noncurrent_version_expiration_days"))
    for item in rule.get("noncurrent_version_transitions", []):
        _validate_days(rule_id, "noncurrent_version_transitions days", item["days"])
        _validate_storage_class(rule_id, item["storage_class"])
    _validate_days(
        rule_id, "abort_incomplete_multipart_upload_days", rule.get("abort_incomplete_multipart_upload_days")
    )
    if "abort_incomplete_multipart_upload_days" in rule and rule["filter"]["tags"]:
        raise ValidationError(
            f"Lifecycle rule {rule_id!r} aborts incomplete multipart uploads but filters by tags; "
            "uploads carry no tags, so filter it by prefix only."
        )


def validate_rules(rules: list) -> None:
    """Refuse a rule list COS would refuse, before anything is sent."""
    if len(rules) > MAX_RULES:
        raise ValidationError(f"{len(rules)} lifecycle rules were given; a bucket holds at most {MAX_RULES}.")
    seen = set()
    for rule in rules:
        if rule["id"] in seen:
            raise ValidationError(f"Lifecycle rule id {rule['id']!r} is given more than once; rule ids must be unique.")
        seen.add(rule["id"])
        validate_rule(rule)


# Comparing and combining rule lists.


def merge_rules(current: list, desired: list, purge: bool) -> list:
    """The rule list to write: desired replaces rules of the same id; other current rules stay unless purging."""
    if purge:
        return list(desired)
    by_id = {rule["id"]: rule for rule in desired}
    merged = [by_id.pop(rule["id"], rule) for rule in current]
    return merged + [rule for rule in desired if rule["id"] in by_id]


def remove_rules(current: list, ids) -> list:
    ids = set(ids)
    return [rule for rule in current if rule["id"] not in ids]


def rules_equal(first: list, second: list) -> bool:
    """COS applies every rule regardless of its position, so order does not matter."""
    return sorted(first, key=lambda rule: rule["id"]) == sorted(second, key=lambda rule: rule["id"])


# Registry safety.


def registry_data_prefix(registry_root: str) -> str:
    """Where the registry keeps its data in the bucket, for a storage `rootdirectory` such as '/registry'."""
    root = validate_registry_root(registry_root)
    return f"{root}/{REGISTRY_DATA}" if root else REGISTRY_DATA


def _acts_on(rule: dict, data_prefix: str) -> bool:
    """Whether a rule's filter reaches registry objects; the registry tags nothing, so tag filters never do."""
    prefix = rule["filter"]["prefix"]
    return not rule["filter"]["tags"] and (data_prefix.startswith(prefix) or prefix.startswith(data_prefix))


def _when(item: dict) -> str:
    return f"after {item['days']} days" if "days" in item else f"on {item['date']}"


def unsafe_actions(rule: dict, registry_root: str) -> list:
    """What the rule would do to registry data that breaks pulls, in words; empty when it is safe."""
    if not _acts_on(rule, registry_data_prefix(registry_root)):
        return []
    found = []
    expiration = rule.get("expiration", {})
    if "days" in expiration or "date" in expiration:
        found.append(f"expires (deletes) objects {_when(expiration)}")
    for item in rule.get("transitions", []):
        if item["storage_class"] in UNREADABLE_CLASSES:
            found.append(
                f"moves objects to {item['storage_class']} {_when(item)}, where they cannot be read until restored"
            )
    return found


def check_registry_safety(rules: list, registry_root: str) -> None:
    """Refuse rules that would delete or freeze blobs and manifests the registry still serves."""
    data_prefix = registry_data_prefix(registry_root)
    for rule in rules:
        actions = unsafe_actions(rule, registry_root)
        if actions:
            raise ValidationError(
                f"Lifecycle rule {rule['id']!r} covers the registry data under {data_prefix!r} and "
                f"{' and '.join(actions)}, so images would break (blobs deleted or unreadable while tags still point "
                "at them); narrow its filter, drop that action, or set allow_unsafe_registry_rules=true."
            )


def unsafe_rule_ids(rules: list, registry_root: str) -> list:
    return [rule["id"] for rule in rules if unsafe_actions(rule, registry_root)]


def aborts_registry_uploads(rules: list, registry_root: str) -> bool:
    """Whether an enabled rule aborts incomplete multipart uploads everywhere under the registry data."""
    data_prefix = registry_data_prefix(registry_root)
    return any(
        rule["status"] == "enabled"
        and "abort_incomplete_multipart_upload_days" in rule
        and not rule["filter"]["tags"]
        and data_prefix.startswith(rule["filter"]["prefix"])
        for rule in rules
    )


def recommended_abort_rule(registry_root: str, days: int = RECOMMENDED_ABORT_DAYS) -> dict:
    """The enabled rule that aborts incomplete multipart uploads under the root directory after `days` days."""
    root = validate_registry_root(registry_root)
    return {
        "id": "registry-abort-incomplete-uploads",
        "status": "enabled",
        "filter": {"prefix": f"{root}/" if root else "", "tags": {}},
        "abort_incomplete_multipart_upload_days": _days(days, "registry-abort-incomplete-uploads", "days"),
    }


def abort_rule_warning(registry_root: str) -> str:
    prefix = recommended_abort_rule(registry_root)["filter"]["prefix"]
    return (
        f"No enabled lifecycle rule aborts incomplete multipart uploads under {registry_data_prefix(registry_root)!r}: "
        "interrupted registry uploads leave their parts behind, stored and billed; add a rule with "
        f"filter prefix {prefix!r} and abort_incomplete_multipart_upload_days: {RECOMMENDED_ABORT_DAYS} "
        f"({RECOMMENDED_ABORT_DAYS} days, the age at which the registry purges stale uploads itself)."
    )
