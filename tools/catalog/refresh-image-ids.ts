/**
 * `emi image-ids`: regenerates image-ids/<name>.<arch> from each record, removes orphans, through
 * the catalog writer (which checks each record is still the version the files were rendered from).
 */
import { imageIdsDir, recordsDir } from '../lib/paths.js';
import { worktreeReader } from '../lib/tree-reader.js';
import { applyCatalogChange } from './apply-catalog-change.js';
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
  const stale = view.records.filter(
    (parsed) => view.imageIds.get(imageIdPath(parsed.record)) !== renderImageId(parsed.record),
  );
  const files = stale.map((parsed) => ({
    path: imageIdPath(parsed.record),
    content: renderImageId(parsed.record),
  }));
  const skipped = [...new Set(problems.map((problem) => problem.file))].filter((file) =>
    file.startsWith(`${recordsDir}/`),
  );
  const keep = new Set([
    ...view.records.map((parsed) => imageIdPath(parsed.record)),
    ...skipped.map((file) => `${imageIdsDir}/${file.slice(recordsDir.length + 1).replace(/\.yaml$/, '')}`),
  ]);
  const removed = [...view.imageIds.keys()].filter((path) => !keep.has(path.replace(/\.packages$/, '')));
  if (!options.check && files.length + removed.length > 0) {
    await applyCatalogChange({
      root: options.root,
      change: { write: files, remove: removed },
      expect: Object.fromEntries(stale.map((parsed) => [parsed.file, parsed.record.image_version])),
      what: 'emi image-ids',
    });
  }
  return { written: files.map((file) => file.path), removed, skipped };
}
