/**
 * `emi image-ids`: regenerates image-ids/<name>.<arch> from each record, removes orphans. Reads and
 * writes under the catalog lock, through the catalog writer's session.
 */
import { imageIdsDir, recordsDir } from '../lib/paths.js';
import { worktreeReader } from '../lib/tree-reader.js';
import { withCatalogLock } from './apply-catalog-change.js';
import { type LoadedCatalog, loadCatalog } from './load-catalog.js';
import { imageIdPath, renderImageId } from './record-files.js';

export interface RefreshResult {
  written: string[];
  removed: string[];
  /** Record files that could not be read, so their image-id file was left alone. */
  skipped: string[];
}

export async function refreshImageIds(options: { root: string; check?: boolean }): Promise<RefreshResult> {
  const read = () => loadCatalog(worktreeReader(options.root), { history: false });
  if (options.check) return resultOf(planRefresh(await read()));
  return withCatalogLock(options.root, 'emi image-ids', async (session) => {
    const catalog = await read();
    const plan = planRefresh(catalog);
    if (plan.write.length + plan.remove.length > 0)
      await session.apply({
        change: { write: plan.write, remove: plan.remove },
        expect: plan.expect,
        catalog,
      });
    return resultOf(plan);
  });
}

interface RefreshPlan {
  write: { path: string; content: string }[];
  remove: string[];
  skipped: string[];
  /** Each record an image-id file is rendered from, at the version it was rendered from. */
  expect: Record<string, string>;
}

const resultOf = (plan: RefreshPlan): RefreshResult => ({
  written: plan.write.map((file) => file.path),
  removed: plan.remove,
  skipped: plan.skipped,
});

/** Which image-id files are stale (with their new content) or orphaned (pure). */
function planRefresh(catalog: LoadedCatalog): RefreshPlan {
  const { view, problems } = catalog;
  const stale = view.records.filter(
    (parsed) => view.imageIds.get(imageIdPath(parsed.record)) !== renderImageId(parsed.record),
  );
  const skipped = [...new Set(problems.map((problem) => problem.file))].filter((file) =>
    file.startsWith(`${recordsDir}/`),
  );
  const keep = new Set([
    ...view.records.map((parsed) => imageIdPath(parsed.record)),
    ...skipped.map((file) => `${imageIdsDir}/${file.slice(recordsDir.length + 1).replace(/\.yaml$/, '')}`),
  ]);
  return {
    write: stale.map((parsed) => ({
      path: imageIdPath(parsed.record),
      content: renderImageId(parsed.record),
    })),
    remove: [...view.imageIds.keys()].filter((path) => !keep.has(path.replace(/\.packages$/, ''))),
    skipped,
    expect: Object.fromEntries(stale.map((parsed) => [parsed.file, parsed.record.image_version])),
  };
}
