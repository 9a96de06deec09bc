import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builderRecipeFiles } from '../helpers/build-fixtures.js';
import { makeRecord, recordFiles } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});
const mirror = {
  EMI_MIRROR: 'http://127.0.0.1:9/debian',
  EMI_SECURITY_MIRROR: 'http://127.0.0.1:9/debian-security',
};

async function catalog(): Promise<TempRepo> {
  const repo = await createRepo();
  repos.push(repo);
  await repo.commit({ ...builderRecipeFiles, '.gitignore': '*.swp\n' }, { message: 'recipes\n\nfirst\n' });
  return repo;
}

async function planDigest(repo: TempRepo): Promise<string> {
  const result = await runEmi(['build', 'debian-based', '--plan', '--json', '--arch', 'x86_64', '--force'], {
    cwd: repo.dir,
    env: mirror,
  });
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { digest: string }).digest;
}

describe('emi build decides as emi plan does', () => {
  it('builds nothing for an up-to-date line, says so and exits 0; --force plans it', async () => {
    const repo = await catalog();
    const digest = await planDigest(repo);
    const record = makeRecord({ epoch: 1785000000 });
    await repo.commit(recordFiles({ ...record, recipe_digest: digest }), { message: 'Record\n\nbuilt\n' });
    const result = await runEmi(['build', 'debian-based', '--arch', 'x86_64', '--no-verify', '--no-record'], {
      cwd: repo.dir,
      env: mirror,
    });
    expect(result.stderr).toContain('up to date: EMI-IDs/euca-debian-emi.x86_64.yaml has');
    expect(result.stdout).toBe(
      `euca-debian-emi.x86_64 is up to date (${digest}): nothing to build; --force builds it anyway\n`,
    );
    expect(result.exitCode).toBe(0);
    const plan = await runEmi(['build', 'debian-based', '--plan', '--arch', 'x86_64'], {
      cwd: repo.dir,
      env: mirror,
    });
    expect(plan.stdout).toContain(
      'euca-debian-emi.x86_64: up to date, nothing to build (--force builds it anyway)\n',
    );
    const forced = await runEmi(['build', 'debian-based', '--plan', '--json', '--arch', 'x86_64'], {
      cwd: repo.dir,
      env: { ...mirror, EMI_FORCE: 'true' },
    });
    expect((JSON.parse(forced.stdout) as { images: unknown[] }).images).toHaveLength(1);
  });

  it('digests only tracked files, and refuses to build with uncommitted recipe files, naming them', async () => {
    const repo = await catalog();
    const before = await planDigest(repo);
    await writeFile(join(repo.dir, 'recipes/debian-based/overlay/etc/.motd.swp'), 'editor state');
    await writeFile(join(repo.dir, 'recipes/debian-based/overlay/etc/extra'), 'not added');
    await writeFile(join(repo.dir, 'recipes/common/overlay/etc/emi-agent.conf'), 'edited\n');
    expect(await planDigest(repo)).not.toBe(before);
    await writeFile(
      join(repo.dir, 'recipes/common/overlay/etc/emi-agent.conf'),
      builderRecipeFiles['recipes/common/overlay/etc/emi-agent.conf'] as string,
    );
    expect(await planDigest(repo)).toBe(before);
    const result = await runEmi(['build', 'debian-based', '--arch', 'x86_64', '--no-verify', '--no-record'], {
      cwd: repo.dir,
      env: mirror,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'the recipe has changes git has not committed; emi build uses only committed recipe files, so commit, remove or move them:\n  recipes/debian-based/overlay/etc/extra (untracked)\n  recipes/debian-based/overlay/etc/.motd.swp (ignored)',
    );
  });
});
