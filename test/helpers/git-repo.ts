/**
 * Temporary git repositories for tests (never this repository's own history): a fixed identity, no
 * signing, no hooks, no background gc, and commits with chosen dates.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand } from '../../tools/lib/exec.js';
import { addPaths, commitStaged, initRepository, setConfig } from '../../tools/lib/git.js';

export interface TempRepo {
  dir: string;
  write(files: Record<string, string>): Promise<void>;
  /** Writes the files, stages everything and commits; returns the commit hash. */
  commit(
    files: Record<string, string>,
    options?: { message?: string; date?: string; author?: { name: string; email: string } },
  ): Promise<string>;
  cleanup(): Promise<void>;
}

export const testIdentity = { name: 'Test Author', email: 'test@example.invalid' };

/** The environment every git call in a test gets: no user or system config leaks in. */
export function isolatedGitEnv(home: string): Record<string, string> {
  return {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig-none'),
    GIT_AUTHOR_NAME: testIdentity.name,
    GIT_AUTHOR_EMAIL: testIdentity.email,
    GIT_COMMITTER_NAME: testIdentity.name,
    GIT_COMMITTER_EMAIL: testIdentity.email,
  };
}

export async function createTempDir(prefix = 'emi-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function createRepo(files: Record<string, string> = {}): Promise<TempRepo> {
  const dir = await createTempDir('emi-repo-');
  await initRepository(dir);
  const settings: Record<string, string> = {
    'user.name': testIdentity.name,
    'user.email': testIdentity.email,
    'commit.gpgsign': 'false',
    'tag.gpgsign': 'false',
    'gc.auto': '0',
    'init.defaultBranch': 'main',
  };
  for (const [key, value] of Object.entries(settings)) await setConfig(dir, key, value);
  // simple-git refuses to set core.hooksPath (a guard against hostile arguments), so git sets it.
  await runCommand('git', ['config', 'core.hooksPath', '/dev/null'], { cwd: dir });
  const write = async (more: Record<string, string>) => {
    for (const [path, content] of Object.entries(more)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
  };
  await write(files);
  return {
    dir,
    write,
    async commit(more, options = {}) {
      await write(more);
      await addPaths(dir, ['.']);
      return commitStaged(dir, {
        message: options.message ?? 'test commit\n\nbody of the test commit\n',
        allowEmpty: true,
        noVerify: true,
        ...(options.author || options.date
          ? {
              author: {
                ...(options.author ?? testIdentity),
                ...(options.date ? { date: options.date } : {}),
              },
            }
          : {}),
        ...(options.date ? { committerDate: options.date } : {}),
      });
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
