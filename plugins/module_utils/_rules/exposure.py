# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules about addresses a service listens on. Pure functions: no SDK, no Ansible but its boolean parsing."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError


def validate_loopback_address(address) -> str:
    """The address when only this machine reaches it (127.0.0.0/8, ::1, localhost); empty means every interface."""
    text = "" if address is None else str(address).strip()
    if not is_loopback(text):
        raise ValidationError(
            f"Address {text or '(every interface)'!r} is reachable from other machines; only 127.0.0.0/8, ::1 and "
            "localhost are loopback addresses."
        )
    return text


def is_loopback(address: str) -> bool:
    bare = address.strip("[]")
    try:
        return bare == "localhost" or ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def validate_protected_registry(exposure: Mapping) -> Mapping:
    """The registry's exposure (its role's bind_address, port, htpasswd_users, token_realm and allow_anonymous) when
    no other machine may push or delete anonymously: it authenticates, listens on loopback only, or the switch accepts
    the risk. Redis's protected mode, refused before anything is created for the registry."""
    address = str(exposure.get("bind_address") or "").strip()
    if (
        anonymous_allowed(exposure.get("allow_anonymous"))
        or exposure.get("htpasswd_users")
        or exposure.get("token_realm")
        or is_loopback(address)
    ):
        return exposure
    raise ValidationError(
        f"The registry would accept anonymous pushes and deletes on {address or 'every interface'} port "
        f"{exposure.get('port', 5000)}: set registry_auth_htpasswd_users or registry_auth_token, bind "
        "registry_http_bind_address to 127.0.0.1, or set registry_allow_anonymous to true to accept the risk."
    )


def anonymous_allowed(switch) -> bool:
    try:
        return boolean(switch or False)
    except TypeError:
        raise ValidationError(f"registry_allow_anonymous {switch!r} must be true or false.") from None
