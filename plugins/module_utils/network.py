# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules about addresses a service listens on. Pure functions: no SDK, no Ansible."""

from __future__ import annotations

import ipaddress

from ansible_collections.cosops.registry.plugins.module_utils.errors import ValidationError


def validate_loopback_address(address) -> str:
    """The address when only this machine reaches it (127.0.0.0/8, ::1, localhost); empty means every interface."""
    text = "" if address is None else str(address).strip()
    bare = text.strip("[]")
    try:
        loopback = bare == "localhost" or ipaddress.ip_address(bare).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValidationError(
            f"Address {text or '(every interface)'!r} is reachable from other machines; only 127.0.0.0/8, ::1 and "
            "localhost are loopback addresses."
        )
    return text
