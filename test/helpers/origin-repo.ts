/**
 * A local bare repository standing in for GitHub's git side, and clones of it, for tests of what
 * workflows push (no network, no credentials).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { planRebuilds } from '../../tools/image-build/plan-rebuilds.js';
import { runCommand } from '../../tools/lib/exec.js';
import { makeRecord, recordFiles } from './catalog-fixtures.js';
import { createTempDir, testIdentity } from './git-repo.js';

export interface Origin {
  /** The temp folder holding the bare repository and the clones. */
  home: string;
  bare: string;
  clone(name: string, options?: { branch?: string; depth?: number }): Promise<string>;
  cleanup(): Promise<void>;
}

export const git = async (cwd: string, args: string[], input?: string): Promise<string> =>
  (await runCommand('git', args, { cwd, ...(input === undefined ? {} : { input }) })).stdout.trim();

async function configure(dir: string): Promise<void> {
  const settings: [string, string][] = [
    ['user.name', testIdentity.name],
    ['user.email', testIdentity.email],
    ['commit.gpgsign', 'false'],
    ['gc.auto', '0'],
    ['core.hooksPath', '/dev/null'],
  ];
  for (const [key, value] of settings) await git(dir, ['config', key, value]);
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

export async function commitAll(
  dir: string,
  files: Record<string, string>,
  message: string,
): Promise<string> {
  await writeFiles(dir, files);
  await git(dir, ['add', '--all']);
  await git(dir, ['commit', '-q', '--allow-empty', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** A bare origin whose main branch holds one commit with the files. */
export async function createOrigin(files: Record<string, string>): Promise<Origin> {
  const home = await createTempDir('emi-origin-');
  const bare = join(home, 'origin.git');
  await runCommand('git', ['init', '-q', '--bare', '--initial-branch=main', bare]);
  const seed = join(home, 'seed');
  await runCommand('git', ['init', '-q', '--initial-branch=main', seed]);
  await configure(seed);
  await commitAll(seed, files, 'Add the recipes\n\nthe first commit of the catalog\n');
  await git(seed, ['push', '-q', bare, 'main']);
  return {
    home,
    bare,
    async clone(name, options = {}) {
      const dir = join(home, name);
      const args = ['clone', '-q', '--branch', options.branch ?? 'main'];
      if (options.depth) args.push('--depth', String(options.depth));
      await runCommand('git', [...args, `file://${bare}`, dir]);
      await configure(dir);
      return dir;
    },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

/**
 * Records every image the clone's recipes build, with each recipe's current digest, commits the
 * records and pushes them: the catalog is then up to date and the next plan is empty.
 */
export async function recordEveryImage(dev: string): Promise<void> {
  const plan = await planRebuilds({ cwd: dev });
  const files: Record<string, string> = {};
  for (const [index, image] of plan.images.entries())
    Object.assign(
      files,
      recordFiles({
        ...makeRecord({ name: image.line, arch: image.arch, epoch: 1780000000 + index * 86400 }),
        recipe_name: image.recipe,
        recipe_digest: image.digest,
      }),
    );
  await commitAll(dev, files, 'Record the images\n\nbuilt from the first recipes\n');
  await git(dev, ['push', '-q', 'origin', 'main']);
}
