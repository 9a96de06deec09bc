#!/bin/sh
# Removes the documentation, manual pages and translations the build installed, as the image's
# dpkg configuration (/etc/dpkg/dpkg.cfg.d/50-emi-trim, from the overlay) keeps doing for later
# installs. Copyright files stay, as Debian asks.
set -eu
if [ -d /usr/share/doc ]; then
  find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
  find /usr/share/doc -mindepth 1 -type d -empty -delete
fi
for dir in /usr/share/man /usr/share/info; do
  if [ -d "$dir" ]; then find "$dir" -mindepth 1 -delete; fi
done
if [ -d /usr/share/locale ]; then
  find /usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
fi
