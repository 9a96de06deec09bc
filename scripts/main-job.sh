#!/bin/sh
# The main job in one command, on a fresh Debian or Ubuntu machine with Node.js and npm: install
# the host packages (scripts/setup-host.sh), install and compile the toolkit (npm ci), then build
# the standard image of this repository (recipe debian-based, this machine's arch) and boot-check
# it (emi build runs the boot check before it publishes the image into out/ and writes the
# release's record into EMI-IDs/ and image-ids/).
#   sh scripts/main-job.sh                       # emi build debian-based
#   sh scripts/main-job.sh debian-based --no-record --zst   # any emi build arguments
# Runs as root, or as a user with sudo: then only setup-host and the build run as root.
set -eu
cd "$(dirname "$0")/.."
as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then as_root="sudo"; else echo "main-job: run as root or install sudo" >&2; exit 1; fi
fi
node=$(command -v node) || { echo "main-job: install Node.js 20.19 or later first" >&2; exit 1; }

sh scripts/setup-host.sh
npm ci
if [ "$#" -eq 0 ]; then set -- debian-based; fi
# sudo resets PATH, so node is named by its path; the build itself needs root (debootstrap, chroot).
$as_root "$node" bin/emi.js build "$@"
