/**
 * `emi build`: plan, preflight, then each planned image in turn (see build-image.ts). This file only
 * sequences the steps; each step is its own function and module.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../lib/errors.js';
import { listWorkingChanges } from '../lib/git.js';
import { recipesDir } from '../lib/paths.js';
import { trackedReader, worktreeReader } from '../lib/tree-reader.js';
import { commonDir } from '../recipes/load-recipes.js';
import { type BuildImageResult, buildImage, type VerifyImage } from './build-image.js';
import { readToolVersions } from './build-manifest.js';
import { buildEnv } from './contained.js';
import { type Emit, runStep } from './events.js';
import { type LoadedPlan, type LoadPlanOptions, loadBuildPlan } from './load-build-plan.js';
import { removeLeftovers } from './outputs.js';
import { type PlannedImage, planRebuilds } from './plan-rebuilds.js';
import { neededBytesFor, preflight, requirementsFor } from './preflight.js';
import { hostArch } from './resolve-recipe.js';

export interface BuildOptions extends Omit<LoadPlanOptions, 'checkRecords'> {
  /** --cache DIR (default: EMI_CACHE_DIR, then <repo>/.cache/emi-build). */
  cacheDir?: string;
  /** Write EMI-IDs/ and image-ids/ at the end (default true; --no-record turns it off). */
  writeRecord: boolean;
  /** --plan: stop after the plan. */
  planOnly: boolean;
  /** --force: build even an image whose record already has this recipe digest. */
  force?: boolean;
  verify?: VerifyImage;
  isRoot: boolean;
  signal?: AbortSignal;
  emit: Emit;
}

export interface BuildResult extends LoadedPlan {
  images: BuildImageResult[];
  cacheDir: string;
  /** What emi plan decided for each selected image (absent with --record or --force). */
  decisions: PlannedImage[];
  /** Images left out because they are up to date. */
  upToDate: PlannedImage[];
}

/**
 * A build uses only committed recipe content: any change git sees in the recipe's folders
 * (modified, staged, untracked or ignored files) stops it, named, before anything runs. So the
 * image holds exactly the files the recorded digest covers.
 */
export async function assertCommittedInputs(repoRoot: string, recipeName: string): Promise<void> {
  const changes = await listWorkingChanges(repoRoot, [`${recipesDir}/${recipeName}`, commonDir], {
    ignored: true,
  });
  if (changes.length === 0) return;
  const names = changes.slice(0, 10).map((change) => `${change.path} (${describeStatus(change.status)})`);
  const more = changes.length > 10 ? `\n  and ${changes.length - 10} more` : '';
  throw new UserError(
    `the recipe has changes git has not committed; emi build uses only committed recipe files, so commit, remove or move them:\n  ${names.join('\n  ')}${more}`,
  );
}

function describeStatus(status: string): string {
  if (status === '??') return 'untracked';
  if (status === '!!') return 'ignored';
  if (status.includes('D')) return 'deleted';
  if (status[0] !== ' ' && status[1] === ' ') return 'staged';
  return 'modified';
}

export async function buildRecipe(options: BuildOptions): Promise<BuildResult> {
  const { emit, signal } = options;
  const loaded = await runStep(
    emit,
    'plan',
    undefined,
    () => loadBuildPlan({ ...options, checkRecords: options.writeRecord }),
    (result) =>
      `${result.plan.images.map((image) => `${image.image_name}.${image.image_arch} ${image.record.image_version}`).join(', ')}; ${result.plan.digest}`,
  );
  const cacheDir = resolve(
    options.cwd,
    options.cacheDir ?? options.env.EMI_CACHE_DIR ?? join(loaded.repoRoot, '.cache', 'emi-build'),
  );
  const decisions: PlannedImage[] = [];
  const upToDate: PlannedImage[] = [];
  if (!options.recordFile && !options.force) {
    // The same decision as emi plan: records as they are in the working tree, recipes as git tracks them.
    const decided = await planRebuilds({
      cwd: loaded.repoRoot,
      recipe: options.recipeName,
      reader: worktreeReader(loaded.repoRoot),
      recipeReader: trackedReader(loaded.repoRoot),
    });
    const byKey = new Map(decided.images.map((image) => [`${image.line}.${image.arch}`, image]));
    const keep = [];
    for (const image of loaded.plan.images) {
      const decision = byKey.get(`${image.image_name}.${image.image_arch}`);
      if (decision) decisions.push(decision);
      if (decision && !decision.build) {
        upToDate.push(decision);
        emit({
          type: 'note',
          image: `${image.image_name}.${image.image_arch}`,
          message: `up to date: ${decision.reasons.join('; ')}; nothing to build (--force builds it anyway)`,
        });
      } else keep.push(image);
    }
    loaded.plan.images = keep;
  }
  if (options.planOnly) return { ...loaded, images: [], cacheDir, decisions, upToDate };
  await assertCommittedInputs(loaded.repoRoot, options.recipeName);
  if (loaded.plan.images.length === 0) return { ...loaded, images: [], cacheDir, decisions, upToDate };

  const env = buildEnv(options.env);
  const { plan, outDir } = loaded;
  await runStep(
    emit,
    'preflight',
    undefined,
    async (log) => {
      await mkdir(outDir, { recursive: true });
      await mkdir(cacheDir, { recursive: true });
      for (const name of await removeLeftovers(outDir)) log(`removed ${name}, left by an interrupted build`);
      for (const name of await removeLeftovers(join(cacheDir, 'trees')))
        log(`removed ${name} from the cache, left by an interrupted build`);
      return preflight({
        requirements: requirementsFor(
          plan.recipe,
          plan.images.map((image) => image.image_arch),
          hostArch(),
        ),
        outDir,
        neededBytes: neededBytesFor(plan.images, options.withZst),
        isRoot: options.isRoot,
      });
    },
    (result) => `${Math.floor(result.freeBytes / 1024 ** 3)} GiB free`,
  );

  const tools = await readToolVersions(env);
  const images: BuildImageResult[] = [];
  for (const image of plan.images) {
    signal?.throwIfAborted();
    images.push(
      await buildImage({
        plan: image,
        recipe: plan.recipe,
        digest: plan.digest,
        inputs: plan.inputs,
        repoRoot: loaded.repoRoot,
        outDir,
        cacheDir,
        env,
        epoch: options.epoch,
        pigz: Boolean(tools.pigz),
        tools,
        writeRecord: options.writeRecord,
        emit,
        ...(options.verify ? { verify: options.verify } : {}),
        ...(signal ? { signal } : {}),
      }),
    );
  }
  return { ...loaded, images, cacheDir, decisions, upToDate };
}
