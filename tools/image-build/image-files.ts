/**
 * The files the builder itself writes into every image (pure: text in, text out). Overlays come
 * first and these after them, so an image always gets the builder's fstab, network and identity;
 * recipe hooks run last and may still change anything.
 */
import { renderImageId } from '../catalog/record-files.js';
import type { ImageRecord } from '../schemas/generated/record.js';

export interface GeneratedFile {
  /** Path in the image, relative to its root. */
  path: string;
  content?: string;
  /** A symlink instead of a file. */
  symlink?: string;
  mode: number;
}

/** The first network interface keeps the kernel's name (see 99-default.link below) and gets DHCP. */
export const firstInterface = 'eth0';
export const dhcpNetworkFile = 'etc/systemd/network/10-emi-first-interface.network';

export function renderFstab(filesystem: { type: string; label: string }): string {
  return [
    '# /etc/fstab: written by emi build. The root filesystem is found by its label, whatever the',
    '# disk is called (sda, vda, xvda).',
    `LABEL=${filesystem.label}\t/\t${filesystem.type}\tdefaults,errors=remount-ro\t0\t1`,
    '',
  ].join('\n');
}

export function renderDhcpNetwork(): string {
  return [
    '# Written by emi build: DHCP on the first network interface.',
    '[Match]',
    `Name=${firstInterface}`,
    '',
    '[Network]',
    'DHCP=yes',
    '',
  ].join('\n');
}

export function renderHosts(): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    '',
  ].join('\n');
}

/**
 * Adds IMAGE_ID and IMAGE_VERSION (os-release(5)) to the distribution's os-release, replacing any
 * earlier values, keeping every other line as it was.
 */
export function addImageFields(
  osRelease: string,
  record: Pick<ImageRecord, 'image_name' | 'image_version'>,
): string {
  const kept = osRelease
    .split('\n')
    .filter((line) => !/^(IMAGE_ID|IMAGE_VERSION)=/.test(line))
    .join('\n')
    .replace(/\n*$/, '\n');
  const body = kept === '\n' ? '' : kept;
  return `${body}IMAGE_ID="${record.image_name}"\nIMAGE_VERSION="${record.image_version}"\n`;
}

/**
 * The drivers a cloud VM may need to reach its root disk: virtio (KVM, OpenStack, GCE), Xen
 * (blkfront), NVMe (EC2 Nitro), Hyper-V, VMware, emulated IDE/SATA, and SCSI disks, with ext4 and
 * the fast crc32c. A driver the kernel has built in or lacks is skipped quietly; the kernel step
 * still checks that the initrd (or the kernel) can mount a virtio disk with ext4.
 */
export const cloudDiskModules = [
  'virtio_pci',
  'virtio_mmio',
  'virtio_blk',
  'virtio_scsi',
  'xen-blkfront',
  'nvme',
  'hv_vmbus',
  'hv_storvsc',
  'vmw_pvscsi',
  'ata_piix',
  'ata_generic',
  'ahci',
  'sd_mod',
  'ext4',
  'crc32c_intel',
];

export const initramfsDisksHook = 'etc/initramfs-tools/hooks/emi-cloud-disks';

/** An initramfs-tools hook that adds the cloud disk drivers (udev loads them at boot). */
export function renderInitramfsDisksHook(modules: readonly string[] = cloudDiskModules): string {
  return [
    '#!/bin/sh',
    '# Written by emi build: the drivers a cloud VM needs to mount its root disk (MODULES=list).',
    'set -e',
    'case "$1" in prereqs) exit 0 ;; esac',
    '. /usr/share/initramfs-tools/hook-functions',
    `manual_add_modules ${modules.join(' ')}`,
    '',
  ].join('\n');
}

/** Everything the builder writes, for one image. */
export function generatedFiles(
  record: ImageRecord,
  filesystem: { type: string; label: string },
): GeneratedFile[] {
  return [
    { path: 'etc/image-id', content: renderImageId(record), mode: 0o644 },
    { path: 'etc/fstab', content: renderFstab(filesystem), mode: 0o644 },
    { path: 'etc/hostname', content: 'localhost\n', mode: 0o644 },
    { path: 'etc/hosts', content: renderHosts(), mode: 0o644 },
    { path: dhcpNetworkFile, content: renderDhcpNetwork(), mode: 0o644 },
    // The build cannot see the root device, so tell initramfs-tools its type: the initrd then
    // carries fsck for it, and the root filesystem is checked at boot as fstab asks.
    {
      path: 'etc/initramfs-tools/conf.d/emi-root-fstype',
      content: `# Written by emi build: the type of the root filesystem.\nFSTYPE=${filesystem.type}\n`,
      mode: 0o644,
    },
    // The initramfs carries only the drivers a cloud VM's root disk needs (initramfs-tools'
    // MODULES=most would add every storage, network and filesystem driver: 38 MB of modules, and
    // the initrd is in the tarball twice). MODULES=dep cannot be used: in the build's chroot it
    // would see the build host's devices, not the VM's.
    {
      path: 'etc/initramfs-tools/conf.d/emi-modules',
      content:
        '# Written by emi build: only the drivers listed by hooks/emi-cloud-disks (and\n# /etc/initramfs-tools/modules) go into the initramfs.\nMODULES=list\n',
      mode: 0o644,
    },
    { path: initramfsDisksHook, content: renderInitramfsDisksHook(), mode: 0o755 },
    // Masking the default link policy keeps kernel names (eth0, eth1 …), so "the first
    // interface" is eth0 on every hypervisor instead of ens3, enX0 or enp0s3.
    { path: 'etc/systemd/network/99-default.link', symlink: '/dev/null', mode: 0o777 },
  ];
}

/** The units an overlay ships in etc/systemd/system/ (not in its .wants/ or .d/ folders). */
export function overlayUnits(overlayFiles: readonly string[]): string[] {
  const units = overlayFiles
    .map(
      (path) => /^etc\/systemd\/system\/([^/]+\.(?:service|socket|timer|path|mount|target))$/.exec(path)?.[1],
    )
    .filter((unit): unit is string => unit !== undefined);
  return [...new Set(units)].sort();
}
