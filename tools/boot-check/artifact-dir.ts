/**
 * The files of a built image in its artifact folder (what `emi build` publishes): the record from
 * build.json (or a record file given instead), and the image, kernel and initrd it names.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseRecord } from '../catalog/parse-record.js';
import type { ImageRecord } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import { formatProblem } from '../lib/problems.js';

export interface ImageArtifacts {
  dir: string;
  record: ImageRecord;
  /** Where the record came from: build.json or the --record file. */
  recordSource: string;
  image: string;
  kernel: string;
  initrd: string;
}

/** `<image_file without .img>.vmlinuz` and `.initrd`, beside the image, as the builder names them. */
export function artifactNames(record: Pick<ImageRecord, 'image_file'>): {
  image: string;
  kernel: string;
  initrd: string;
} {
  const base = record.image_file.replace(/\.img$/, '');
  return { image: record.image_file, kernel: `${base}.vmlinuz`, initrd: `${base}.initrd` };
}

async function readRecordFrom(
  dir: string,
  recordFile: string | undefined,
): Promise<{ record: ImageRecord; source: string }> {
  if (recordFile !== undefined) {
    const bytes = await readFile(recordFile).catch((error: NodeJS.ErrnoException) => {
      throw new UserError(`${recordFile}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    const parsed = parseRecord(recordFile, bytes);
    if (!parsed.ok)
      throw new UserError(
        `${recordFile} is not a valid record:\n${parsed.problems.map(formatProblem).join('\n')}`,
      );
    return { record: parsed.value.record, source: recordFile };
  }
  const manifest = join(dir, 'build.json');
  const text = await readFile(manifest, 'utf8').catch(() => undefined);
  if (text === undefined)
    throw new UserError(
      `${dir} has no build.json: give the image's record with --record EMI-IDs/<line>.yaml`,
    );
  let record: unknown;
  try {
    record = (JSON.parse(text) as { record?: unknown }).record;
  } catch (error) {
    throw new UserError(`${manifest} is not JSON: ${(error as Error).message}`);
  }
  if (record === undefined) throw new UserError(`${manifest} has no record`);
  const label = `${manifest} (record)`;
  const parsed = parseRecord(label, JSON.stringify(record, null, 2));
  if (!parsed.ok)
    throw new UserError(`${label} is not a valid record:\n${parsed.problems.map(formatProblem).join('\n')}`);
  return { record: parsed.value.record, source: manifest };
}

export async function readImageArtifacts(
  dirArg: string,
  options: { cwd: string; recordFile?: string },
): Promise<ImageArtifacts> {
  const dir = resolve(options.cwd, dirArg);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UserError(`${dirArg} is not a folder: give the artifact folder of a built image`);
  const { record, source } = await readRecordFrom(
    dir,
    options.recordFile === undefined ? undefined : resolve(options.cwd, options.recordFile),
  );
  if (!record.image_file.endsWith('.img'))
    throw new UserError(
      `${source}: image_file ${record.image_file} is not a disk image (.img): nothing to boot`,
    );
  const names = artifactNames(record);
  const paths = {
    image: join(dir, names.image),
    kernel: join(dir, names.kernel),
    initrd: join(dir, names.initrd),
  };
  const missing: string[] = [];
  for (const path of Object.values(paths))
    if (!(await stat(path).catch(() => undefined))?.isFile()) missing.push(path);
  if (missing.length > 0) throw new UserError(`${dirArg} lacks what ${source} names: ${missing.join(', ')}`);
  return { dir, record, recordSource: source, ...paths };
}
