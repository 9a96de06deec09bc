/**
 * Where the three parts of an image (kernel, ramdisk, root filesystem) are read from, each as a
 * stream: a local build folder (out/<image>/: the .img, else the .img.zst through `zstd -dc`, else
 * the sparse .tgz through `tar -xzO`) or the line's GitHub release (its assets downloaded and piped
 * the same way). Nothing is written to a temporary file. The record's artifact checksums travel
 * with each part: the uploaded bytes are checked against them, and a downloaded compressed asset
 * is checked as it streams.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import type { ImageRecord } from '../catalog/record-files.js';
import { releaseAssetUrl } from '../github/release-tag.js';
import { UserError } from '../lib/errors.js';
import { streamCommand } from '../lib/exec.js';
import { IntegrityError } from './cloud-errors.js';
import { openDownload } from './download.js';

export type PartRole = 'kernel' | 'ramdisk' | 'machine';
export const partRoles: readonly PartRole[] = ['kernel', 'ramdisk', 'machine'];

export interface ExpectedData {
  size: number;
  sha256: string;
}

export interface ImagePart {
  role: PartRole;
  /** The file this part is (the Glance image's name): <base>.vmlinuz, <base>.initrd, <base>.img. */
  file: string;
  /** Where its bytes come from, for messages: a path, or a path inside an archive. */
  origin: string;
  /** The record's size and SHA-256 of the file, when the record lists it. */
  expected?: ExpectedData;
  /** Opens the data; `size` when known in advance (sent as Content-Length, else chunked). */
  open(signal?: AbortSignal): Promise<{ stream: Readable; size?: number }>;
}

export type ImageParts = Record<PartRole, ImagePart>;

/** The base name of a release's files: image_file without .img (or .tgz for legacy names). */
export function fileBase(record: Pick<ImageRecord, 'image_file'>): string {
  return record.image_file.replace(/\.(img|tgz)$/, '');
}

export function partFiles(record: Pick<ImageRecord, 'image_file'>): Record<PartRole, string> {
  const base = fileBase(record);
  return { kernel: `${base}.vmlinuz`, ramdisk: `${base}.initrd`, machine: `${base}.img` };
}

function expectedFor(record: ImageRecord, file: string): ExpectedData | undefined {
  const artifact = record.artifacts?.find((entry) => entry.name === file);
  return artifact ? { size: artifact.size, sha256: artifact.sha256 } : undefined;
}

/** Members of the Eucalyptus-layout tarball: the image, and kvm-kernel/vmlinuz-V, initrd.img-V. */
function tarMember(role: PartRole, imageFile: string): string[] {
  if (role === 'machine') return [imageFile];
  return ['--wildcards', role === 'kernel' ? 'kvm-kernel/vmlinuz-*' : 'kvm-kernel/initrd.img-*'];
}

function fromTarball(input: Readable | string, role: PartRole, imageFile: string, signal?: AbortSignal) {
  const args = ['--extract', '--gzip', '--to-stdout', ...tarMember(role, imageFile)];
  return typeof input === 'string'
    ? streamCommand('tar', [...args, `--file=${input}`], signal ? { signal } : {})
    : streamCommand('tar', [...args, '--file=-'], { input, ...(signal ? { signal } : {}) });
}

function fromZst(input: Readable | string, signal?: AbortSignal) {
  return typeof input === 'string'
    ? streamCommand('zstd', ['-d', '-c', '-q', '--', input], signal ? { signal } : {})
    : streamCommand('zstd', ['-d', '-c', '-q'], { input, ...(signal ? { signal } : {}) });
}

async function isFile(path: string): Promise<number | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info.size : undefined;
}

/** The parts from a build's artifact folder (read only). */
export async function localParts(record: ImageRecord, dir: string): Promise<ImageParts> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UserError(`--from ${dir}: not a folder`);
  const files = partFiles(record);
  const base = fileBase(record);
  const tarball = join(dir, `${base}.tgz`);
  const zst = join(dir, `${base}.img.zst`);
  const hasTarball = (await isFile(tarball)) !== undefined;
  const parts = {} as ImageParts;
  for (const role of partRoles) {
    const file = files[role];
    const path = join(dir, file);
    const expected = expectedFor(record, file);
    const common = { role, file, ...(expected ? { expected } : {}) };
    const size = await isFile(path);
    if (size !== undefined) {
      parts[role] = { ...common, origin: path, open: async () => ({ stream: createReadStream(path), size }) };
    } else if (role === 'machine' && (await isFile(zst)) !== undefined) {
      parts[role] = { ...common, origin: zst, open: async (signal) => ({ stream: fromZst(zst, signal) }) };
    } else if (hasTarball) {
      parts[role] = {
        ...common,
        origin: `${tarball} (${tarMember(role, record.image_file).at(-1)})`,
        open: async (signal) => ({ stream: fromTarball(tarball, role, record.image_file, signal) }),
      };
    } else {
      throw new UserError(
        `${dir} has no ${file}${role === 'machine' ? `, ${base}.img.zst` : ''} or ${base}.tgz: is it the artifact folder of ${record.image_file}?`,
      );
    }
  }
  return parts;
}

/** Checks a stream's bytes against a record's size and SHA-256 as they pass; fails at the end on a mismatch. */
export function verifyingStream(name: string, expected: ExpectedData): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const sha256 = hash.digest('hex');
      if (size !== expected.size || sha256 !== expected.sha256)
        done(
          new IntegrityError(
            `${name}: the download does not match the record (${size} bytes, sha256 ${sha256}; the record says ${expected.size} bytes, ${expected.sha256})`,
          ),
        );
      else done();
    },
  });
}

export interface ReleaseRepository {
  serverUrl?: string;
  owner: string;
  name: string;
}

/** The parts from the line's release: assets the record lists, downloaded as streams. */
export function releaseParts(record: ImageRecord, repository: ReleaseRepository): ImageParts {
  const files = partFiles(record);
  const base = fileBase(record);
  const listed = new Set((record.artifacts ?? []).map((artifact) => artifact.name));
  const download = async (asset: string, signal?: AbortSignal) => {
    const url = releaseAssetUrl(repository, record, asset);
    const opened = await openDownload(url, signal ? { signal } : {});
    const expected = expectedFor(record, asset);
    if (!expected) return opened;
    const checked = verifyingStream(asset, expected);
    opened.stream.on('error', (error) => checked.destroy(error));
    return { ...opened, stream: opened.stream.pipe(checked) };
  };
  const parts = {} as ImageParts;
  for (const role of partRoles) {
    const file = files[role];
    const expected = expectedFor(record, file);
    const common = { role, file, ...(expected ? { expected } : {}) };
    const tarball = `${base}.tgz`;
    if (role === 'machine' && listed.has(`${base}.img.zst`)) {
      const asset = `${base}.img.zst`;
      parts[role] = {
        ...common,
        origin: releaseAssetUrl(repository, record, asset),
        open: async (signal) => ({ stream: fromZst((await download(asset, signal)).stream, signal) }),
      };
    } else if (
      (role !== 'machine' && listed.has(file)) ||
      (role === 'machine' && !listed.has(tarball) && listed.has(file))
    ) {
      parts[role] = {
        ...common,
        origin: releaseAssetUrl(repository, record, file),
        open: async (signal) => {
          const { stream, size } = await download(file, signal);
          return { stream, ...(size === undefined ? {} : { size }) };
        },
      };
    } else if (listed.has(tarball)) {
      parts[role] = {
        ...common,
        origin: `${releaseAssetUrl(repository, record, tarball)} (${tarMember(role, record.image_file).at(-1)})`,
        open: async (signal) => ({
          stream: fromTarball((await download(tarball, signal)).stream, role, record.image_file, signal),
        }),
      };
    } else {
      throw new UserError(
        `the record of ${record.image_name}.${record.image_arch} lists no release asset for the ${role} (${file}, ${base}.tgz)`,
      );
    }
  }
  return parts;
}
