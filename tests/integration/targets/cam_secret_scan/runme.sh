#!/usr/bin/env bash
# Runs the CAM targets again at -vvv and fails when their output holds the SecretKey of the root or of a created key.
set -euo pipefail

targets_dir="$(cd .. && pwd)"
config="$(cd ../.. && pwd)/integration_config.yml"
work="${OUTPUT_DIR}/secret-scan"
rm -rf "${work}"
mkdir -p "${work}"

PYTHONPATH="$(cd ../../../.. && pwd)" ANSIBLE_ROLES_PATH="${targets_dir}" python scan_secrets.py \
  --config "${config}" --work "${work}" -- \
  ansible-playbook -vvv -i "${INVENTORY_PATH}" -e "@${config}" -e "output_dir=${work}" scan.yml
