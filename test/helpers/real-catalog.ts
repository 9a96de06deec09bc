/**
 * The project's own catalog (EMI-IDs/, image-ids/, recipes/, data/) as a repository a test may
 * render and change: a clone of this repository's history when the checkout has one, otherwise one
 * commit of the catalog's files as they are in the checkout (the history is then one import).
 */
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCommand } from '../../tools/lib/exec.js';
import { getRepositoryState } from '../../tools/lib/git.js';
import { packageRoot } from '../../tools/lib/paths.js';
import { createTempDir, isolatedGitEnv } from './git-repo.js';

export interface RealCatalog {
  dir: string;
  /** Whether dir holds the project's history (a clone) or one commit of its files. */
  cloned: boolean;
}

export async function copyRealCatalog(): Promise<RealCatalog> {
  const dir = await createTempDir('emi-real-catalog-');
  const state = await getRepositoryState(packageRoot);
  const env = isolatedGitEnv(dir);
  if (state && !state.shallow) {
    await runCommand('git', ['clone', '--quiet', '--no-local', '--no-hardlinks', state.root, dir], { env });
    await runCommand('git', ['remote', 'remove', 'origin'], { cwd: dir, env });
    return { dir, cloned: true };
  }
  for (const folder of ['EMI-IDs', 'image-ids', 'recipes', 'data'])
    await cp(join(packageRoot, folder), join(dir, folder), { recursive: true }).catch((error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  await runCommand('git', ['init', '--quiet', '-b', 'main'], { cwd: dir, env });
  await runCommand('git', ['add', '-A'], { cwd: dir, env });
  await runCommand(
    'git',
    [
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      'Catalog\n\nThe catalog as checked out.',
    ],
    {
      cwd: dir,
      env,
    },
  );
  return { dir, cloned: false };
}

export interface RealRecord {
  file: string;
  image_name: string;
  image_arch: string;
  image_version: string;
  image_date: string;
  status?: string;
  legacy_source?: string;
  artifacts?: { name: string; sha256: string; size: number }[];
}

/** The records of EMI-IDs/ in a folder, by line id. */
export async function readRecords(dir: string): Promise<Map<string, RealRecord>> {
  const records = new Map<string, RealRecord>();
  for (const name of (await readdir(join(dir, 'EMI-IDs'))).filter((file) => file.endsWith('.yaml')).sort()) {
    const record = parseYaml(await readFile(join(dir, 'EMI-IDs', name), 'utf8')) as RealRecord;
    records.set(name.replace(/\.yaml$/, ''), { ...record, file: `EMI-IDs/${name}` });
  }
  return records;
}
