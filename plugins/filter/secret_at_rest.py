# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: secret_at_rest
author: cosops.registry contributors (@cosops)
version_added: 0.2.0
short_description: How a secret file is kept, in words, from a secret_file result
description:
  - Says how M(cosops.registry.secret_file) left a file - encrypted with the play's vault secret, or plain with mode
    C(0600) and named in a C(.gitignore) - for the playbooks' reports.
  - A skipped result (no file yet, as in check mode before the first run) says so.
options:
  _input:
    description: The registered result of M(cosops.registry.secret_file).
    type: dict
    required: true
seealso:
  - module: cosops.registry.secret_file
"""

EXAMPLES = r"""
- name: Report how the key file is kept
  ansible.builtin.debug:
    msg: "The key file is {{ key_at_rest | cosops.registry.secret_at_rest }}"
"""

RETURN = r"""
_value:
  description: One phrase.
  type: str
  sample: encrypted with the play's vault secret
"""


def secret_at_rest(result: dict) -> str:
    if not result or result.get("skipped"):
        return "not written yet"
    if result.get("encrypted"):
        return "encrypted with the play's vault secret"
    return f"plain with mode 0600 (no vault secret in this play), kept out of git by {result['gitignore']}"


class FilterModule:
    def filters(self):
        return {"secret_at_rest": secret_at_rest}
