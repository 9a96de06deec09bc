import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testRecipe } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('emi recipe new', () => {
  it('writes a recipe that validates, and prints the next steps', async () => {
    repo = await createRepo();
    await repo.commit({ 'recipes/debian-based/recipe.yaml': testRecipe });
    const made = await runEmi(['recipe', 'new', 'web', '--arch', 'x86_64'], { cwd: repo.dir });
    expect(made.exitCode).toBe(0);
    expect(made.stdout.split('\n').filter(Boolean)).toEqual([
      'recipes/web/recipe.yaml',
      'recipes/web/overlay/etc/motd',
      'recipes/web/overlay/etc/ssh/sshd_config.d/50-emi.conf',
      'recipes/web/hooks/customise.sh',
    ]);
    expect(made.stderr).toContain('npx emi plan --recipe web');
    expect(made.stderr).toContain('--no-record');
    const validate = await runEmi(['validate'], { cwd: repo.dir });
    expect(validate.stdout).toBe('ok: 0 records, 2 recipes\n');
    expect(validate.exitCode).toBe(0);
  });

  it('shows what it would write with --dry-run --json and writes nothing', async () => {
    repo = await createRepo();
    await repo.commit({ 'recipes/debian-based/recipe.yaml': testRecipe });
    const dry = await runEmi(['recipe', 'new', 'web', '--dry-run', '--json'], { cwd: repo.dir });
    expect(dry.exitCode).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ written: false, recipe: 'web', line: 'euca-web-emi' });
    expect(await readdir(join(repo.dir, 'recipes'))).toEqual(['debian-based']);
  });

  it('exits 1 for a taken or hostile name and 2 for a wrong command line', async () => {
    repo = await createRepo();
    await repo.commit({ 'recipes/debian-based/recipe.yaml': testRecipe });
    const taken = await runEmi(['recipe', 'new', 'debian-based'], { cwd: repo.dir });
    expect(taken).toMatchObject({ exitCode: 1 });
    expect(taken.stderr).toContain('recipes/debian-based/ already exists');
    const hostile = await runEmi(['recipe', 'new', '$(reboot)'], { cwd: repo.dir });
    expect(hostile.exitCode).toBe(1);
    expect(hostile.stderr).toContain('is not a recipe name');
    expect((await runEmi(['recipe', 'delete', 'x'], { cwd: repo.dir })).exitCode).toBe(2);
    expect((await runEmi(['recipe', 'new'], { cwd: repo.dir })).exitCode).toBe(2);
    expect(await readdir(join(repo.dir, 'recipes'))).toEqual(['debian-based']);
  });
});
