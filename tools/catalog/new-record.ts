/**
 * `new-emi`, the applying part: under a lock, read the catalog, plan the next record, let the caller
 * confirm, check the planned files as `emi validate` would, then write both files atomically.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFilesAtomic } from '../lib/atomic-write.js';
import { UserError } from '../lib/errors.js';
import { translateFsError } from '../lib/fs-errors.js';
import { getGitDir, requireRepoRoot } from '../lib/git.js';
import { acquireLock } from '../lib/lock.js';
import { formatProblem } from '../lib/problems.js';
import { worktreeReader } from '../lib/tree-reader.js';
import type { Recipe } from '../schemas/generated/recipe.js';
import { loadCatalog } from './load-catalog.js';
import { type NewRecordPlan, planNewRecord, resolveLine } from './plan-new-record.js';
import { packagesPath, recordPath } from './record-files.js';
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
  const root = await requireRepoRoot(options.cwd);
  const release = options.dryRun
    ? async () => {}
    : await acquireLock(join(await getGitDir(root), 'emi-new-emi.lock'), 'emi new-emi');
  try {
    const reader = worktreeReader(root);
    const catalog = await loadCatalog(reader);
    const recipes = new Map([...catalog.recipeSet.recipes].map(([name, loaded]) => [name, loaded.recipe]));
    const usedStamps = new Set([
      ...catalog.view.records.map((parsed) => parsed.record.image_stamp),
      ...catalog.view.history.stampReleases.keys(),
    ]);
    const choice = { recipeName: options.recipeName, arch: options.arch, recipes, ...nameOf(options) };
    const path = recordPath({ image_name: resolveLine(choice), image_arch: options.arch });
    const unreadable = catalog.problems.filter((problem) => problem.file === path);
    if (unreadable.length > 0) {
      throw new UserError(
        `${path} cannot be read; fix it first:\n${unreadable.map(formatProblem).join('\n')}`,
      );
    }
    const current = catalog.view.records.find((parsed) => parsed.file === path)?.record;
    const plan = planNewRecord({
      ...choice,
      epoch: options.epoch,
      usedStamps,
      ...(current ? { current } : {}),
    });
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
    if (options.dryRun) return { plan, written: false, removed };
    if (options.confirm && !(await options.confirm(plan))) return { plan, written: false, removed: [] };
    await writeFilesAtomic(
      plan.files.map((file) => ({ path: join(root, file.path), content: file.content })),
    );
    for (const path of removed)
      await rm(join(root, path), { force: true }).catch((error: unknown) => {
        throw translateFsError(error, join(root, path), 'remove');
      });
    return { plan, written: true, removed };
  } finally {
    await release();
  }
}

function nameOf(options: NewRecordOptions): { name?: string } {
  return options.name === undefined ? {} : { name: options.name };
}
