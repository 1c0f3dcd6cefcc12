# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cosops.registry.secret_file: a generated secret file on the controller, encrypted with the play's vault secret
when there is one, else plain and named in its directory's .gitignore; mode 0600 either way."""

from __future__ import annotations

import os
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.parsing.vault import VaultLib, is_encrypted, match_encrypt_secret
from ansible.plugins.action import ActionBase

MODE = 0o600


def write_atomically(path: str, data: bytes) -> None:
    """Mode 0600 from the start, renamed over the file, so no reader ever sees half of it."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".secret-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, MODE)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def ignore_in_git(path: str, check_mode: bool) -> tuple[str, bool]:
    """(the directory's .gitignore, whether it had to name the file)."""
    gitignore = os.path.join(os.path.dirname(path), ".gitignore")
    line = "/" + os.path.basename(path)
    lines = []
    if os.path.exists(gitignore):
        with open(gitignore, encoding="utf-8") as stream:
            lines = stream.read().splitlines()
    if line in lines:
        return gitignore, False
    if not check_mode:
        with open(gitignore, "a", encoding="utf-8") as stream:
            stream.write(
                f"# secrets cosops.registry generated: keep them out of git\n{line}\n" if not lines else f"{line}\n"
            )
    return gitignore, True


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("path",))
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        path = self._task.args.get("path")
        if not isinstance(path, str) or not path:
            raise AnsibleActionFail("path must name the secret file on the controller.")
        path = os.path.abspath(os.path.expanduser(path))
        check_mode = self._task.check_mode
        # The play's vault secrets, as the loader decrypts vaulted files and variables with them.
        secrets = self._loader._vault.secrets or []
        if not os.path.isfile(path):
            if not check_mode:
                raise AnsibleActionFail(f"path {path!r} is not a file on the controller.")
            # In check mode an earlier task may only have pretended to write it: predict what a real run does.
            gitignore = None if secrets else os.path.join(os.path.dirname(path), ".gitignore")
            result.update(changed=True, path=path, encrypted=bool(secrets), gitignore=gitignore)
            return result
        with open(path, "rb") as stream:
            data = stream.read()
        encrypted = is_encrypted(data)
        changed = False
        if not encrypted and secrets:
            vault_id, secret = match_encrypt_secret(secrets, C.DEFAULT_VAULT_ENCRYPT_IDENTITY)
            if not check_mode:
                write_atomically(path, VaultLib(secrets).encrypt(data, secret=secret, vault_id=vault_id))
            encrypted = changed = True
        if os.stat(path).st_mode & 0o777 != MODE:
            if not check_mode:
                os.chmod(path, MODE)
            changed = True
        gitignore = None
        if not encrypted:
            gitignore, named = ignore_in_git(path, check_mode)
            changed = changed or named
        result.update(changed=changed, path=path, encrypted=encrypted, gitignore=gitignore)
        return result
