import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { worktreeReader } from '../../tools/lib/tree-reader.js';
import { loadRecipes } from '../../tools/recipes/load-recipes.js';
import {
  applyRecipe,
  checkPlannedRecipe,
  defaultLineName,
  planRecipe,
} from '../../tools/recipes/scaffold-recipe.js';
import { shellcheckRecipes } from '../../tools/recipes/shellcheck-recipes.js';
import { testRecipe } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function catalog(): Promise<TempRepo> {
  const created = await createRepo();
  await created.commit({
    'recipes/debian-based/recipe.yaml': `${testRecipe}overlays: [overlay]\nhooks: [hooks/trim.sh]\n`,
    'recipes/debian-based/overlay/etc/issue': 'Debian\n',
    'recipes/debian-based/hooks/trim.sh': '#!/bin/sh\nset -eu\nrm -rf /usr/share/doc\n',
  });
  return created;
}

describe('emi recipe new: the plan', () => {
  it('names the first line after the recipe', () => {
    expect(defaultLineName('web')).toBe('euca-web-emi');
    expect(defaultLineName('alpine-based')).toBe('euca-alpine-emi');
  });

  it('plans a template recipe that validates, shellcheck included', async () => {
    repo = await catalog();
    const reader = worktreeReader(repo.dir);
    const plan = await planRecipe(reader, { name: 'web', arches: ['x86_64', 'i386'] });
    expect(plan.files.map((file) => file.path)).toEqual([
      'recipes/web/recipe.yaml',
      'recipes/web/overlay/etc/motd',
      'recipes/web/overlay/etc/ssh/sshd_config.d/50-emi.conf',
      'recipes/web/hooks/customise.sh',
    ]);
    expect(await checkPlannedRecipe(reader, plan)).toEqual([]);
    const recipe = parse(plan.files[0]?.content.toString() ?? '') as {
      lines: unknown[];
      kernel: Record<string, string>;
    };
    expect(recipe.lines).toEqual([
      { image_name: 'euca-web-emi', arches: ['x86_64', 'i386'], rootfs_size: '1300M' },
    ]);
    expect(Object.keys(recipe.kernel)).toEqual(['x86_64', 'i386']);
    await applyRecipe(repo.dir, plan);
    const loaded = await loadRecipes(worktreeReader(repo.dir));
    expect(loaded.problems).toEqual([]);
    expect([...loaded.recipes.keys()]).toEqual(['debian-based', 'web']);
    expect((await stat(join(repo.dir, 'recipes/web/hooks/customise.sh'))).mode & 0o777).toBe(0o755);
    const scripts = await shellcheckRecipes(worktreeReader(repo.dir), loaded);
    expect(scripts.checked).toContain('recipes/web/hooks/customise.sh');
    expect(scripts.problems).toEqual([]);
  });

  it('copies a recipe with --from: its overlay and hooks, modes kept, comments kept, one new line', async () => {
    repo = await catalog();
    const reader = worktreeReader(repo.dir);
    const plan = await planRecipe(reader, { name: 'small', from: 'debian-based', line: 'euca-small-emi' });
    expect(plan.files.map((file) => [file.path, file.executable])).toEqual([
      ['recipes/small/hooks/trim.sh', false],
      ['recipes/small/overlay/etc/issue', false],
      ['recipes/small/recipe.yaml', false],
    ]);
    const text = plan.files[2]?.content.toString() ?? '';
    expect(text).toContain('description: Test recipe');
    expect(parse(text).lines).toEqual([
      { image_name: 'euca-small-emi', arches: ['x86_64'], rootfs_size: '1300M' },
    ]);
    expect(await checkPlannedRecipe(reader, plan)).toEqual([]);
  });

  it('refuses a taken name, an invalid name, an unknown source, a taken line and an unknown arch', async () => {
    repo = await catalog();
    const reader = worktreeReader(repo.dir);
    await expect(planRecipe(reader, { name: 'debian-based' })).rejects.toThrow(
      'recipes/debian-based/ already exists',
    );
    for (const name of ['x$(id)', 'a b', '-rf', '..', 'common', 'A', 'x'.repeat(65), 'a\nb'])
      await expect(planRecipe(reader, { name }), name).rejects.toThrow('is not a recipe name');
    await expect(planRecipe(reader, { name: 'new', from: 'nope' })).rejects.toThrow(
      'recipe "nope" not found',
    );
    await expect(planRecipe(reader, { name: 'new', line: 'web' })).rejects.toThrow(
      'is not an image line name',
    );
    await expect(planRecipe(reader, { name: 'new', arches: ['sparc'] })).rejects.toThrow(
      'unknown arch "sparc"',
    );
    const clash = await planRecipe(reader, { name: 'new', line: 'euca-debian-emi' });
    expect((await checkPlannedRecipe(reader, clash)).map((problem) => problem.message)).toEqual([
      'image line "euca-debian-emi" already belongs to recipe debian-based',
    ]);
  });

  it('leaves nothing behind when the folder appears meanwhile', async () => {
    repo = await catalog();
    const plan = await planRecipe(worktreeReader(repo.dir), { name: 'web' });
    await repo.write({ 'recipes/web/recipe.yaml': 'description: someone else\n' });
    await expect(applyRecipe(repo.dir, plan)).rejects.toThrow('appeared while it was being made');
    expect(await readFile(join(repo.dir, 'recipes/web/recipe.yaml'), 'utf8')).toBe(
      'description: someone else\n',
    );
    const names = (await worktreeReader(repo.dir).list('recipes')).map((entry) => entry.path.split('/')[1]);
    expect(new Set(names)).toEqual(new Set(['debian-based', 'web']));
  });
});
