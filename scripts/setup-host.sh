#!/bin/sh
# Installs the Debian packages a build host needs (a self-hosted runner runs this once).
# Needs root (or sudo); reads the list from scripts/host-packages.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
packages=$(grep -v '^[[:space:]]*#' "$here/host-packages.txt" | tr -s '[:space:]' ' ')
as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then as_root="sudo"; else echo "setup-host: run as root or install sudo" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
# shellcheck disable=SC2086 # the package list is split on purpose
$as_root apt-get install -y -q --no-install-recommends $packages
