/** `emi image-ids`: regenerates image-ids/<name>.<arch> from each record, removes orphans. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFilesAtomic } from '../lib/atomic-write.js';
import { imageIdsDir, recordsDir } from '../lib/paths.js';
import { worktreeReader } from '../lib/tree-reader.js';
import { loadCatalog } from './load-catalog.js';
import { imageIdPath, renderImageId } from './record-files.js';

export interface RefreshResult {
  written: string[];
  removed: string[];
  /** Record files that could not be read, so their image-id file was left alone. */
  skipped: string[];
}

export async function refreshImageIds(options: { root: string; check?: boolean }): Promise<RefreshResult> {
  const { view, problems } = await loadCatalog(worktreeReader(options.root), { history: false });
  const files = view.records
    .map((parsed) => ({ path: imageIdPath(parsed.record), content: renderImageId(parsed.record) }))
    .filter((file) => view.imageIds.get(file.path) !== file.content);
  const skipped = [...new Set(problems.map((problem) => problem.file))].filter((file) =>
    file.startsWith(`${recordsDir}/`),
  );
  const keep = new Set([
    ...view.records.map((parsed) => imageIdPath(parsed.record)),
    ...skipped.map((file) => `${imageIdsDir}/${file.slice(recordsDir.length + 1).replace(/\.yaml$/, '')}`),
  ]);
  const removed = [...view.imageIds.keys()].filter((path) => !keep.has(path.replace(/\.packages$/, '')));
  if (!options.check) {
    await writeFilesAtomic(
      files.map((file) => ({ path: join(options.root, file.path), content: file.content })),
    );
    await Promise.all(removed.map((path) => rm(join(options.root, path), { force: true })));
  }
  return { written: files.map((file) => file.path), removed, skipped };
}
