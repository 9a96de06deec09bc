/** Where a record and its image-id file live, and how they are rendered: the record format in one place. */
import { imageIdsDir, recordsDir } from '../lib/paths.js';
import type { ImageRecord } from '../schemas/generated/record.js';

export type { ImageRecord };

/** The seven fields of /etc/image-id, in their order. */
export const imageIdFields = [
  'image_name',
  'image_version',
  'image_arch',
  'image_file',
  'image_stamp',
  'image_date',
  'recipe_name',
] as const satisfies readonly (keyof ImageRecord)[];

const optionalFields = [
  'status',
  'recipe_digest',
  'artifacts',
  'registrations',
  'boot_check_report',
  'legacy_source',
] as const satisfies readonly (keyof ImageRecord)[];

export interface LineKey {
  image_name: string;
  image_arch: string;
}

/** A record file: EMI-IDs/<name>.yaml, directly in the folder. */
export function isRecordPath(path: string): boolean {
  return path.startsWith(`${recordsDir}/`) && path.endsWith('.yaml') && path.split('/').length === 2;
}

export function recordFileName(line: LineKey): string {
  return `${line.image_name}.${line.image_arch}.yaml`;
}

export function recordPath(line: LineKey): string {
  return `${recordsDir}/${recordFileName(line)}`;
}

export function imageIdPath(line: LineKey): string {
  return `${imageIdsDir}/${line.image_name}.${line.image_arch}`;
}

/**
 * The first line of a package manifest: which release it was made for. A manifest belongs to one
 * build; the header ties it to that build's record, so validate and the changelog can tell a
 * manifest left over from an earlier build.
 */
export function packagesHeader(
  record: Pick<ImageRecord, 'image_name' | 'image_arch' | 'image_version' | 'image_stamp'>,
): string {
  return `# emi-packages ${record.image_name} ${record.image_arch} ${record.image_version} ${record.image_stamp}\n`;
}

export interface PackagesHeader {
  image_name: string;
  image_arch: string;
  image_version: string;
  image_stamp: string;
}

/** The header's fields, or undefined when `line` (without its newline) is not a header. */
export function parsePackagesHeader(line: string): PackagesHeader | undefined {
  const match = /^# emi-packages (\S+) (\S+) (\S+) (\S+)$/.exec(line);
  if (!match) return undefined;
  const [, image_name = '', image_arch = '', image_version = '', image_stamp = ''] = match;
  return { image_name, image_arch, image_version, image_stamp };
}

/** The package manifest of the line's current release, written by the builder beside its image-id file. */
export function packagesPath(line: LineKey): string {
  return `${imageIdPath(line)}.packages`;
}

/** The passing boot check's report among a built record's artifacts: `<image_file without .img>.verify.json`. */
export function verifyReportName(record: Pick<ImageRecord, 'image_file'>): string {
  return `${record.image_file.replace(/\.img$/, '')}.verify.json`;
}

/** `<image_name without -emi>-<image_version>-<image_arch>.img` */
export function expectedImageFile(
  record: Pick<ImageRecord, 'image_name' | 'image_version' | 'image_arch'>,
): string {
  return `${record.image_name.replace(/-emi$/, '')}-${record.image_version}-${record.image_arch}.img`;
}

const quote = (value: string) => JSON.stringify(value);

/** The record file: fixed field order, every scalar double-quoted so YAML never reads a date as a number. */
export function renderRecord(record: ImageRecord): string {
  const lines: string[] = [];
  for (const field of imageIdFields) lines.push(`${field}: ${quote(record[field])}`);
  for (const field of optionalFields) {
    const value = record[field];
    if (value === undefined) continue;
    if (field === 'artifacts') {
      const artifacts = value as NonNullable<ImageRecord['artifacts']>;
      lines.push('artifacts:');
      for (const artifact of artifacts) {
        lines.push(
          `  - name: ${quote(artifact.name)}`,
          `    sha256: ${quote(artifact.sha256)}`,
          `    size: ${artifact.size}`,
        );
      }
    } else if (field === 'registrations') {
      const registrations = value as NonNullable<ImageRecord['registrations']>;
      lines.push('registrations:');
      for (const entry of registrations) {
        lines.push(
          `  - cloud: ${quote(entry.cloud)}`,
          `    image_id: ${quote(entry.image_id)}`,
          `    kernel_id: ${quote(entry.kernel_id)}`,
          `    ramdisk_id: ${quote(entry.ramdisk_id)}`,
          `    registered_at: ${quote(entry.registered_at)}`,
        );
      }
    } else {
      lines.push(`${field}: ${quote(String(value))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Characters that would change meaning inside sh's double quotes, or break the line format. */
const unsafeForShell = /["$`\\\n\r\0]/;

/**
 * The exact /etc/image-id of an image: `key="value"` lines in the seven-field order, which `sh` can
 * source. The schema already keeps these characters out; this guard keeps the file safe regardless.
 */
export function renderImageId(record: ImageRecord): string {
  return imageIdFields
    .map((field) => {
      const value = record[field];
      if (unsafeForShell.test(value))
        throw new Error(`${field} holds a character that is unsafe in /etc/image-id`);
      return `${field}="${value}"\n`;
    })
    .join('');
}
