/**
 * The record step, the last of a build: EMI-IDs/<name>.<arch>.yaml with recipe_digest and the
 * artifacts' checksums, image-ids/<name>.<arch> (the image's /etc/image-id) and
 * image-ids/<name>.<arch>.packages, handed to the catalog writer: under the catalog lock, checked as
 * `emi validate` would and written atomically. Nothing is written when the line's record changed
 * during the build.
 */
import { applyCatalogChange, checkCatalogChange } from '../catalog/apply-catalog-change.js';
import {
  type ImageRecord,
  imageIdPath,
  packagesPath,
  recordPath,
  renderImageId,
  renderRecord,
} from '../catalog/record-files.js';
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
  await checkCatalogChange(root, { write: files });
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
  await applyCatalogChange({
    root: input.root,
    change: { write: planned.files },
    expect: { [recordPath(input.record)]: input.previousVersion ?? null },
    what: 'emi build',
  });
  return planned;
}
