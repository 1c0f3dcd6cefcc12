# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shapes of COS's answers as the SDK parses its XML. Pure, so the rules read the SDK's answers with it too."""

from __future__ import annotations


def as_list(value) -> list:
    """An answer's repeated element as a list: the SDK gives a single one as itself and none as None."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
