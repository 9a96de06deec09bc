/**
 * The build cache, two levels:
 * - debs/<distribution>-<release>-<arch>/: every .deb downloaded (debootstrap's --cache-dir and apt's
 *   archives folder), so no package is downloaded twice;
 * - trees/<distribution>-<release>-<arch>-<key>.tar.zst: the root with the recipe's package set
 *   installed, keyed by distribution, release, arch, variant, sources and package set, and by the
 *   digest of each suite's InRelease file, so a new upload to the archive (a security fix) makes
 *   a new tree while an unchanged archive reuses it without running apt at all.
 */
import { createHash } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch } from '../schemas/generated/recipe.js';
import type { PackageSource, ResolvedRecipe } from './resolve-recipe.js';
import { debianArch } from './resolve-recipe.js';

/** Bump when the way a tree is made changes, so old trees are not reused. */
const treeFormat = 5;
/** Trees kept per distribution, release and arch. */
export const treesKept = 3;

export interface SuiteDigest {
  uri: string;
  suite: string;
  /** sha256 of the suite's InRelease file. */
  inrelease: string;
}

export interface TreeKeyInput {
  distribution: string;
  release: string;
  arch: Arch;
  variant: string;
  sources: readonly PackageSource[];
  suites: readonly SuiteDigest[];
  add: readonly string[];
  remove: readonly string[];
  kernel: string;
}

export function treeKeyInput(
  recipe: ResolvedRecipe,
  arch: Arch,
  kernel: string,
  suites: readonly SuiteDigest[],
): TreeKeyInput {
  return {
    distribution: recipe.distribution,
    release: recipe.release,
    arch,
    variant: recipe.variant,
    sources: recipe.sources,
    suites,
    add: recipe.packages.add,
    remove: recipe.packages.remove,
    kernel,
  };
}

/** The cache key of a tree: order-independent in the package lists, blind to where the mirror was found. */
export function treeKey(input: TreeKeyInput): string {
  const canonical = JSON.stringify({
    format: treeFormat,
    distribution: input.distribution,
    release: input.release,
    arch: input.arch,
    variant: input.variant,
    sources: input.sources.map((source) => ({
      uri: source.uri,
      suites: source.suites,
      components: source.components,
    })),
    suites: [...input.suites].map((suite) => `${suite.uri} ${suite.suite} ${suite.inrelease}`).sort(),
    add: [...new Set(input.add)].sort(),
    remove: [...new Set(input.remove)].sort(),
    kernel: input.kernel,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export function archPrefix(recipe: Pick<ResolvedRecipe, 'distribution' | 'release'>, arch: Arch): string {
  return `${recipe.distribution}-${recipe.release}-${debianArch(arch)}`;
}

export function debsDir(cacheDir: string, recipe: ResolvedRecipe, arch: Arch): string {
  return join(cacheDir, 'debs', archPrefix(recipe, arch));
}

export function treePath(cacheDir: string, recipe: ResolvedRecipe, arch: Arch, key: string): string {
  return join(cacheDir, 'trees', `${archPrefix(recipe, arch)}-${key}.tar.zst`);
}

export function lockPath(cacheDir: string, recipe: ResolvedRecipe, arch: Arch): string {
  return join(cacheDir, `.lock-${archPrefix(recipe, arch)}`);
}

/** The InRelease URL of a suite. */
export function inReleaseUrl(uri: string, suite: string): string {
  return `${uri.replace(/\/+$/, '')}/dists/${suite}/InRelease`;
}

/** Which trees to delete: all but the `keep` newest of each prefix. */
export function treesToPrune(
  trees: readonly { name: string; mtimeMs: number }[],
  prefix: string,
  keep = treesKept,
): string[] {
  return trees
    .filter((tree) => tree.name.startsWith(`${prefix}-`) && tree.name.endsWith('.tar.zst'))
    .sort((a, b) => b.mtimeMs - a.mtimeMs)
    .slice(keep)
    .map((tree) => tree.name);
}

export async function pruneTrees(cacheDir: string, prefix: string): Promise<string[]> {
  const dir = join(cacheDir, 'trees');
  const names = await readdir(dir).catch(() => [] as string[]);
  const trees = await Promise.all(
    names.map(async (name) => ({ name, mtimeMs: (await stat(join(dir, name))).mtimeMs })),
  );
  const doomed = treesToPrune(trees, prefix);
  await Promise.all(doomed.map((name) => rm(join(dir, name), { force: true })));
  return doomed;
}
