# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The numbers of a registry's storage settings and their bounds: the storage driver, the modules and the role's
preflight (through the test cosops.registry.registry_chunksize) refuse alike. Pure: no SDK, no Ansible."""

from __future__ import annotations

from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

MIB = 1024 * 1024
# COS's multipart bounds as the driver uses them: parts of at least 5 MiB (all but the last), at most 100 MiB buffered.
MIN_CHUNK_SIZE = 5 * MIB
MAX_CHUNK_SIZE = 100 * MIB
DEFAULT_CHUNK_SIZE = 16 * MIB
DEFAULT_MAX_CONCURRENCY = 10
CHUNK_SIZE_RULE = f"a number of bytes between {MIN_CHUNK_SIZE} (5 MiB) and {MAX_CHUNK_SIZE} (100 MiB)"


def whole_number(key: str, value, low: int, high: int | None, rule: str) -> int:
    """`value` as an int within [low, high]; ints may arrive as strings (YAML, environment), booleans may not."""
    if isinstance(value, bool):
        raise ValidationError(f"{key} {value!r} must be {rule}.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{key} {value!r} must be {rule}.") from None
    if number < low or (high is not None and number > high):
        raise ValidationError(f"{key} {value!r} must be {rule}.")
    return number


def validate_chunksize(value) -> int:
    """The multipart part size in bytes."""
    return whole_number("chunksize", value, MIN_CHUNK_SIZE, MAX_CHUNK_SIZE, CHUNK_SIZE_RULE)


def validate_maxconcurrency(value) -> int:
    """The most parts in flight at once."""
    return whole_number("maxconcurrency", value, 1, None, "a whole number of at least 1")
