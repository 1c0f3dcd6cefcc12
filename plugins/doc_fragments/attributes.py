# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Modules that change something.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and report what would change without changing anything.
    support: full
  diff_mode:
    description: Reports what changed, or would change in check mode, as before and after; never a secret.
    support: full
notes:
  - A re-run with nothing to change reports no change and makes no write call.
"""

    # Modules that only read.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Runs in check mode; it only reads anyway.
    support: full
  diff_mode:
    description: Has nothing to show as a diff.
    support: N/A
"""
