import { describe, expect, it } from 'vitest';
import { builderRecipe, builderRecipeFiles } from '../helpers/build-fixtures.js';
import { repoForTest } from '../helpers/fixtures.js';
import type { TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

async function catalog(files: Record<string, string> = builderRecipeFiles): Promise<TempRepo> {
  const repo = await repoForTest(files);
  await repo.commit({});
  return repo;
}

const mirror = {
  EMI_MIRROR: 'http://mirror.example/debian',
  EMI_SECURITY_MIRROR: 'http://mirror.example/debian-security',
};

describe('emi build --plan', () => {
  it('prints the plan as JSON and builds nothing', async () => {
    const repo = await catalog();
    const result = await runEmi(
      [
        'build',
        'debian-based',
        '--plan',
        '--json',
        '--arch',
        'i386',
        '--line',
        'euca-large-debian-emi',
        '--epoch',
        '1785000000',
        '--out',
        'images',
      ],
      {
        cwd: repo.dir,
        env: mirror,
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      recipe: { sources: { uri: string; from: string }[] };
      digest: string;
      images: {
        image_name: string;
        image_arch: string;
        rootfs_size: string;
        record: Record<string, string>;
        outputs: string[];
      }[];
    };
    expect(plan.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plan.recipe.sources.map((source) => [source.uri, source.from])).toEqual([
      ['http://mirror.example/debian', 'EMI_MIRROR'],
      ['http://mirror.example/debian-security', 'EMI_SECURITY_MIRROR'],
    ]);
    expect(plan.images).toHaveLength(1);
    expect(plan.images[0]).toMatchObject({
      image_name: 'euca-large-debian-emi',
      image_arch: 'i386',
      rootfs_size: '4500M',
      record: {
        image_version: '2026.07.25',
        image_file: 'euca-large-debian-2026.07.25-i386.img',
        recipe_name: 'debian-based',
        recipe_digest: plan.digest,
      },
    });
    expect(plan.images[0]?.outputs[0]).toBe(
      `${repo.dir}/images/euca-large-debian-2026.07.25-i386/euca-large-debian-2026.07.25-i386.img`,
    );
    expect(result.stderr).toBe('');
  });

  it('prints a short plan for people', async () => {
    const repo = await catalog();
    const result = await runEmi(
      ['build', 'debian-based', '--plan', '--arch', 'x86_64', '--epoch', '1785000000'],
      { cwd: repo.dir, env: mirror },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'euca-debian-emi.x86_64 2026.07.25: 1300M ext4, kernel linux-image-cloud-amd64\n',
    );
    expect(result.stdout).toContain(
      '  source http://mirror.example/debian bookworm bookworm-updates (from EMI_MIRROR)\n',
    );
    expect(result.stderr).toContain('plan: done in');
  });
});

describe('emi build errors', () => {
  it('names the known recipes for an unknown one', async () => {
    const repo = await catalog();
    const result = await runEmi(['build', 'centos-based', '--plan'], { cwd: repo.dir, env: mirror });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('emi: unknown recipe "centos-based": known recipes are debian-based\n');
  });

  it('lists the problems of a broken recipe with file, line and field', async () => {
    const repo = await catalog({
      ...builderRecipeFiles,
      'recipes/debian-based/recipe.yaml': builderRecipe.replace('rootfs_size: 4500M', 'rootfs_size: 4500'),
    });
    const result = await runEmi(['build', 'debian-based', '--plan'], { cwd: repo.dir, env: mirror });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'emi: recipe debian-based has problems:\nrecipes/debian-based/recipe.yaml:11:18  lines[1].rootfs_size  must be string, not number 4500',
    );
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses an arch the recipe does not build, and options that do not go together', async () => {
    const repo = await catalog();
    const arch = await runEmi(['build', 'debian-based', '--plan', '--arch', 'aarch64'], {
      cwd: repo.dir,
      env: mirror,
    });
    expect(arch.exitCode).toBe(1);
    expect(arch.stderr).toContain(
      'recipe debian-based has no line for arch aarch64: its arches are i386, x86_64',
    );
    const both = await runEmi(['build', 'debian-based', '--plan', '--all', '--line', 'euca-debian-emi'], {
      cwd: repo.dir,
      env: mirror,
    });
    expect(both.stderr).toContain(
      '--all builds every line and arch: give it without --line, --arch or --record',
    );
    const usage = await runEmi(['build'], { cwd: repo.dir });
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain('emi build: wrong number of arguments (expected RECIPE)');
  });
});
