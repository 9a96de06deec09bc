/**
 * The clean step: everything an instance must not inherit from the build. Runs inside the image
 * (so its symlinks stay inside it), without the build's tmpfs on /run and /tmp so that the image's
 * real folders are emptied.
 */
import { type ImageRoot, inRoot } from './image-root.js';
import { policyRcD } from './install-packages.js';

const cleanScript = `set -eu
rm -f /${policyRcD}
rm -f /var/cache/apt/*.bin
find /var/cache/apt/archives -type f -name '*.deb' -delete
find /var/cache/apt/archives/partial -mindepth 1 -delete 2>/dev/null || true
find /var/lib/apt/lists -mindepth 1 -maxdepth 1 ! -name partial ! -name lock -exec rm -rf {} +
find /var/lib/apt/lists/partial -mindepth 1 -delete 2>/dev/null || true
find /var/log -type f -delete
for home in /root /home/*; do
  [ -d "$home" ] || continue
  rm -f "$home/.bash_history" "$home/.ash_history" "$home/.zsh_history" "$home/.sh_history" \\
    "$home/.lesshst" "$home/.viminfo" "$home/.python_history" "$home/.wget-hsts" "$home/.mysql_history"
done
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
find /tmp /var/tmp /run -mindepth 1 -delete
rm -rf /debootstrap
rm -f /var/cache/debconf/*-old /var/lib/dpkg/*-old /var/cache/ldconfig/aux-cache
if [ -f /etc/resolv.conf ] && [ ! -L /etc/resolv.conf ]; then rm -f /etc/resolv.conf; fi
`;

export async function clean(root: ImageRoot): Promise<void> {
  await inRoot(root, ['sh', '-c', cleanScript, 'clean'], { tmpfs: false });
}
