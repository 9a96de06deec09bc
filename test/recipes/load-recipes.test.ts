import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { addPaths } from '../../tools/lib/git.js';
import { indexReader, worktreeReader } from '../../tools/lib/tree-reader.js';
import { loadRecipes } from '../../tools/recipes/load-recipes.js';
import { testRecipe } from '../helpers/catalog-fixtures.js';
import { it } from '../helpers/fixtures.js';

const withPaths = `${testRecipe}overlays: [overlay]\nhooks: [hooks/10-trim.sh]\npackages:\n  add: [less, ca-certificates]\n  remove: [nano]\n`;

describe('recipes', () => {
  it('loads a valid recipe with its overlay and hook, from the worktree and from the index', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo({
      'recipes/debian-based/recipe.yaml': withPaths,
      'recipes/debian-based/overlay/etc/motd': 'hello\n',
      'recipes/debian-based/hooks/10-trim.sh': '#!/bin/sh\n',
      'recipes/common/overlay/etc/issue': 'common\n',
    });
    const worktree = await loadRecipes(worktreeReader(repo.dir));
    expect(worktree.problems).toEqual([]);
    expect([...worktree.recipes.keys()]).toEqual(['debian-based']);
    expect(worktree.recipes.get('debian-based')?.recipe.packages).toEqual({
      add: ['less', 'ca-certificates'],
      remove: ['nano'],
    });
    await addPaths(repo.dir, ['.']);
    const index = await loadRecipes(indexReader(repo.dir));
    expect(index.problems).toEqual([]);
    expect(index.recipes.get('debian-based')?.entries.map((entry) => entry.path)).toEqual(
      worktree.recipes.get('debian-based')?.entries.map((entry) => entry.path),
    );
  });

  it('refuses overlays and hooks that leave the recipe through a symlink, or do not exist', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo({
      'recipes/debian-based/recipe.yaml': `${testRecipe}overlays: [overlay, missing]\nhooks: [hooks/10-trim.sh, link/x.sh]\n`,
      'recipes/debian-based/hooks/.keep': '',
    });
    await symlink('/etc', join(repo.dir, 'recipes/debian-based/overlay'));
    await symlink('/usr/bin', join(repo.dir, 'recipes/debian-based/link'));
    const { problems } = await loadRecipes(worktreeReader(repo.dir));
    expect(problems.map((problem) => `${problem.line} ${problem.path} ${problem.message}`)).toEqual([
      '14 overlays[0] "overlay" goes through the symlink recipes/debian-based/overlay: overlays must stay inside the recipe',
      '14 overlays[1] overlay folder recipes/debian-based/missing/ is missing or empty',
      '15 hooks[0] hook recipes/debian-based/hooks/10-trim.sh does not exist',
      '15 hooks[1] "link/x.sh" goes through the symlink recipes/debian-based/link: hooks must stay inside the recipe',
    ]);
  });

  it('refuses "..", absolute paths, bad package names, unknown keys and arches without a kernel', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo({
      'recipes/debian-based/recipe.yaml': [
        'description: x',
        'distribution: debian',
        'release: bookworm',
        'lines:',
        '  - image_name: euca-debian-emi',
        '    arches: [x86_64, i386]',
        '    rootfs_size: 1300M',
        'kernel:',
        '  x86_64: linux-image-amd64',
        'packages:',
        '  add: ["Less", "x;rm -rf /"]',
        'overlays: ["../../etc", "/etc"]',
        'colour: blue',
        '',
      ].join('\n'),
    });
    const { problems } = await loadRecipes(worktreeReader(repo.dir));
    expect(problems.map((problem) => `${problem.line}:${problem.column} ${problem.path}`).sort()).toEqual([
      '11:17 packages.add[1]',
      '11:9 packages.add[0]',
      '12:12 overlays[0]',
      '12:25 overlays[1]',
      '13:1 colour',
    ]);
    const fixed = await makeRepo({
      'recipes/debian-based/recipe.yaml': testRecipe.replace('  i386: linux-image-686\n', ''),
    });
    const kernel = await loadRecipes(worktreeReader(fixed.dir));
    expect(kernel.problems.map((problem) => `${problem.line} ${problem.path} ${problem.message}`)).toEqual([
      '6 lines[0].arches[1] no kernel package for i386: add kernel.i386',
    ]);
  });

  it('refuses the same image line in two recipes and a folder without recipe.yaml', async ({ makeRepo }) => {
    const repo = await makeRepo({
      'recipes/debian-based/recipe.yaml': testRecipe,
      'recipes/debian-copy/recipe.yaml': testRecipe,
    });
    await mkdir(join(repo.dir, 'recipes/stray/files'), { recursive: true });
    await repo.write({ 'recipes/stray/files/x': 'x' });
    const { problems } = await loadRecipes(worktreeReader(repo.dir));
    expect(problems.map((problem) => `${problem.file} ${problem.path} ${problem.message}`)).toEqual([
      'recipes/stray/  recipe folder has no recipe.yaml',
      'recipes/debian-copy/recipe.yaml lines[0].image_name image line "euca-debian-emi" already belongs to recipe debian-based',
      'recipes/debian-copy/recipe.yaml lines[1].image_name image line "euca-large-debian-emi" already belongs to recipe debian-based',
    ]);
  });
});
