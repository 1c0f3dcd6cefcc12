#!/usr/bin/env bash
# Builds a local stand-in for the official registry image, because test machines cannot pull images:
# registry:2 from Debian's docker-registry package (distribution 2.8.2, the code of the official registry:2 image),
# registry:3 from distribution v3 built from its Go module (tools/go-programs.sh, version in go-programs.env).
# Real deployments pull the official image instead.
# usage: tools/registry-image.sh docker|podman [IMAGE]   (IMAGE registry:2 by default; a tag starting with 3
# gets distribution v3)
set -euo pipefail

engine=${1:?usage: $0 docker|podman [IMAGE]}
image=${2:-registry:2}
case "${image##*:}" in
  3*) binary=$("$(dirname "$0")/go-programs.sh" registry) ;;
  *) binary=/usr/bin/docker-registry ;;
esac

case "$engine" in
  docker | podman) ;;
  *) echo "unknown engine: $engine" >&2; exit 2 ;;
esac

# The version label makes a rebuild from the same binary a no-op.
version=$(sha256sum "$binary" | cut -c1-16)
if [ "$("$engine" image inspect --format '{{ index .Config.Labels "org.cosops.registry.binary" }}' "$image" 2>/dev/null)" = "$version" ]; then
  exit 0
fi

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
rootfs=$workdir/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc/docker/registry" "$rootfs/var/lib/registry" "$rootfs/tmp" "$rootfs/etc/ssl/certs"
cp "$binary" "$rootfs/bin/registry"
# Copy the dynamic loader and every library the binary links, at their own paths.
# (none for the static distribution v3 binary)
for lib in $(ldd "$binary" 2>/dev/null | grep -oE '/[^ ]+' || true); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
tar -C "$rootfs" -cf "$workdir/rootfs.tar" .

quiet=()
[ "$engine" = podman ] && quiet=(--quiet)
"$engine" import "${quiet[@]}" \
  --change 'ENTRYPOINT ["/bin/registry"]' \
  --change 'CMD ["serve","/etc/docker/registry/config.yml"]' \
  --change 'EXPOSE 5000' \
  --change "LABEL org.cosops.registry.binary=$version" \
  "$workdir/rootfs.tar" "$image" >/dev/null
echo "built $image for $engine from $binary"
