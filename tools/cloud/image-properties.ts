/**
 * What Glance is told about each part (pure): the name (the part's file, after image_file), disk
 * and container formats (aki, ari, ami: Glance's names for the Eucalyptus/EC2 triple), the
 * record's fields as properties, and Glance's standard properties where they help a scheduler or a
 * user (architecture, os_distro, os_version, os_type, hw_disk_bus, min_disk).
 * https://docs.openstack.org/glance/latest/admin/useful-image-properties.html
 */
import type { ImageRecord } from '../catalog/record-files.js';
import type { ExpectedData, PartRole } from './image-sources.js';

export const diskFormats: Record<PartRole, 'aki' | 'ari' | 'ami'> = {
  kernel: 'aki',
  ramdisk: 'ari',
  machine: 'ami',
};

export function roleOfDiskFormat(format: string | null): PartRole | undefined {
  return format === 'aki'
    ? 'kernel'
    : format === 'ari'
      ? 'ramdisk'
      : format === 'ami'
        ? 'machine'
        : undefined;
}

/** The record fields every part carries; together image_name, image_arch, version and stamp find it again. */
export const recordProperties = [
  'image_name',
  'image_version',
  'image_arch',
  'image_stamp',
  'image_date',
  'recipe_name',
  'recipe_digest',
] as const satisfies readonly (keyof ImageRecord)[];

/** Glance's (libosinfo's) architecture names. */
const glanceArchitecture: Record<string, string> = { x86_64: 'x86_64', i386: 'i686', aarch64: 'aarch64' };

/** Release code names to the version numbers os_version holds (unknown names are kept as they are). */
const releaseVersions: Record<string, string> = {
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  focal: '20.04',
  jammy: '22.04',
  noble: '24.04',
};

export interface OsInfo {
  /** The recipe's distribution (debian, ubuntu…). */
  distribution?: string;
  /** The recipe's release (bookworm, noble… or a number). */
  release?: string;
}

export function partProperties(
  record: ImageRecord,
  role: PartRole,
  os: OsInfo,
  expected?: ExpectedData,
): Record<string, string | number> {
  const properties: Record<string, string | number> = {};
  for (const field of recordProperties) {
    const value = record[field];
    if (value !== undefined) properties[field] = value;
  }
  const architecture = glanceArchitecture[record.image_arch];
  if (architecture) properties.architecture = architecture;
  if (role === 'machine') {
    properties.os_type = 'linux';
    if (os.distribution) properties.os_distro = os.distribution.toLowerCase();
    if (os.release) properties.os_version = releaseVersions[os.release] ?? os.release;
    // The initrd carries the virtio disk drivers (the kernel step checks it), and the image's udev
    // rule names vd* disks sd*, so virtio is the bus that works best.
    properties.hw_disk_bus = 'virtio';
    // The filesystem fills the image: a smaller root disk cannot hold it.
    if (expected) properties.min_disk = Math.ceil(expected.size / 1024 ** 3);
  }
  return properties;
}

/** The body of POST /v2/images for a part (the machine's kernel_id and ramdisk_id are added at upload). */
export function createFields(
  record: ImageRecord,
  role: PartRole,
  file: string,
  options: { os: OsInfo; expected?: ExpectedData; hidden: boolean; visibility?: string },
): Record<string, unknown> {
  const format = diskFormats[role];
  return {
    name: file,
    disk_format: format,
    container_format: format,
    os_hidden: options.hidden,
    ...(options.visibility ? { visibility: options.visibility } : {}),
    ...partProperties(record, role, options.os, options.expected),
  };
}
