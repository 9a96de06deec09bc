/**
 * `new-emi`, the applying part: read the catalog, plan the next record, check the planned files as
 * `emi validate` would, let the caller confirm, then hand the files to the catalog writer, which
 * takes the lock, checks the line is still at the version the plan saw and validates again before
 * it writes both files atomically.
 */
import { UserError } from '../lib/errors.js';
import { assertFullHistory, requireRepoRoot } from '../lib/git.js';
import { formatProblem } from '../lib/problems.js';
import { worktreeReader } from '../lib/tree-reader.js';
import type { Recipe } from '../schemas/generated/recipe.js';
import { applyCatalogChange } from './apply-catalog-change.js';
import { loadCatalog } from './load-catalog.js';
import { type NewRecordPlan, planNewRecord, resolveLine } from './plan-new-record.js';
import { recordPath } from './record-files.js';
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
}

/** The recipes of the catalog at cwd, for prompts and error messages. */
export async function readRecipes(cwd: string): Promise<Map<string, Recipe>> {
  const root = await requireRepoRoot(cwd);
  const { recipeSet } = await loadCatalog(worktreeReader(root), { history: false });
  return new Map([...recipeSet.recipes].map(([name, loaded]) => [name, loaded.recipe]));
}

export async function newRecord(options: NewRecordOptions): Promise<NewRecordResult> {
  const root = await requireRepoRoot(options.cwd);
  await assertFullHistory(root, 'new-emi cannot check that the new stamp was not used before');
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
    throw new UserError(`${path} cannot be read; fix it first:\n${unreadable.map(formatProblem).join('\n')}`);
  }
  const current = catalog.view.records.find((parsed) => parsed.file === path)?.record;
  const plan = planNewRecord({
    ...choice,
    epoch: options.epoch,
    usedStamps,
    ...(current ? { current } : {}),
  });
  const report = reportProblems(withPlannedFiles(catalog, plan.files), [plan.recordPath, plan.imageIdPath]);
  if (!report.ok) {
    throw new UserError(
      `the new record would not validate:\n${report.problems.map(formatProblem).join('\n')}`,
    );
  }
  if (options.dryRun) return { plan, written: false };
  if (options.confirm && !(await options.confirm(plan))) return { plan, written: false };
  await applyCatalogChange({
    root,
    change: { write: plan.files },
    expect: { [path]: current?.image_version ?? null },
    what: 'emi new-emi',
  });
  return { plan, written: true };
}

function nameOf(options: NewRecordOptions): { name?: string } {
  return options.name === undefined ? {} : { name: options.name };
}
