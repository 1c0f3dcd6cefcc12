# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's rules for Jinja: a test says whether a value keeps a rule, `rule_violation` says why not,
in the very sentence a module would fail with."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.cosops.registry.plugins.module_utils._rules.exposure import (
    validate_loopback_address,
    validate_protected_registry,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.naming import (
    validate_appid,
    validate_bucket_name,
    validate_bucket_option,
    validate_region,
    validate_registry_root,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_image import image_generation
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_settings import validate_chunksize
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

RULES = {
    "cos_appid": validate_appid,
    "cos_bucket_name": validate_bucket_name,
    "cos_bucket_option": validate_bucket_option,
    "cos_region": validate_region,
    "loopback_address": validate_loopback_address,
    "registry_chunksize": validate_chunksize,
    "registry_image": image_generation,
    "registry_protected": validate_protected_registry,
    "registry_root": validate_registry_root,
}


def rule_violation(value, rule: str, *args) -> str:
    """The sentence refusing `value` under `rule`, or an empty string when the value keeps it."""
    if rule not in RULES:
        raise AnsibleFilterError(f"Unknown rule {rule!r}; the rules are {', '.join(sorted(RULES))}.")
    try:
        RULES[rule](value, *args)
    except ValidationError as error:
        return str(error)
    return ""


def rule_test(rule: str):
    """The Jinja test for `rule`: true when the value keeps it."""

    def keeps(value, *args) -> bool:
        return not rule_violation(value, rule, *args)

    return keeps
