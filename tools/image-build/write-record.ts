/**
 * The record step, the last of a build: EMI-IDs/<name>.<arch>.yaml with recipe_digest and the
 * artifacts' checksums, image-ids/<name>.<arch> (the image's /etc/image-id) and
 * image-ids/<name>.<arch>.packages, checked as `emi validate` would and written atomically, under
 * the same lock as new-emi. Nothing is written when the line's record changed during the build.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecord } from '../catalog/parse-record.js';
import {
  type ImageRecord,
  imageIdPath,
  packagesPath,
  recordPath,
  renderImageId,
  renderRecord,
} from '../catalog/record-files.js';
import { validatePlannedFiles } from '../catalog/validate-catalog.js';
import { writeFilesAtomic } from '../lib/atomic-write.js';
import { UserError } from '../lib/errors.js';
import { getGitDir } from '../lib/git.js';
import { acquireLock } from '../lib/lock.js';
import { formatProblem } from '../lib/problems.js';
import type { Artifact } from './events.js';

export interface RecordFiles {
  record: ImageRecord;
  files: { path: string; content: string }[];
}

/** The three files of a built release (pure). */
export function recordFilesFor(
  record: ImageRecord,
  artifacts: readonly Artifact[],
  packages: string,
): RecordFiles {
  const full: ImageRecord = {
    ...record,
    artifacts: artifacts.map(({ name, sha256, size }) => ({ name, sha256, size })),
  };
  return {
    record: full,
    files: [
      { path: recordPath(full), content: renderRecord(full) },
      { path: imageIdPath(full), content: renderImageId(full) },
      { path: packagesPath(full), content: packages },
    ],
  };
}

/** Checks planned record files against the catalog on disk, as `emi validate` would. */
export async function checkRecordFiles(
  root: string,
  files: readonly { path: string; content: string }[],
): Promise<void> {
  const report = await validatePlannedFiles(root, files);
  if (!report.ok)
    throw new UserError(`the record would not validate:\n${report.problems.map(formatProblem).join('\n')}`);
}

export interface WriteRecordInput {
  root: string;
  record: ImageRecord;
  /** The line's version when the build was planned (undefined: it had no record). */
  previousVersion: string | undefined;
  artifacts: readonly Artifact[];
  packages: string;
}

export async function writeRecord(input: WriteRecordInput): Promise<RecordFiles> {
  const planned = recordFilesFor(input.record, input.artifacts, input.packages);
  const release = await acquireLock(join(await getGitDir(input.root), 'emi-new-emi.lock'), 'emi new-emi');
  try {
    const path = recordPath(input.record);
    const text = await readFile(join(input.root, path), 'utf8').catch(() => undefined);
    const now = text === undefined ? undefined : parseRecord(path, text);
    const version = now?.ok ? now.value.record.image_version : undefined;
    if (text !== undefined && !now?.ok)
      throw new UserError(`${path} cannot be read any more: its record is not written`);
    if (version !== input.previousVersion) {
      throw new UserError(
        `${path} changed during the build (${input.previousVersion ?? 'no record'} → ${version ?? 'no record'}): the record of this build is not written`,
      );
    }
    await checkRecordFiles(input.root, planned.files);
    await writeFilesAtomic(
      planned.files.map((file) => ({ path: join(input.root, file.path), content: file.content })),
    );
    return planned;
  } finally {
    await release();
  }
}
