#!/usr/bin/env bash
# Builds the third-party Go programs the tests run from their published modules, at the versions pinned in
# go-programs.env, into a cache that outlives the checkout; a program already built at its version is kept.
# usage: tools/go-programs.sh registry|conformance   (prints the path of the binary)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/go-programs.env
source "$here/go-programs.env"
cache=${COSOPS_GO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cosops-registry}
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

build_registry() {
  local out=$cache/registry-$DISTRIBUTION_VERSION
  if [ ! -x "$out/registry" ]; then
    echo "building registry $DISTRIBUTION_VERSION from $DISTRIBUTION_MODULE" >&2
    GOBIN=$out.tmp go install "$DISTRIBUTION_MODULE/cmd/registry@$DISTRIBUTION_VERSION" >&2
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
  echo "$out/registry"
}

build_conformance() {
  local out=$cache/conformance-$CONFORMANCE_VERSION
  if [ ! -x "$out" ]; then
    echo "building the OCI conformance suite $CONFORMANCE_VERSION" >&2
    local module
    module=$(mktemp -d)
    trap 'rm -rf "$module"' RETURN
    (
      cd "$module"
      go mod init cosops.local/conformance >/dev/null 2>&1
      go get "$CONFORMANCE_MODULE@$CONFORMANCE_VERSION" >&2
      # A program (package main) configured by OCI_* variables; its test binary would run it in the legacy mode.
      go build -o "$out.tmp" "$CONFORMANCE_MODULE" >&2
    )
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

mkdir -p "$cache"
case "${1:-}" in
  registry) build_registry ;;
  conformance) build_conformance ;;
  *) echo "usage: $0 registry|conformance" >&2; exit 2 ;;
esac
