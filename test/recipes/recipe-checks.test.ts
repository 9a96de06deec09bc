import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { toolkitPath } from '../../tools/lib/paths.js';
import { worktreeReader } from '../../tools/lib/tree-reader.js';
import { loadRecipes } from '../../tools/recipes/load-recipes.js';
import { builderRecipe, builderRecipeFiles, loadFixture } from '../helpers/build-fixtures.js';

async function problemsOf(recipe: string, extra: Record<string, string> = {}): Promise<string[]> {
  const fixture = await loadFixture({
    ...builderRecipeFiles,
    'recipes/debian-based/recipe.yaml': recipe,
    ...extra,
  });
  onTestFinished(() => fixture.repo.cleanup());
  return fixture.problems;
}

describe('recipe checks', () => {
  it('accepts the builder fixture', async () => {
    expect(await problemsOf(builderRecipe)).toEqual([]);
  });

  it("accepts this repository's recipes, debian-based with two lines on two arches", async () => {
    const set = await loadRecipes(worktreeReader(toolkitPath()));
    expect(set.problems.filter((problem) => problem.file.startsWith('recipes/'))).toEqual([]);
    const recipe = set.recipes.get('debian-based')?.recipe;
    expect(recipe?.release).toBe('bookworm');
    expect(recipe?.lines.map((line) => [line.image_name, line.arches, line.rootfs_size])).toEqual([
      ['euca-debian-emi', ['x86_64', 'i386'], '1300M'],
      ['euca-large-debian-emi', ['x86_64', 'i386'], '4500M'],
    ]);
  });

  it('names file, line and field for each problem', async () => {
    const cases: [string, string][] = [
      [
        builderRecipe.replace('rootfs_size: 1300M', 'rootfs_size: 32M'),
        'recipes/debian-based/recipe.yaml:8 lines[0].rootfs_size 32M is outside 64.0 MiB to 2048 GiB',
      ],
      [
        builderRecipe.replace('rootfs_size: 1300M', 'rootfs_size: "1300"'),
        'recipes/debian-based/recipe.yaml:8 lines[0].rootfs_size "1300" has the wrong format: A size in mebibytes or gibibytes, e.g. 1300M or 4G.',
      ],
      [
        builderRecipe.replace('enable: [ssh.service]', 'enable: [ssh.service]\n  disable: [ssh.service]'),
        'recipes/debian-based/recipe.yaml:21 services.enable[0] "ssh.service" is both enabled and disabled',
      ],
      [
        builderRecipe.replace('enable: [ssh.service]', 'enable: [ssh]'),
        'recipes/debian-based/recipe.yaml:21 services.enable[0] "ssh" has the wrong format: A systemd unit name such as ssh.service or systemd-networkd.service.',
      ],
      [
        builderRecipe.replace('remove: [tzdata]', 'remove: [linux-image-686]'),
        'recipes/debian-based/recipe.yaml:17 kernel.i386 the kernel package "linux-image-686" is also in packages.remove',
      ],
      [
        builderRecipe.replace('add: [systemd,', 'add: [Systemd,'),
        'recipes/debian-based/recipe.yaml:13 packages.add[0] "Systemd" has the wrong format: A Debian package name: lowercase letters, digits and + - . , at least two characters, starting with a letter or digit.',
      ],
      [
        builderRecipe.replace('overlays: [overlay]', 'overlays: [../escape]'),
        'recipes/debian-based/recipe.yaml:18 overlays[0] "../escape" has the wrong format: A path inside the recipe folder: relative, no \'..\' segment.',
      ],
      [
        builderRecipe.replace('updates: true', 'updates: yes please'),
        'recipes/debian-based/recipe.yaml:4 updates must be boolean, not string "yes please"',
      ],
      [
        `${builderRecipe}firmware: true\n`,
        'recipes/debian-based/recipe.yaml:22 firmware unknown field "firmware" (allowed: description, distribution, release, mirror, updates, security_mirror, components, variant, lines, packages, kernel, filesystem, overlays, hooks, services)',
      ],
    ];
    for (const [recipe, expected] of cases) expect(await problemsOf(recipe), expected).toEqual([expected]);
  });

  it('refuses overlays and hooks that leave the recipe through a symlink', async () => {
    const fixture = await loadFixture({
      ...builderRecipeFiles,
      'recipes/debian-based/recipe.yaml': builderRecipe.replace(
        'overlays: [overlay]',
        'overlays: [overlay, shared/etc]',
      ),
    });
    onTestFinished(() => fixture.repo.cleanup());
    await symlink('../../common', join(fixture.repo.dir, 'recipes/debian-based/shared'));
    await symlink('/etc/passwd', join(fixture.repo.dir, 'recipes/debian-based/hooks/escape.sh'));
    const set = await loadRecipes(worktreeReader(fixture.repo.dir));
    expect(set.problems.map((problem) => `${problem.path} ${problem.message}`)).toEqual([
      'overlays[1] "shared/etc" goes through the symlink recipes/debian-based/shared: overlays must stay inside the recipe',
    ]);
    await writeFile(
      join(fixture.repo.dir, 'recipes/debian-based/recipe.yaml'),
      builderRecipe.replace('hooks: [hooks/tune.sh]', 'hooks: [hooks/escape.sh]'),
    );
    const hooks = await loadRecipes(worktreeReader(fixture.repo.dir));
    expect(hooks.problems.map((problem) => `${problem.path} ${problem.message}`)).toContain(
      'hooks[0] "hooks/escape.sh" goes through the symlink recipes/debian-based/hooks/escape.sh: hooks must stay inside the recipe',
    );
  });

  it('wants hooks to start with #!', async () => {
    expect(await problemsOf(builderRecipe, { 'recipes/debian-based/hooks/tune.sh': 'true\n' })).toEqual([
      'recipes/debian-based/recipe.yaml:19 hooks[0] hook recipes/debian-based/hooks/tune.sh must start with #! and its interpreter (it runs inside the image)',
    ]);
  });
});
