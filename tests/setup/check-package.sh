#!/usr/bin/env bash
# The built tarball installs offline, ansible-doc renders every module, filter and test from the installed copy, the
# tarball leaves the test and demo machinery out (galaxy.yml build_ignore), and ansible-builder reads the collection's
# execution-environment metadata and creates a build context from a definition that includes it (no image is built).
set -euo pipefail
build_dir=$1
tarball=$(find "$build_dir" -maxdepth 1 -name "cosops-registry-*.tar.gz" -printf "%T@ %p\n" | sort -rn | head -n 1 | cut -d" " -f2-)
installed="$build_dir/installed"
fail() { echo "$*" >&2; exit 1; }

contents=$(tar -tzf "$tarball" | sed 's|^\./||')
for left_out in tests/ emulator/ tools/ demo/ bench/ Makefile roles/registry/molecule/ playbooks/vars/emulator.yml; do
  if grep -q "^$left_out" <<<"$contents"; then fail "the tarball carries $left_out, which galaxy.yml build_ignore leaves out"; fi
done
for kept in meta/execution-environment.yml requirements.txt bindep.txt meta/runtime.yml prometheus/registry-rules.yml; do
  grep -qx "$kept" <<<"$contents" || fail "the tarball lacks $kept"
done

rm -rf "$installed"
ansible-galaxy collection install "$tarball" -p "$installed" --offline --force >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$installed"
modules=$(ansible-doc -t module -l cosops.registry | awk '{print $1}')
[ -n "$modules" ] || fail "ansible-doc lists no modules of cosops.registry"
for module in $modules; do
  ansible-doc -t module "$module" >/dev/null
done
filters=$(ansible-doc -t filter -l cosops.registry | awk '{print $1}')
for filter in $filters; do
  ansible-doc -t filter "$filter" >/dev/null
done
tests=$(ansible-doc -t test -l cosops.registry | awk '{print $1}')
for test in $tests; do
  ansible-doc -t test "$test" >/dev/null
done

# What ansible-builder collects from the installed collection: every line of requirements.txt and bindep.txt, named
# by meta/execution-environment.yml (ansible-builder would also find them without it, so the file is read too).
python3 - "$installed/ansible_collections/cosops/registry/meta/execution-environment.yml" <<'CHECK' ||
import sys, yaml
dependencies = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))["dependencies"]
sys.exit(dependencies != {"python": "requirements.txt", "system": "bindep.txt"})
CHECK
  fail "meta/execution-environment.yml does not name requirements.txt and bindep.txt"
introspected=$(ansible-builder introspect "$installed")
for requirement in $(grep -v '^#' requirements.txt | sed 's/[<>=].*//') gcc python3-devel; do
  grep -q -- "$requirement" <<<"$introspected" || fail "ansible-builder does not find $requirement in the collection's metadata"
done
ee="$build_dir/execution-environment"
rm -rf "$ee" && mkdir -p "$ee"
cp "$tarball" "$ee/"
cat >"$ee/execution-environment.yml" <<DEFINITION
---
version: 3
images:
  base_image:
    name: quay.io/fedora/python-311:latest
dependencies:
  ansible_core:
    package_pip: ansible-core>=$(sed -n 's/^requires_ansible: ">=\(.*\)"$/\1/p' meta/runtime.yml)
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: /build/collections/$(basename "$tarball")
        type: file
additional_build_files:
  - src: $(basename "$tarball")
    dest: collections
additional_build_steps:
  prepend_galaxy:
    - COPY _build/collections/ /build/collections/
DEFINITION
ansible-builder create -f "$ee/execution-environment.yml" -c "$ee/context" >/dev/null
[ -f "$ee/context/Containerfile" ] || fail "ansible-builder create made no Containerfile"
echo "Installed $(basename "$tarball"); ansible-doc renders: $(echo "$modules $filters $tests" | tr '\n' ' ')"
echo "The tarball carries the Prometheus rules ($(grep -x 'prometheus/.\+' <<<"$contents" | paste -sd ' ')) and leaves out tests, the emulator, tools, demo, bench and molecule; ansible-builder reads its requirements and creates $ee/context"
