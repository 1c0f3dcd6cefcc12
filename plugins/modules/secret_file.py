#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: secret_file
short_description: Keeps a secret file on the controller encrypted with the play's vault secret, or out of git
version_added: 0.2.0
description:
  - Protects a file of secrets the playbooks generate on the controller, such as the registry's key file and the
    shared C(http.secret).
  - When the play has a vault secret (C(--ask-vault-pass), C(--vault-id), C(--vault-password-file)), a plain file is
    encrypted in place in ansible-vault format with it (the encrypt identity, C(DEFAULT_VAULT_ENCRYPT_IDENTITY), when
    several are given). C(ansible.builtin.file) lookups, which the playbooks read the files with, decrypt it
    transparently. A file that is already encrypted is left as it is.
  - Otherwise the file stays plain, and its directory gets a C(.gitignore) naming it, so that a state directory next to
    the inventory is not committed with it.
  - Either way the file's mode becomes C(0600).
  - Runs on the controller only (an action plugin); the file must be on the controller.
  - In check mode a file that does not exist yet (an earlier task only pretended to write it) is reported as it
    would be protected; otherwise a missing file fails the task.
author: cosops.registry contributors (@cosops)
options:
  path:
    description: The file, on the controller.
    type: path
    required: true
attributes:
  check_mode:
    description: Reports what it would do without writing.
    support: full
  diff_mode:
    description: Has nothing to show as a diff; it never shows a secret.
    support: none
  action:
    description: Runs on the controller as an action plugin.
    support: full
notes:
  - The file is written in place atomically (a temporary file in the same directory, renamed over it).
seealso:
  - module: cosops.registry.cam_access_key
"""

EXAMPLES = r"""
- name: Keep the registry's key encrypted with the vault secret, or out of git
  cosops.registry.secret_file:
    path: "{{ playbook_dir }}/.registry/registry-key.yml"
  register: key_at_rest

- name: Say which
  ansible.builtin.debug:
    msg: "{{ 'encrypted with the vault secret' if key_at_rest.encrypted else 'plain, mode 0600, in .gitignore' }}"
"""

RETURN = r"""
encrypted:
  description: Whether the file is encrypted in ansible-vault format (now or already).
  type: bool
  returned: always
  sample: true
gitignore:
  description: The C(.gitignore) that names the file, when it stays plain; null when it is encrypted.
  type: str
  returned: always
  sample: /home/ops/inventory/.registry/.gitignore
path:
  description: The file.
  type: str
  returned: always
  sample: /home/ops/inventory/.registry/registry-key.yml
"""
