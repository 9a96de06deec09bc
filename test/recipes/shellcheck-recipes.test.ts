import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../tools/catalog/validate-catalog.js';
import { addPaths } from '../../tools/lib/git.js';
import { worktreeReader } from '../../tools/lib/tree-reader.js';
import { loadRecipes } from '../../tools/recipes/load-recipes.js';
import { findingsToProblems, shellcheckRecipes, shellOf } from '../../tools/recipes/shellcheck-recipes.js';
import { testRecipe } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const recipe = `${testRecipe}overlays: [overlay]\nhooks: [hooks/setup.sh]\n`;
const cleanHook = '#!/bin/sh\nset -eu\nrm -rf -- "/usr/share/doc/$1"\n';
// SC2086 (unquoted $1) on line 3, column 8; SC3014 (== is not POSIX sh) on line 4.
const badHook = '#!/bin/sh\nset -eu\nrm -rf $1\nif [ "$1" == x ]; then :; fi\n';

async function catalogWith(files: Record<string, string>): Promise<TempRepo> {
  const created = await createRepo();
  await created.commit({
    'recipes/debian-based/recipe.yaml': recipe,
    'recipes/debian-based/overlay/etc/motd': 'Welcome\n',
    ...files,
  });
  return created;
}

describe('shellcheck over recipe scripts', () => {
  it('reads the dialect from the #! line', () => {
    expect(shellOf(Buffer.from('#!/bin/sh\n'))).toBe('sh');
    expect(shellOf(Buffer.from('#! /usr/bin/env bash\n'))).toBe('bash');
    expect(shellOf(Buffer.from('#!/usr/bin/python3\n'))).toBeUndefined();
    expect(shellOf(Buffer.from('echo no shebang\n'))).toBeUndefined();
  });

  it('turns shellcheck json1 into located problems', () => {
    const json = JSON.stringify({
      comments: [
        { line: 3, column: 8, level: 'info', code: 2086, message: 'Double quote to prevent globbing' },
      ],
    });
    expect(findingsToProblems('recipes/x/hooks/a.sh', json)).toEqual([
      {
        file: 'recipes/x/hooks/a.sh',
        line: 3,
        column: 8,
        path: 'SC2086',
        message: 'shellcheck info: Double quote to prevent globbing (https://www.shellcheck.net/wiki/SC2086)',
      },
    ]);
  });

  it('finds nothing in a clean hook and clean overlay scripts', async () => {
    repo = await catalogWith({
      'recipes/debian-based/hooks/setup.sh': cleanHook,
      'recipes/debian-based/overlay/usr/local/bin/hello': '#!/bin/bash\necho "hello $USER"\n',
      'recipes/debian-based/overlay/etc/motd': 'Welcome $USER\n',
    });
    const reader = worktreeReader(repo.dir);
    const result = await shellcheckRecipes(reader, await loadRecipes(reader));
    expect(result.problems).toEqual([]);
    // motd has no #! line: it is not a script.
    expect(result.checked).toEqual([
      'recipes/debian-based/hooks/setup.sh',
      'recipes/debian-based/overlay/usr/local/bin/hello',
    ]);
  });

  it('reports findings in a hook and in an overlay script as file:line:column problems, exit 1', async () => {
    repo = await catalogWith({
      'recipes/debian-based/hooks/setup.sh': badHook,
      'recipes/debian-based/overlay/usr/local/bin/hello': '#!/usr/bin/env bash\necho $HOME\n',
    });
    const result = await runEmi(['validate', 'recipes/'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('recipes/debian-based/hooks/setup.sh:3:8  SC2086  shellcheck info');
    expect(result.stdout).toContain('recipes/debian-based/hooks/setup.sh:4:11  SC3014  shellcheck warning');
    expect(result.stdout).toContain('recipes/debian-based/overlay/usr/local/bin/hello:2:6  SC2086');
    const json = JSON.parse((await runEmi(['validate', '--json'], { cwd: repo.dir })).stdout) as {
      ok: boolean;
      problems: { file: string; line: number; path: string }[];
    };
    expect(json.ok).toBe(false);
    expect(json.problems.map((problem) => `${problem.file}:${problem.line}:${problem.path}`)).toEqual([
      'recipes/debian-based/hooks/setup.sh:3:SC2086',
      'recipes/debian-based/hooks/setup.sh:4:SC3014',
      'recipes/debian-based/overlay/usr/local/bin/hello:2:SC2086',
    ]);
  });

  it('keeps findings by content, so a second run reads the cache and finds the same', async () => {
    repo = await catalogWith({ 'recipes/debian-based/hooks/setup.sh': badHook });
    const first = await validateCatalog({ root: repo.dir });
    const cacheFile = join(repo.dir, '.git', 'emi-shellcheck-cache.json');
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, unknown[]>;
    expect(Object.values(cached)).toEqual([[expect.objectContaining({ path: 'SC2086' }), expect.anything()]]);
    const second = await validateCatalog({ root: repo.dir });
    expect(second.problems).toEqual(first.problems);
  });

  it('checks what is staged with --staged', async () => {
    repo = await catalogWith({ 'recipes/debian-based/hooks/setup.sh': cleanHook });
    await repo.write({ 'recipes/debian-based/hooks/setup.sh': badHook });
    await addPaths(repo.dir, ['recipes/debian-based/hooks/setup.sh']);
    await repo.write({ 'recipes/debian-based/hooks/setup.sh': cleanHook });
    // The index holds the bad hook, the working tree the clean one.
    const staged = await runEmi(['validate', '--staged'], { cwd: repo.dir });
    expect(staged.exitCode).toBe(1);
    expect(staged.stdout).toContain('recipes/debian-based/hooks/setup.sh:3:8  SC2086');
    const worktree = await runEmi(['validate'], { cwd: repo.dir });
    expect(worktree.stdout).toBe('ok: 0 records, 1 recipe\n');
    expect(worktree.exitCode).toBe(0);
  });
});
