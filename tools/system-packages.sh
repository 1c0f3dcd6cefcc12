#!/usr/bin/env bash
# Installs the Debian packages the tests need, or those named as arguments (`make bench` asks for rclone), only those
# that are missing.
set -euo pipefail

packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(docker.io podman runc skopeo docker-registry haproxy uidmap fuse-overlayfs shellcheck redis-server)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}; run as root or install them first." >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# With recommends: podman needs its network and storage helpers (netavark, slirp4netns, fuse-overlayfs).
apt-get install -y -qq "${missing[@]}" >/dev/null
