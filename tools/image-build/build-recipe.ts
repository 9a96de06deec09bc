/**
 * `emi build`: plan, preflight, then each planned image in turn (see build-image.ts). This file only
 * sequences the steps; each step is its own function and module.
 */

import { join, resolve } from 'node:path';
import { ensureDir } from '../lib/ensure-dir.js';
import { UserError } from '../lib/errors.js';
import { type BuildImageResult, buildImage, type VerifyImage } from './build-image.js';
import { readToolVersions } from './build-manifest.js';
import { buildEnv } from './contained.js';
import { type Emit, runStep } from './events.js';
import { type LoadedPlan, type LoadPlanOptions, loadBuildPlan } from './load-build-plan.js';
import { removeLeftovers } from './outputs.js';
import { neededBytesFor, preflight, requirementsFor } from './preflight.js';
import { hostArch } from './resolve-recipe.js';

export interface BuildOptions extends Omit<LoadPlanOptions, 'checkRecords'> {
  /** --cache DIR (default: EMI_CACHE_DIR, then <repo>/.cache/emi-build). */
  cacheDir?: string;
  /** Write EMI-IDs/ and image-ids/ at the end (default true; --no-record turns it off). */
  writeRecord: boolean;
  /** --plan: stop after the plan. */
  planOnly: boolean;
  verify?: VerifyImage;
  isRoot: boolean;
  signal?: AbortSignal;
  emit: Emit;
}

export interface BuildResult extends LoadedPlan {
  images: BuildImageResult[];
  cacheDir: string;
}

/** Why a build without a boot check may not write a record (emi build --no-verify needs --no-record). */
export const unverifiedRecordMessage =
  'a record is the claim that an image boots and works: a build without the boot check (--no-verify) writes no record, so give --no-record too';

export async function buildRecipe(options: BuildOptions): Promise<BuildResult> {
  const { emit, signal } = options;
  if (options.writeRecord && !options.planOnly && !options.verify)
    throw new UserError(unverifiedRecordMessage);
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
  if (options.planOnly) return { ...loaded, images: [], cacheDir };

  const env = buildEnv(options.env);
  const { plan, outDir } = loaded;
  await runStep(
    emit,
    'preflight',
    undefined,
    async (log) => {
      await ensureDir(outDir);
      await ensureDir(cacheDir);
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
  return { ...loaded, images, cacheDir };
}
