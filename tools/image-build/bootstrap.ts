/**
 * The bootstrap step: a root with the recipe's package set. From the tree cache when the same
 * package set was built from the same archive state before; otherwise mmdebstrap resolves and
 * installs the whole set (base, updates, packages, kernel) in one apt run, then the tree is saved
 * for the next build.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempPathFor } from '../lib/atomic-write.js';
import { LockedError, UserError } from '../lib/errors.js';
import { runCommand } from '../lib/exec.js';
import { acquireLock } from '../lib/lock.js';
import type { Arch } from '../schemas/generated/recipe.js';
import { decideExecution, type Execution } from './binfmt.js';
import { runContained } from './contained.js';
import type { ImageRoot } from './image-root.js';
import { finishPackageSet, runMmdebstrap } from './install-packages.js';
import {
  archPrefix,
  debsDir,
  inReleaseUrl,
  lockPath,
  pruneTrees,
  type SuiteDigest,
  treeKey,
  treeKeyInput,
  treePath,
} from './package-cache.js';
import type { ResolvedRecipe } from './resolve-recipe.js';

export interface BootstrapInput {
  recipe: ResolvedRecipe;
  arch: Arch;
  kernel: string;
  /** The host folder to build the root in (created here; must not exist). */
  root: string;
  cacheDir: string;
  env: Record<string, string>;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export interface BootstrapResult {
  execution: Execution;
  cache: 'hit' | 'miss';
  key: string;
  tree: string;
  suites: SuiteDigest[];
}

/** Every file mmdebstrap and the tree cache keep: owners by number, xattrs (file capabilities), ACLs. */
const treeTarOptions = ['--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls'];

/** The sha256 of each suite's InRelease: the archive state a tree was made from. */
export async function fetchSuiteDigests(
  recipe: ResolvedRecipe,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<SuiteDigest[]> {
  // All suites at once (a warm rebuild waits for these before it restores the tree), in order.
  const suites = recipe.sources.flatMap((source) => source.suites.map((suite) => ({ source, suite })));
  return Promise.all(
    suites.map(async ({ source, suite }): Promise<SuiteDigest> => {
      const url = inReleaseUrl(source.uri, suite);
      const result = await runCommand('wget', ['-q', '-O', '-', '--timeout=30', '--tries=3', url], {
        env,
        extendEnv: false,
        binary: true,
        reject: false,
        ...(signal ? { signal } : {}),
      });
      if (result.exitCode !== 0 || !result.stdoutBytes?.length) {
        throw new UserError(
          `cannot read ${url} (wget exit ${result.exitCode}): is the mirror ${source.uri} (from ${source.from}) reachable?`,
        );
      }
      const inrelease = createHash('sha256').update(result.stdoutBytes).digest('hex');
      return { uri: source.uri, suite, inrelease };
    }),
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Takes the cache lock of a distribution, release and arch, waiting while another build holds it. */
export async function waitForLock(
  path: string,
  what: string,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
  timeoutMs = 60 * 60 * 1000,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (let told = false; ; told = true) {
    try {
      return await acquireLock(path, what);
    } catch (error) {
      if (!(error instanceof LockedError) || Date.now() > deadline) throw error;
      if (!told) log(`waiting: ${error.message.replace(/: wait for it to finish$/, '')}`);
      await sleep(2000, undefined, signal ? { signal } : {});
    }
  }
}

export async function bootstrap(input: BootstrapInput): Promise<BootstrapResult> {
  const { recipe, arch, env, signal, log } = input;
  const suites = await fetchSuiteDigests(recipe, env, signal);
  const key = treeKey(treeKeyInput(recipe, arch, input.kernel, suites));
  const tree = treePath(input.cacheDir, recipe, arch, key);
  const contained = { env, ...(signal ? { signal } : {}), onLine: log };
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  await mkdir(input.root, { mode: 0o755 });

  const restore = async (): Promise<BootstrapResult> => {
    await timed(`package set restored from ${tree}`, () =>
      runContained(
        ['tar', '--extract', `--file=${tree}`, '--zstd', `--directory=${input.root}`, ...treeTarOptions],
        contained,
      ),
    );
    const execution = await decideExecution(input.root, arch, env, signal);
    return { execution, cache: 'hit', key, tree, suites };
  };
  if (await exists(tree)) return restore();

  await mkdir(dirname(tree), { recursive: true });
  const release = await waitForLock(
    lockPath(input.cacheDir, recipe, arch),
    `a build of ${archPrefix(recipe, arch)} in ${input.cacheDir}`,
    log,
    signal,
  );
  try {
    // The build this one waited for may just have made the same tree.
    if (await exists(tree)) return await restore();
    const debs = debsDir(input.cacheDir, recipe, arch);
    await mkdir(debs, { recursive: true });
    await timed('mmdebstrap (base, updates, packages and kernel in one apt run)', () =>
      runMmdebstrap({ recipe, arch, kernel: input.kernel, root: input.root, debs }, contained),
    );
    const execution = await decideExecution(input.root, arch, env, signal);
    log(
      execution.mode === 'native' ? `${arch} runs natively` : `${arch} runs through ${execution.interpreter}`,
    );
    const root: ImageRoot = { path: input.root, execution, env, ...(signal ? { signal } : {}), log };
    await finishPackageSet(root, recipe);

    const temp = tempPathFor(tree);
    try {
      await timed('package set saved to the cache', () =>
        runContained(
          [
            'tar',
            '--create',
            `--file=${temp}`,
            '--use-compress-program=zstd -T0 -3',
            `--directory=${input.root}`,
            ...treeTarOptions,
            '.',
          ],
          contained,
        ),
      );
      await rename(temp, tree);
    } finally {
      await rm(temp, { force: true });
    }
    for (const name of await pruneTrees(input.cacheDir, archPrefix(recipe, arch)))
      log(`pruned ${name} from the cache`);
    return { execution, cache: 'miss', key, tree, suites };
  } finally {
    await release();
  }
}
