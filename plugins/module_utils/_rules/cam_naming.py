# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CAM's naming rules: user and policy names, access key ids, UINs, descriptions. Pure: no SDK, no Ansible."""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

USER_NAME_PATTERN = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
POLICY_NAME_PATTERN = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)
ACCESS_KEY_ID_PATTERN = re.compile(r"^AKID[A-Za-z0-9]{1,124}$")
UIN_PATTERN = re.compile(r"^[1-9]\d{4,19}$")
MAX_DESCRIPTION_BYTES = 300


def validate_user_name(name: Any) -> str:
    if not isinstance(name, str) or not USER_NAME_PATTERN.match(name):
        raise ValidationError(f"User name {name!r} must be 1-64 characters of letters, digits and _+=,.@-.")
    return name


def validate_policy_name(name: Any) -> str:
    if not isinstance(name, str) or not POLICY_NAME_PATTERN.match(name):
        raise ValidationError(f"Policy name {name!r} must be 1-128 characters of letters, digits and _+=,.@-.")
    return name


def validate_access_key_id(key_id: Any) -> str:
    if not isinstance(key_id, str) or not ACCESS_KEY_ID_PATTERN.match(key_id):
        raise ValidationError(f"Access key id {key_id!r} must be 'AKID' followed by letters and digits.")
    return key_id


def validate_uin(uin: Any) -> int:
    text = str(uin)
    if not UIN_PATTERN.match(text):
        raise ValidationError(f"UIN {text!r} must be a number of 5 to 20 digits.")
    return int(text)


def validate_description(description: str | None, what: str) -> str | None:
    if description is not None and len(description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
        raise ValidationError(f"The {what} must be at most {MAX_DESCRIPTION_BYTES} bytes long.")
    return description
