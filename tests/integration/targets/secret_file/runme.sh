#!/usr/bin/env bash
# secret_file without a vault secret (plain, 0600, named in .gitignore) and with one (encrypted, read back by lookup).
set -euo pipefail

work="${OUTPUT_DIR}/secret-file"
rm -rf "${work}"
mkdir -p "${work}/plain" "${work}/vaulted"
password="${work}/vault-password"
printf 'integration-vault-password\n' > "${password}"

ansible-playbook -i "${INVENTORY_PATH}" -e "work=${work}/plain" plain.yml "$@"
ansible-playbook -i "${INVENTORY_PATH}" -e "work=${work}/vaulted" --vault-password-file "${password}" vaulted.yml "$@"
# Without the vault secret the encrypted file cannot be read.
if ansible -i "${INVENTORY_PATH}" localhost -m ansible.builtin.debug \
  -a "msg={{ lookup('ansible.builtin.file', '${work}/vaulted/key.yml') }}" >/dev/null 2>&1; then
  echo "the encrypted key file was read without the vault secret" >&2
  exit 1
fi
