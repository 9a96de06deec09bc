import { cp, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImageRecord, renderRecord } from '../../tools/catalog/record-files.js';
import { runCommand } from '../../tools/lib/exec.js';
import { toolkitPath } from '../../tools/lib/paths.js';
import { makeRecord, testRecipe } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';

/**
 * A clone of the toolkit as a contributor has it: the package with its compiled CLI, the hooks
 * installed by husky (as `npm ci` does), and a recipe folder.
 */
let clone: TempRepo;
beforeAll(async () => {
  clone = await createRepo();
  for (const entry of ['package.json', 'bin', 'dist', '.husky', 'tools/schemas']) {
    await cp(toolkitPath(entry), join(clone.dir, entry), {
      recursive: true,
      filter: (source) => !source.includes(`${'.husky'}/_`),
    });
  }
  await symlink(toolkitPath('node_modules'), join(clone.dir, 'node_modules'));
  await clone.write({ 'recipes/debian-based/recipe.yaml': testRecipe, '.gitignore': 'node_modules\ndist\n' });
  const husky = await runCommand(process.execPath, [toolkitPath('node_modules', 'husky', 'bin.js')], {
    cwd: clone.dir,
  });
  expect(husky.stderr).toBe('');
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'toolkit and recipe\n\nthe starting point of the test clone']);
});
afterAll(async () => {
  await clone?.cleanup();
});

async function git(args: string[]) {
  return runCommand('git', args, { cwd: clone.dir, reject: false });
}

describe('git hooks', () => {
  it('npm run new-emi writes a record; a commit with a body is accepted', async () => {
    const made = await runCommand(
      'npm',
      ['run', '--silent', 'new-emi', '--', '--recipe', 'debian-based', '--arch', 'x86_64', '--yes'],
      {
        cwd: clone.dir,
        reject: false,
      },
    );
    expect(made.stderr).toMatch(
      /^wrote EMI-IDs\/euca-debian-emi\.x86_64\.yaml and image-ids\/euca-debian-emi\.x86_64/,
    );
    expect(made.exitCode).toBe(0);
    await git(['add', '-A']);
    const commit = await git([
      'commit',
      '-q',
      '-m',
      'euca-debian-emi x86_64: first release\n\nBuilt from debian-based.',
    ]);
    expect(commit.stderr).toBe('ok: 1 record, 1 recipe\n');
    expect(commit.exitCode).toBe(0);
  });

  it('refuses a commit that stages an invalid record', async () => {
    const bad: ImageRecord = { ...makeRecord({ epoch: 1764248400, arch: 'i386' }), image_stamp: 'zzzz-0000' };
    await clone.write({ 'EMI-IDs/euca-debian-emi.i386.yaml': renderRecord(bad) });
    await git(['add', 'EMI-IDs/euca-debian-emi.i386.yaml']);
    const commit = await git(['commit', '-q', '-m', 'broken record\n\nwith a body']);
    expect(commit.exitCode).not.toBe(0);
    expect(commit.stdout + commit.stderr).toMatch(
      /EMI-IDs\/euca-debian-emi\.i386\.yaml:5:14 {2}image_stamp {2}"zzzz-0000" has the wrong format/,
    );
    const head = await git(['log', '-1', '--format=%s']);
    expect(head.stdout.trim()).toBe('euca-debian-emi x86_64: first release');
    await git(['reset', '-q', 'EMI-IDs/euca-debian-emi.i386.yaml']);
    await rm(join(clone.dir, 'EMI-IDs/euca-debian-emi.i386.yaml'));
  });

  it('refuses a commit touching EMI-IDs/ with a subject but no body, and says why', async () => {
    const made = await runCommand(
      'npm',
      ['run', '--silent', 'new-emi', '--', '--recipe', 'debian-based', '--arch', 'i386', '--yes'],
      { cwd: clone.dir, reject: false },
    );
    expect(made.exitCode).toBe(0);
    await git(['add', '-A']);
    const subjectOnly = await git(['commit', '-q', '-m', 'euca-debian-emi i386']);
    expect(subjectOnly.exitCode).not.toBe(0);
    expect(subjectOnly.stderr).toMatch(
      /commit refused: this commit changes EMI-IDs\/euca-debian-emi\.i386\.yaml: add a message body/,
    );
    const trailerOnly = await git([
      'commit',
      '-q',
      '-m',
      'euca-debian-emi i386\n\nSigned-off-by: A <a@example.invalid>',
    ]);
    expect(trailerOnly.exitCode).not.toBe(0);
    const withBody = await git(['commit', '-q', '-m', 'euca-debian-emi i386\n\nFirst i386 release.']);
    expect(withBody.exitCode).toBe(0);
  });

  it('lets commits that do not touch EMI-IDs/ through with a subject only', async () => {
    await clone.write({ 'notes.md': 'notes\n' });
    await git(['add', 'notes.md']);
    const commit = await git(['commit', '-q', '-m', 'notes']);
    expect(commit.exitCode).toBe(0);
  });
});
