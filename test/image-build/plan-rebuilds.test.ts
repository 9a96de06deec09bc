import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planMatrix, planRebuilds, type RebuildPlan } from '../../tools/image-build/plan-rebuilds.js';
import { runCommand } from '../../tools/lib/exec.js';
import { builderRecipeFiles } from '../helpers/build-fixtures.js';
import { makeRecord, recordFiles } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

async function catalog(files: Record<string, string> = builderRecipeFiles): Promise<TempRepo> {
  const repo = await createRepo();
  repos.push(repo);
  await repo.commit(files, { message: 'recipes\n\nthe first recipes\n' });
  return repo;
}

const summary = (plan: RebuildPlan) =>
  plan.images.map((image) => `${image.line}.${image.arch} ${image.decision}`);

/** Records every line of the plan as built from the current digest (what emi build would write). */
async function recordAll(repo: TempRepo, plan: RebuildPlan): Promise<void> {
  const files: Record<string, string> = {};
  for (const [index, image] of plan.images.entries()) {
    const record = {
      ...makeRecord({ name: image.line, arch: image.arch, epoch: 1785000000 + index * 86400 }),
    };
    Object.assign(files, recordFiles({ ...record, recipe_digest: image.digest }));
  }
  await repo.commit(files, { message: 'Record the images\n\nbuilt from the recipes\n' });
}

describe('planRebuilds', () => {
  it('plans new lines, then nothing after a records-only commit, then names changed inputs', async () => {
    const repo = await catalog();
    const first = await planRebuilds({ cwd: repo.dir });
    expect(summary(first)).toEqual([
      'euca-debian-emi.x86_64 new line',
      'euca-debian-emi.i386 new line',
      'euca-large-debian-emi.x86_64 new line',
      'euca-large-debian-emi.i386 new line',
    ]);
    expect(planMatrix(first).include.map((entry) => `${entry.recipe} ${entry.line} ${entry.arch}`)).toEqual([
      'debian-based euca-debian-emi x86_64',
      'debian-based euca-debian-emi i386',
      'debian-based euca-large-debian-emi x86_64',
      'debian-based euca-large-debian-emi i386',
    ]);
    await recordAll(repo, first);
    const second = await planRebuilds({ cwd: repo.dir });
    expect(second.images.every((image) => image.decision === 'up to date' && !image.build)).toBe(true);
    expect(planMatrix(second)).toEqual({ include: [] });

    const recordCommit = (await runCommand('git', ['rev-parse', 'HEAD'], { cwd: repo.dir })).stdout.trim();
    await rm(join(repo.dir, 'recipes/debian-based/hooks/tune.sh'));
    await repo.commit(
      {
        'recipes/debian-based/recipe.yaml': builderRecipeFiles['recipes/debian-based/recipe.yaml']?.replace(
          'hooks: [hooks/tune.sh]\n',
          '',
        ) as string,
        'recipes/debian-based/overlay/etc/motd': 'hello\n',
        'recipes/debian-based/overlay/etc/issue': 'Debian\n',
        'recipes/debian-based/NOTES.md': 'not an input\n',
      },
      { message: 'change the recipe\n\nmotd, issue, no hook\n' },
    );
    const third = await planRebuilds({ cwd: repo.dir, line: 'euca-debian-emi', arch: 'x86_64' });
    expect(summary(third)).toEqual(['euca-debian-emi.x86_64 recipe changed']);
    const [image] = third.images;
    expect(image?.inputs).toEqual({
      added: ['recipes/debian-based/overlay/etc/issue'],
      removed: ['recipes/debian-based/hooks/tune.sh'],
      changed: ['recipes/debian-based/overlay/etc/motd', 'recipes/debian-based/recipe.yaml'],
    });
    expect(image?.record?.commit).toBe(recordCommit);
    expect(image?.reasons[0]).toBe(
      `recipe changed since ${recordCommit.slice(0, 12)}, which recorded 2026.07.25: changed recipes/debian-based/overlay/etc/motd, recipes/debian-based/recipe.yaml; added recipes/debian-based/overlay/etc/issue; removed recipes/debian-based/hooks/tune.sh`,
    );
    const forced = await planRebuilds({ cwd: repo.dir, line: 'euca-large-debian-emi', arch: 'i386' });
    expect(summary(forced)).toEqual(['euca-large-debian-emi.i386 recipe changed']);
  });

  it('counts only tracked files: untracked and ignored files change nothing and are named as uncommitted', async () => {
    const repo = await catalog({ ...builderRecipeFiles, '.gitignore': '*.swp\n' });
    const before = await planRebuilds({ cwd: repo.dir });
    await recordAll(repo, before);
    await writeFile(join(repo.dir, 'recipes/debian-based/overlay/etc/.motd.swp'), 'editor state');
    await writeFile(join(repo.dir, 'recipes/debian-based/overlay/etc/new-file'), 'untracked');
    await writeFile(join(repo.dir, 'recipes/debian-based/overlay/etc/motd'), 'edited, not committed\n');
    const after = await planRebuilds({ cwd: repo.dir });
    expect(after.images.map((image) => image.decision)).toEqual(Array(4).fill('up to date'));
    expect(after.images[0]?.digest).toBe(before.images[0]?.digest);
    expect(after.uncommitted.sort()).toEqual([
      'recipes/debian-based/overlay/etc/.motd.swp',
      'recipes/debian-based/overlay/etc/motd',
      'recipes/debian-based/overlay/etc/new-file',
    ]);
  });

  it('forces the selected images and refuses selections that match nothing', async () => {
    const repo = await catalog();
    await recordAll(repo, await planRebuilds({ cwd: repo.dir }));
    const forced = await planRebuilds({ cwd: repo.dir, recipe: 'debian-based', arch: 'i386', force: true });
    expect(summary(forced)).toEqual(['euca-debian-emi.i386 forced', 'euca-large-debian-emi.i386 forced']);
    expect(forced.images[0]?.reasons).toEqual(['forced: --force']);
    await expect(planRebuilds({ cwd: repo.dir, recipe: 'centos-based' })).rejects.toThrow(
      'unknown recipe "centos-based": known recipes are debian-based',
    );
    await expect(planRebuilds({ cwd: repo.dir, line: 'euca-nope-emi' })).rejects.toThrow(
      'no recipe has the image line "euca-nope-emi"',
    );
    await expect(planRebuilds({ cwd: repo.dir, arch: 'sparc' })).rejects.toThrow(
      'arch "sparc" is not one of',
    );
  });

  it('keeps a cache in the git folder that gives the same plan, and survives a broken one', async () => {
    const repo = await catalog();
    await recordAll(repo, await planRebuilds({ cwd: repo.dir }));
    const cacheFile = join(repo.dir, '.git', 'emi-plan-cache.json');
    const cold = await planRebuilds({ cwd: repo.dir });
    const cache = JSON.parse(await readFile(cacheFile, 'utf8')) as {
      recipes: { recipes: unknown[] };
      records: object;
    };
    expect(cache.recipes.recipes).toHaveLength(1);
    expect(Object.keys(cache.records)).toHaveLength(4);
    expect(await planRebuilds({ cwd: repo.dir })).toEqual(cold);
    await writeFile(cacheFile, '{ not json');
    expect(await planRebuilds({ cwd: repo.dir })).toEqual(cold);
    // A changed recipe file is a new key: the cached recipes are not used.
    await repo.commit({ 'recipes/debian-based/overlay/etc/motd': 'changed\n' });
    expect(summary(await planRebuilds({ cwd: repo.dir }))).toEqual(
      Array(4)
        .fill('')
        .map((_, i) => summary(cold)[i]?.replace('up to date', 'recipe changed')),
    );
  });

  it('refuses a matrix of more than 256 images', () => {
    const images = Array.from({ length: 257 }, (_, index) => ({
      recipe: 'r',
      line: `l${index}`,
      arch: 'x86_64' as const,
      decision: 'new line' as const,
      build: true,
      reasons: [],
      digest: 'sha256:0',
    }));
    expect(() => planMatrix({ commit: 'x', images, uncommitted: [] })).toThrow(
      'the plan has 257 images to build, more than the 256 jobs a workflow run allows: narrow it with --recipe, --line or --arch',
    );
  });

  it('--base plans what a merge into the base branch would rebuild, against its records', async () => {
    const repo = await catalog();
    await recordAll(repo, await planRebuilds({ cwd: repo.dir }));
    const git = (args: string[]) => runCommand('git', args, { cwd: repo.dir });
    await git(['checkout', '-q', '-b', 'topic']);
    await repo.commit({ 'recipes/debian-based/overlay/etc/motd': 'from the pull request\n' });
    // main moves on meanwhile: a new record of one line, made from the same recipe.
    await git(['checkout', '-q', 'main']);
    await repo.commit({ 'docs/unrelated.md': 'unrelated\n' });
    await git(['checkout', '-q', 'topic']);
    const plan = await planRebuilds({ cwd: repo.dir, base: 'main' });
    expect(plan.base?.ref).toBe('main');
    expect(summary(plan)).toEqual([
      'euca-debian-emi.x86_64 recipe changed',
      'euca-debian-emi.i386 recipe changed',
      'euca-large-debian-emi.x86_64 recipe changed',
      'euca-large-debian-emi.i386 recipe changed',
    ]);
    expect(plan.images[0]?.inputs?.changed).toEqual(['recipes/debian-based/overlay/etc/motd']);
    const onMain = await planRebuilds({ cwd: repo.dir, base: 'topic' });
    expect(onMain.images.every((image) => image.build)).toBe(true);
    await expect(planRebuilds({ cwd: repo.dir, base: 'no-such-branch' })).rejects.toThrow(
      '--base "no-such-branch" names no commit here',
    );
  });
});

describe('emi plan with hostile recipe folder names', () => {
  const hostile = ['x$(id)', 'a b', '-rf', 'r'.repeat(300), 'new\nline'];
  for (const name of hostile) {
    it(`refuses recipes/${JSON.stringify(name).slice(0, 30)} with exit 1`, async () => {
      const repo = await catalog();
      // Straight into git's index: a file system refuses a 300-character name, a git tree does not.
      const git = (args: string[], input?: string) =>
        runCommand('git', args, { cwd: repo.dir, ...(input === undefined ? {} : { input }) });
      const blob = (await git(['hash-object', '-w', '--stdin'], 'description: x\n')).stdout.trim();
      await git(['update-index', '--add', '--cacheinfo', `100644,${blob},recipes/${name}/recipe.yaml`]);
      await git(['commit', '-q', '-m', 'hostile\n\na hostile recipe folder\n']);
      const result = await runEmi(['plan', '--matrix'], { cwd: repo.dir });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `emi: recipe folder name ${JSON.stringify(name.length > 80 ? `${name.slice(0, 40)}…${name.slice(-20)}` : name)}`,
      );
    });
  }

  it('refuses a symlinked recipe folder (recipes/evil -> /etc) and a ".." selection', async () => {
    const repo = await catalog();
    await symlink('/etc', join(repo.dir, 'recipes/evil'));
    await repo.commit({}, { message: 'evil\n\na symlink\n' });
    const result = await runEmi(['plan'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('emi: recipes/evil is a symlink: a recipe must be a real folder');
    const dots = await runEmi(['plan', '--json'], { cwd: repo.dir, env: { EMI_RECIPE: '..' } });
    expect(dots.exitCode).toBe(1);
    expect(dots.stderr).toContain('recipe folder name ".." is not allowed');
  });

  it('prints the plan as text, JSON and a matrix, with workflow_dispatch inputs from the environment', async () => {
    const repo = await catalog();
    await mkdir(join(repo.dir, 'out'), { recursive: true });
    const text = await runEmi(['plan', '--arch', 'x86_64'], { cwd: repo.dir });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(
      'build  euca-debian-emi.x86_64 (debian-based)\n       new line: EMI-IDs/euca-debian-emi.x86_64.yaml does not exist yet\n',
    );
    expect(text.stdout).toContain('2 images to build, 0 up to date\n');
    const matrix = await runEmi(['plan', '--matrix'], {
      cwd: repo.dir,
      env: { EMI_LINE: 'euca-large-debian-emi', EMI_ARCH: 'i386', EMI_RECIPE: '', EMI_FORCE: 'false' },
    });
    expect(JSON.parse(matrix.stdout)).toEqual({
      include: [
        {
          recipe: 'debian-based',
          line: 'euca-large-debian-emi',
          arch: 'i386',
          reasons: ['new line: EMI-IDs/euca-large-debian-emi.i386.yaml does not exist yet'],
          force: false,
        },
      ],
    });
    const json = JSON.parse((await runEmi(['plan', '--json'], { cwd: repo.dir })).stdout) as RebuildPlan;
    expect(json.images).toHaveLength(4);
    const usage = await runEmi(['plan', '--json', '--matrix'], { cwd: repo.dir });
    expect(usage.exitCode).toBe(2);
  });
});
