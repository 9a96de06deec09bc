import { chmod, cp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../tools/lib/exec.js';
import { indexReader, worktreeReader } from '../../tools/lib/tree-reader.js';
import { loadRecipes } from '../../tools/recipes/load-recipes.js';
import { computeRecipeDigest, recipeDigest } from '../../tools/recipes/recipe-digest.js';
import { builderRecipeFiles } from '../helpers/build-fixtures.js';
import { repoForTest, tempDirForTest } from '../helpers/fixtures.js';
import type { TempRepo } from '../helpers/git-repo.js';

async function digestOf(root: string, reader = worktreeReader(root)): Promise<string> {
  const set = await loadRecipes(reader);
  const loaded = set.recipes.get('debian-based');
  if (!loaded) throw new Error(set.problems.map((problem) => problem.message).join('; '));
  return (await computeRecipeDigest(reader, loaded)).digest;
}

async function repoWith(files: Record<string, string> = builderRecipeFiles): Promise<TempRepo> {
  const repo = await repoForTest(files);
  await repo.commit({});
  return repo;
}

describe('recipeDigest', () => {
  const input = (path: string, content: string, executable = false) => ({
    path,
    kind: 'file' as const,
    executable,
    content: Buffer.from(content),
  });

  it('does not depend on the order of the inputs', () => {
    const a = input('recipes/r/recipe.yaml', 'x');
    const b = input('recipes/common/overlay/etc/a', 'y');
    expect(recipeDigest([a, b])).toBe(recipeDigest([b, a]));
    expect(recipeDigest([a, b])).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes with the content, the path, the executable bit and the kind', () => {
    const base = recipeDigest([input('recipes/r/recipe.yaml', 'x')]);
    expect(recipeDigest([input('recipes/r/recipe.yaml', 'x ')])).not.toBe(base);
    expect(recipeDigest([input('recipes/r/recipe.yml', 'x')])).not.toBe(base);
    expect(recipeDigest([input('recipes/r/recipe.yaml', 'x', true)])).not.toBe(base);
    expect(recipeDigest([{ ...input('recipes/r/recipe.yaml', 'x'), kind: 'symlink' }])).not.toBe(base);
  });
});

describe('computeRecipeDigest', () => {
  it('lists exactly the inputs: recipe.yaml, overlays, hooks and recipes/common', async () => {
    const repo = await repoWith({ ...builderRecipeFiles, 'recipes/debian-based/README.md': 'notes\n' });
    const set = await loadRecipes(worktreeReader(repo.dir));
    const loaded = set.recipes.get('debian-based');
    if (!loaded) throw new Error('recipe not loaded');
    const { inputs } = await computeRecipeDigest(worktreeReader(repo.dir), loaded);
    expect(inputs).toEqual([
      'recipes/common/overlay/etc/emi-agent.conf',
      'recipes/debian-based/hooks/tune.sh',
      'recipes/debian-based/overlay/etc/motd',
      'recipes/debian-based/recipe.yaml',
    ]);
  });

  it('is the same in another checkout of the same tree, and from the index', async () => {
    const repo = await repoWith();
    const clone = await tempDirForTest('emi-clone-');
    await runCommand('git', ['clone', '--quiet', repo.dir, clone]);
    const digest = await digestOf(repo.dir);
    expect(await digestOf(clone)).toBe(digest);
    expect(await digestOf(repo.dir, indexReader(repo.dir))).toBe(digest);
  });

  it('does not change when nothing that goes into the image did', async () => {
    const repo = await repoWith();
    const before = await digestOf(repo.dir);
    await repo.write({
      'recipes/debian-based/README.md': 'not an input\n',
      'recipes/other/notes.txt': 'another folder\n',
      'EMI-IDs/README.md': 'records are not inputs\n',
    });
    expect(await digestOf(repo.dir)).toBe(before);
  });

  it('changes when any input changes', async () => {
    const repo = await repoWith();
    const before = await digestOf(repo.dir);
    const changes: [string, () => Promise<void>][] = [
      [
        'recipe.yaml',
        () =>
          repo.write({
            'recipes/debian-based/recipe.yaml': `${builderRecipeFiles['recipes/debian-based/recipe.yaml']}# comment\n`,
          }),
      ],
      ['an overlay file', () => repo.write({ 'recipes/debian-based/overlay/etc/motd': 'hello\n' })],
      ['a new overlay file', () => repo.write({ 'recipes/debian-based/overlay/etc/issue': 'Debian\n' })],
      ['a hook', () => repo.write({ 'recipes/debian-based/hooks/tune.sh': '#!/bin/sh\nfalse\n' })],
      [
        'a common file',
        () => repo.write({ 'recipes/common/overlay/etc/emi-agent.conf': 'endpoint=http://10.0.0.1\n' }),
      ],
      ['a mode', () => chmod(join(repo.dir, 'recipes/common/overlay/etc/emi-agent.conf'), 0o755)],
      ['a symlink', () => symlink('motd', join(repo.dir, 'recipes/debian-based/overlay/etc/motd.link'))],
    ];
    for (const [what, change] of changes) {
      const snapshot = await tempDirForTest('emi-digest-');
      await cp(repo.dir, snapshot, { recursive: true, verbatimSymlinks: true });
      await change();
      expect(await digestOf(repo.dir), what).not.toBe(before);
      await rm(repo.dir, { recursive: true, force: true });
      await cp(snapshot, repo.dir, { recursive: true, verbatimSymlinks: true });
      expect(await digestOf(repo.dir), `${what} undone`).toBe(before);
    }
    await writeFile(join(repo.dir, 'recipes/debian-based/overlay/etc/motd'), 'welcome\n');
    expect(await digestOf(repo.dir)).toBe(before);
  });
});
