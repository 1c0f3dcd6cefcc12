#!/usr/bin/env bash
# The built tarball installs offline, and ansible-doc renders every module and filter from the installed copy.
set -euo pipefail
build_dir=$1
tarball=$(find "$build_dir" -maxdepth 1 -name "cosops-registry-*.tar.gz" -printf "%T@ %p\n" | sort -rn | head -n 1 | cut -d" " -f2-)
installed="$build_dir/installed"
rm -rf "$installed"
ansible-galaxy collection install "$tarball" -p "$installed" --offline --force >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$installed"
modules=$(ansible-doc -t module -l cosops.registry | awk '{print $1}')
[ -n "$modules" ] || { echo "ansible-doc lists no modules of cosops.registry" >&2; exit 1; }
for module in $modules; do
  ansible-doc -t module "$module" >/dev/null
done
filters=$(ansible-doc -t filter -l cosops.registry | awk '{print $1}')
for filter in $filters; do
  ansible-doc -t filter "$filter" >/dev/null
done
echo "Installed $(basename "$tarball"); ansible-doc renders: $(echo "$modules $filters" | tr '\n' ' ')"
