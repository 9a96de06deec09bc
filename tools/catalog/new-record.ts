/**
 * `new-emi`, the applying part: under the catalog lock, read the catalog, plan the next record,
 * check the planned files as `emi validate` would, let the caller confirm, then write both files
 * atomically through the catalog writer's session.
 */
import { UserError } from '../lib/errors.js';
import { refuseShallow, requireRepoRoot, requireRepositoryState } from '../lib/git.js';
import { formatProblem } from '../lib/problems.js';
import { worktreeReader } from '../lib/tree-reader.js';
import type { Recipe } from '../schemas/generated/recipe.js';
import { withCatalogLock } from './apply-catalog-change.js';
import { loadCatalog } from './load-catalog.js';
import { type NewRecordPlan, planNewRecord, resolveLine } from './plan-new-record.js';
import { type ImageRecord, packagesPath, recordPath } from './record-files.js';
import { reportProblems, withPlannedFiles } from './validate-catalog.js';

export interface NewRecordOptions {
  cwd: string;
  recipeName: string;
  arch: string;
  name?: string;
  epoch: number;
  dryRun?: boolean;
  /** Asked with the plan before anything is written; false cancels. */
  confirm?: (plan: NewRecordPlan) => Promise<boolean>;
}

export interface NewRecordResult {
  plan: NewRecordPlan;
  written: boolean;
  /**
   * The line's package manifest of the previous build, removed (or, in a dry run, to be removed):
   * a manifest belongs to the build that made it, and the new release has not been built yet.
   */
  removed: string[];
}

/** The recipes of the catalog at cwd, for prompts and error messages. */
export async function readRecipes(cwd: string): Promise<Map<string, Recipe>> {
  const root = await requireRepoRoot(cwd);
  const { recipeSet } = await loadCatalog(worktreeReader(root), { history: false });
  return new Map([...recipeSet.recipes].map(([name, loaded]) => [name, loaded.recipe]));
}

export async function newRecord(options: NewRecordOptions): Promise<NewRecordResult> {
  const state = await requireRepositoryState(options.cwd);
  refuseShallow(state, 'new-emi cannot check that the new stamp was not used before');
  const { root } = state;
  if (options.dryRun) {
    const { plan, removed } = await planUnder(root, options);
    return { plan, written: false, removed };
  }
  // One lock over reading, planning, asking and writing, so the catalog read is still current when
  // the files are written and is read only once (a large catalog takes seconds to read).
  return withCatalogLock(root, 'emi new-emi', async (session) => {
    const { plan, path, current, removed } = await planUnder(root, options);
    if (options.confirm && !(await options.confirm(plan))) return { plan, written: false, removed: [] };
    await session.apply({
      change: { write: plan.files, remove: removed },
      expect: { [path]: current?.image_version ?? null },
      // planUnder validated these files against the catalog read under this same lock.
      validate: false,
    });
    return { plan, written: true, removed };
  });
}

/** Reads the catalog, plans the line's next record and checks it as `emi validate` would. */
async function planUnder(
  root: string,
  options: NewRecordOptions,
): Promise<{ plan: NewRecordPlan; path: string; current: ImageRecord | undefined; removed: string[] }> {
  const catalog = await loadCatalog(worktreeReader(root));
  const recipes = new Map([...catalog.recipeSet.recipes].map(([name, loaded]) => [name, loaded.recipe]));
  const usedStamps = new Set([
    ...catalog.view.records.map((parsed) => parsed.record.image_stamp),
    ...catalog.view.history.stampReleases.keys(),
  ]);
  const choice = { recipeName: options.recipeName, arch: options.arch, recipes, ...nameOf(options) };
  const path = recordPath({ image_name: resolveLine(choice), image_arch: options.arch });
  const unreadable = catalog.problems.filter((problem) => problem.file === path);
  if (unreadable.length > 0) {
    throw new UserError(`${path} cannot be read; fix it first:\n${unreadable.map(formatProblem).join('\n')}`);
  }
  const current = catalog.view.records.find((parsed) => parsed.file === path)?.record;
  const plan = planNewRecord({
    ...choice,
    epoch: options.epoch,
    usedStamps,
    ...(current ? { current } : {}),
  });
  // The line's manifest is the previous build's: the new release is not built yet, so it goes.
  const stale = packagesPath(plan.record);
  const removed = catalog.view.imageIds.has(stale) ? [stale] : [];
  const imageIds = new Map(catalog.view.imageIds);
  imageIds.delete(stale);
  const planned = withPlannedFiles({ ...catalog, view: { ...catalog.view, imageIds } }, plan.files);
  const report = reportProblems(planned, [plan.recordPath, plan.imageIdPath, stale]);
  if (!report.ok) {
    throw new UserError(
      `the new record would not validate:\n${report.problems.map(formatProblem).join('\n')}`,
    );
  }
  return { plan, path, current, removed };
}

function nameOf(options: NewRecordOptions): { name?: string } {
  return options.name === undefined ? {} : { name: options.name };
}
