/**
 * Gathers what the plan step needs (the catalog, the recipe and its digest, the host's apt
 * sources, a given record) and makes the plan. Reads only; needs no root.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadCatalog } from '../catalog/load-catalog.js';
import { parseRecord } from '../catalog/parse-record.js';
import {
  type ImageRecord,
  imageIdPath,
  recordPath,
  renderImageId,
  renderRecord,
} from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import { requireRepoRoot } from '../lib/git.js';
import { formatProblem } from '../lib/problems.js';
import { trackedReader, worktreeReader } from '../lib/tree-reader.js';
import { loadRecipes } from '../recipes/load-recipes.js';
import { computeRecipeDigest } from '../recipes/recipe-digest.js';
import { readHostSources } from './apt-sources.js';
import { type BuildPlan, planBuild, type Selection } from './plan-build.js';
import { hostArch, resolveRecipe } from './resolve-recipe.js';
import { checkRecordFiles } from './write-record.js';

export interface LoadPlanOptions {
  cwd: string;
  recipeName: string;
  line?: string;
  arch?: string;
  all?: boolean;
  /** --record FILE */
  recordFile?: string;
  outDir?: string;
  mirror?: string;
  epoch: number;
  withZst: boolean;
  /** Check now that the records the build will write validate. */
  checkRecords: boolean;
  env: Record<string, string | undefined>;
  /** The host's apt configuration folder (tests point it elsewhere). */
  aptDir?: string;
}

export interface LoadedPlan {
  plan: BuildPlan;
  repoRoot: string;
  outDir: string;
}

async function readRecordFile(cwd: string, file: string): Promise<ImageRecord> {
  const path = resolve(cwd, file);
  const text = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read --record ${file}: ${error.code ?? error.message}`);
  });
  const parsed = parseRecord(file, text);
  if (!parsed.ok)
    throw new UserError(
      `--record ${file} is not a valid record:\n${parsed.problems.map(formatProblem).join('\n')}`,
    );
  return parsed.value.record;
}

export async function loadBuildPlan(options: LoadPlanOptions): Promise<LoadedPlan> {
  const repoRoot = await requireRepoRoot(options.cwd);
  const reader = worktreeReader(repoRoot);
  const catalog = await loadCatalog(reader);
  const loaded = catalog.recipeSet.recipes.get(options.recipeName);
  const recipeProblems = catalog.recipeSet.problems.filter((problem) =>
    problem.file.startsWith(`recipes/${options.recipeName}/`),
  );
  if (recipeProblems.length > 0 || !loaded) {
    if (!catalog.recipeSet.names.has(options.recipeName)) {
      const known = [...catalog.recipeSet.names].sort();
      throw new UserError(
        `unknown recipe "${options.recipeName}": known recipes are ${known.length > 0 ? known.join(', ') : '(none: add recipes/<name>/recipe.yaml)'}`,
      );
    }
    throw new UserError(
      `recipe ${options.recipeName} has problems:\n${recipeProblems.map(formatProblem).join('\n')}`,
    );
  }
  // The digest (and so the image) covers only what git tracks: an untracked or ignored file in the
  // recipe folder is neither digested nor, since emi build refuses to start with one, copied.
  const tracked = trackedReader(repoRoot);
  const trackedRecipe = (await loadRecipes(tracked, new Set([options.recipeName]))).recipes.get(
    options.recipeName,
  );
  if (!trackedRecipe)
    throw new UserError(
      `recipes/${options.recipeName}/recipe.yaml is not tracked by git: git add it (emi builds only what git tracks)`,
    );
  const { digest, inputs } = await computeRecipeDigest(tracked, trackedRecipe);
  const recipe = resolveRecipe(loaded, {
    ...(options.mirror === undefined ? {} : { mirror: options.mirror }),
    env: options.env,
    hostSources: await readHostSources(options.aptDir),
  });
  const outDir = resolve(options.cwd, options.outDir ?? `${repoRoot}/out`);
  const selection: Selection = {
    ...(options.line === undefined ? {} : { line: options.line }),
    ...(options.arch === undefined ? {} : { arch: options.arch }),
    ...(options.all ? { all: true } : {}),
    ...(options.recordFile === undefined
      ? {}
      : { record: await readRecordFile(options.cwd, options.recordFile) }),
  };
  const plan = planBuild({
    recipe,
    digest,
    inputs,
    selection,
    hostArch: hostArch(),
    epoch: options.epoch,
    outDir,
    withZst: options.withZst,
    recipes: new Map([...catalog.recipeSet.recipes].map(([name, item]) => [name, item.recipe])),
    currentRecords: new Map(catalog.view.records.map((parsed) => [parsed.file, parsed.record])),
    usedStamps: new Set([
      ...catalog.view.records.map((parsed) => parsed.record.image_stamp),
      ...catalog.view.history.stampReleases.keys(),
    ]),
  });
  if (options.checkRecords) {
    for (const image of plan.images) {
      await checkRecordFiles(repoRoot, [
        { path: recordPath(image.record), content: renderRecord(image.record) },
        { path: imageIdPath(image.record), content: renderImageId(image.record) },
      ]);
    }
  }
  return { plan, repoRoot, outDir };
}
