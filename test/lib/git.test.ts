/**
 * The git adapter against real repositories in temp folders: one without commits, a shallow clone
 * (cloned with --depth 1 over file://), and one whose index.lock is held by another process.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, isUserError } from '../../tools/lib/errors.js';
import { runCommand } from '../../tools/lib/exec.js';
import {
  addPaths,
  assertFullHistory,
  commitStaged,
  GitCommandError,
  getCommitterIdent,
  getGitDir,
  getRepositoryState,
  hasCommits,
  isAncestor,
  isShallowRepository,
  isWorkingTreeClean,
  listCommitParents,
  listPathChanges,
  listStagedChanges,
  readHeadCommit,
  readManifestPatchLog,
  readObjects,
  readRecordHistoryLog,
  readRecordLog,
  ShallowCloneError,
} from '../../tools/lib/git.js';
import { makeRecord, recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { createRepo, createTempDir, type TempRepo } from '../helpers/git-repo.js';
import { legacyDataDir } from '../helpers/legacy-data.js';
import { runEmi } from '../helpers/run-emi.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function repository(): Promise<TempRepo> {
  const repo = await createRepo();
  cleanups.push(() => repo.cleanup());
  return repo;
}

async function porcelain(dir: string): Promise<string> {
  return (await runCommand('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir })).stdout;
}

const epoch = 1764248400; // 2025-11-27 13:00:00 UTC

describe('a repository with no commits', () => {
  it('answers every read with "nothing yet" instead of an error', async () => {
    const repo = await repository();
    expect(await hasCommits(repo.dir)).toBe(false);
    expect(await readHeadCommit(repo.dir)).toBeUndefined();
    expect(await isShallowRepository(repo.dir)).toBe(false);
    expect(await getRepositoryState(repo.dir)).toEqual({ root: repo.dir, shallow: false });
    expect(await readRecordHistoryLog(repo.dir)).toBe('');
    expect(await readRecordLog(repo.dir)).toBe('');
    expect(await readManifestPatchLog(repo.dir)).toBe('');
    expect(await listPathChanges(repo.dir, { pathspecs: ['EMI-IDs/'], findRenames: true })).toEqual([]);
    expect(await listCommitParents(repo.dir)).toEqual(new Map());
    expect(await isWorkingTreeClean(repo.dir)).toBe(true);
    expect(await getCommitterIdent(repo.dir)).toMatch(/^Test Author <test@example\.invalid> \d+ [+-]\d{4}$/);
  });

  it('stages and makes the first commit, with the message and dates given', async () => {
    const repo = await repository();
    await repo.write({ 'EMI-IDs/README.md': 'records\n' });
    await addPaths(repo.dir, ['EMI-IDs']);
    expect(await listStagedChanges(repo.dir)).toEqual([{ status: 'A', path: 'EMI-IDs/README.md' }]);
    const message = 'First\n\n  an indented body line, kept verbatim\n# not a comment here\n';
    const commit = await commitStaged(repo.dir, {
      message,
      author: { name: 'Old Author', email: 'old@example.invalid', date: '2011-09-25T16:48:13-07:00' },
      committerDate: '2011-09-25T16:48:13-07:00',
      noVerify: true,
    });
    expect(await readHeadCommit(repo.dir)).toBe(commit);
    const shown = await runCommand('git', ['log', '-1', '--format=%an|%aI|%cI|%B'], { cwd: repo.dir });
    expect(shown.stdout).toBe(`Old Author|2011-09-25T16:48:13-07:00|2011-09-25T16:48:13-07:00|${message}\n`);
    expect(
      (await readObjects(repo.dir, [`${commit}:EMI-IDs/README.md`])).get(`${commit}:EMI-IDs/README.md`),
    ).toMatchObject({ type: 'blob', content: Buffer.from('records\n') });
  });
});

describe('a failed git run', () => {
  it("is a user error naming the command, the repository and git's message", async () => {
    const repo = await repository();
    await repo.commit({ 'a.txt': 'a\n' });
    const failed = await isAncestor(repo.dir, 'HEAD', 'no-such-branch').catch((error: unknown) => error);
    // 128 (a name that is not a commit) is an answer for isAncestor: not an ancestor.
    expect(failed).toBe(false);
    const error = await listCommitParents(repo.dir, 'no-such-branch').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitCommandError);
    expect(isUserError(error)).toBe(true);
    const gitError = error as GitCommandError;
    expect(gitError.exitCode).toBe(ExitCode.problems);
    expect(gitError.gitExitCode).toBe(128);
    expect(gitError.repository).toBe(repo.dir);
    expect(gitError.message).toMatch(/^git rev-list --parents no-such-branch -- exited with code 128 in /);
    expect(gitError.message).toMatch(/bad revision 'no-such-branch'|unknown revision/);
  });

  it('in a folder that does not exist is a user error too, not a crash', async () => {
    const dir = await createTempDir('emi-gone-');
    await rm(dir, { recursive: true });
    const error = await readRecordLog(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).message).toContain(dir);
  });
});

describe('a held index.lock', () => {
  it('is a user error that says which file to remove if no git is running', async () => {
    const repo = await repository();
    await repo.commit({ 'a.txt': 'a\n' });
    const lock = join(await getGitDir(repo.dir), 'index.lock');
    await writeFile(lock, '');
    await repo.write({ 'b.txt': 'b\n' });
    const error = await addPaths(repo.dir, ['b.txt']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).message).toBe(
      `git add --all -- b.txt failed in ${repo.dir}: ${lock} exists, so another git process is running there or one was killed: wait for it, or if no git runs, remove ${lock} and try again`,
    );
  });

  it('stops emi import-legacy --history with exit 1 and a message naming the lock, leaving the tree clean', async () => {
    const repo = await repository();
    await repo.commit({ 'README.md': 'A new catalog\n' });
    const lock = join(await getGitDir(repo.dir), 'index.lock');
    await writeFile(lock, '');
    const result = await runEmi(
      ['import-legacy', '--history', join(legacyDataDir(), 'history'), '--into', repo.dir],
      { cwd: repo.dir },
    );
    expect(result.exitCode, result.stderr).toBe(ExitCode.problems);
    expect(result.stderr).not.toMatch(/internal error| {4}at /);
    expect(result.stderr).toContain(`remove ${lock} and try again`);
    // The first version's files were written, then put back when git could not stage them.
    expect(await porcelain(repo.dir)).toBe('');
    await rm(lock);
    const again = await runEmi(
      ['import-legacy', '--history', join(legacyDataDir(), 'history'), '--into', repo.dir],
      { cwd: repo.dir },
    );
    expect(again.exitCode, again.stderr).toBe(0);
  });
});

describe('a shallow clone', () => {
  async function shallowCatalog(): Promise<{ origin: TempRepo; clone: string }> {
    const origin = await repository();
    await origin.commit({ ...recipeFiles, ...recordFiles(makeRecord({ epoch })) });
    await origin.commit(recordFiles(makeRecord({ epoch: epoch + 86400 })));
    const parent = await createTempDir('emi-shallow-');
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const clone = join(parent, 'clone');
    await runCommand('git', ['clone', '--quiet', '--depth', '1', `file://${origin.dir}`, clone]);
    return { origin, clone };
  }

  it('is detected, and refused where the whole history is needed, saying how to unshallow', async () => {
    const { clone } = await shallowCatalog();
    expect(await isShallowRepository(clone)).toBe(true);
    expect(await getRepositoryState(clone)).toEqual({ root: clone, shallow: true });
    const refused = assertFullHistory(clone, 'the rules cannot be checked', 'do without them');
    await expect(refused).rejects.toThrow(ShallowCloneError);
    await expect(refused).rejects.toThrow(
      `${clone} is a shallow clone, so its history is cut short and the rules cannot be checked: fetch the whole history first (git fetch --unshallow, or fetch-depth: 0 for actions/checkout), or do without them`,
    );
  });

  it('fails emi validate unless --no-history is given, and emi new-emi, until it is unshallowed', async () => {
    const { clone } = await shallowCatalog();
    const validate = await runEmi(['validate'], { cwd: clone });
    expect(validate.exitCode).toBe(ExitCode.problems);
    expect(validate.stderr).toMatch(
      /^emi: .* is a shallow clone, .*git fetch --unshallow.*, or check without them: emi validate --no-history\n$/,
    );
    const staged = await runEmi(['validate', '--staged'], { cwd: clone });
    expect(staged.exitCode).toBe(ExitCode.problems);
    expect(staged.stderr).toMatch(/git fetch --unshallow.*emi validate --staged --no-history/);
    const withoutHistory = await runEmi(['validate', '--no-history'], { cwd: clone });
    expect(withoutHistory.stderr).toBe('');
    expect(withoutHistory.exitCode).toBe(0);

    const newEmi = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'i386', '--yes'], {
      cwd: clone,
    });
    expect(newEmi.exitCode).toBe(ExitCode.problems);
    expect(newEmi.stderr).toMatch(
      /^emi: .* is a shallow clone, so its history is cut short and new-emi cannot check that the new stamp was not used before: fetch the whole history first \(git fetch --unshallow/,
    );
    expect(await porcelain(clone)).toBe('');

    await runCommand('git', ['fetch', '--quiet', '--unshallow'], { cwd: clone });
    expect(await isShallowRepository(clone)).toBe(false);
    expect((await runEmi(['validate'], { cwd: clone })).exitCode).toBe(0);
  });
});
