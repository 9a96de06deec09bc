#!/bin/sh
# Installs the Debian or Ubuntu packages a build host needs (a self-hosted runner runs this once).
# Needs root (or sudo); reads the list from scripts/host-packages.txt, where a package marked
# `only:debian` or `only:ubuntu` is installed on that distribution alone.
#   sh scripts/setup-host.sh           install
#   sh scripts/setup-host.sh --print   print the package names for this machine, install nothing
set -eu
here=$(cd "$(dirname "$0")" && pwd)
os_release=${EMI_OS_RELEASE:-/etc/os-release}
# shellcheck source=/dev/null
distro=$(. "$os_release" && printf '%s %s' "${ID:-}" "${ID_LIKE:-}")
case " $distro " in
  *" ubuntu "*) family=ubuntu ;;
  *" debian "*) family=debian ;;
  *) echo "setup-host: $os_release names \"$distro\": only Debian and Ubuntu are supported" >&2; exit 1 ;;
esac
packages=$(awk -v family="$family" '
  /^[[:space:]]*(#|$)/ { next }
  { sub(/[[:space:]]+#.*/, "") }
  NF == 1 { print $1; next }
  $2 == "only:" family { print $1 }
' "$here/host-packages.txt" | tr '\n' ' ')
if [ "${1:-}" = "--print" ]; then
  echo "$packages"
  exit 0
fi
as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then as_root="sudo"; else echo "setup-host: run as root or install sudo" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
# shellcheck disable=SC2086 # the package list is split on purpose
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages
