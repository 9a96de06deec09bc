/**
 * pull-request.yml's own run: steps, in a temp clone of a local bare origin whose main branch is
 * the base and whose head commit is the pull request: the plan names the images of the changed
 * recipe only, a change to the README alone plans nothing, and the build job of each planned image
 * runs its steps (the image build itself is a stand-in, as in build-workflow-run.test.ts: a real
 * build and boot check of a scaffolded recipe runs in test/recipes/scaffold-build.test.ts).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builderRecipeFiles } from '../helpers/build-fixtures.js';
import { createTempDir } from '../helpers/git-repo.js';
import { commitAll, createOrigin, git, type Origin, recordEveryImage } from '../helpers/origin-repo.js';
import {
  type JobContext,
  jobCondition,
  loadWorkflow,
  runJob,
  type Workflow,
} from '../helpers/workflow-runner.js';

interface Entry {
  recipe: string;
  line: string;
  arch: string;
  reasons: string[];
}

describe('pull-request.yml, run step by step against a local origin', () => {
  let origin: Origin;
  let dev: string;
  let workflow: Workflow;
  let runDir: string;
  const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/nonexistent/gitconfig' };

  beforeAll(async () => {
    workflow = await loadWorkflow('pull-request.yml');
    const second = parse(builderRecipeFiles['recipes/debian-based/recipe.yaml'] as string) as {
      lines: { image_name: string }[];
    };
    // A second recipe, so the plan must tell the changed one from the other.
    const other = (builderRecipeFiles['recipes/debian-based/recipe.yaml'] as string)
      .replaceAll('euca-large-debian-emi', 'euca-large-other-emi')
      .replaceAll('euca-debian-emi', 'euca-other-emi');
    expect(second.lines.length).toBeGreaterThan(0);
    const files: Record<string, string> = { ...builderRecipeFiles, 'README.md': 'the catalog\n' };
    for (const [path, content] of Object.entries(builderRecipeFiles))
      if (path.startsWith('recipes/debian-based/'))
        files[path.replace('recipes/debian-based/', 'recipes/other-based/')] = path.endsWith('recipe.yaml')
          ? other
          : content;
    origin = await createOrigin(files);
    dev = await origin.clone('dev');
    // The base branch is up to date: every image recorded from its recipe as it is.
    await recordEveryImage(dev);
    runDir = await createTempDir('emi-pr-run-');
  }, 120_000);

  afterAll(async () => {
    await origin?.cleanup();
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  /** A pull request: a branch off main with one commit, pushed to the origin as GitHub keeps it. */
  async function pullRequest(name: string, files: Record<string, string>): Promise<string> {
    await git(dev, ['checkout', '-q', '-B', name, 'origin/main']);
    const sha = await commitAll(dev, files, `${name}\n\nthe pull request\n`);
    await git(dev, ['push', '-q', 'origin', `${name}:refs/pull/${name}/head`]);
    return sha;
  }

  const context = (sha: string, more: Partial<JobContext> = {}): JobContext => ({
    origin: origin.bare,
    sha,
    event: 'pull_request',
    baseRef: 'main',
    runDir: join(runDir, sha.slice(0, 8)),
    env,
    ...more,
  });

  it('plans the images of the changed recipe only, as outputs and a summary, and builds each', async () => {
    const sha = await pullRequest('motd', {
      'recipes/other-based/overlay/etc/motd': 'welcome to the other image\n',
    });
    const plan = await runJob(workflow, 'plan', context(sha));
    expect(plan.steps.filter((step) => step.outcome === 'failure')).toEqual([]);
    const matrix = JSON.parse(plan.outputs.matrix as string) as { include: Entry[] };
    expect(matrix.include.map((entry) => `${entry.recipe} ${entry.line}.${entry.arch}`).sort()).toEqual([
      'other-based euca-large-other-emi.i386',
      'other-based euca-large-other-emi.x86_64',
      'other-based euca-other-emi.i386',
      'other-based euca-other-emi.x86_64',
    ]);
    expect(plan.outputs.count).toBe('4');
    expect(matrix.include[0]?.reasons.join(' ')).toContain('recipes/other-based/overlay/etc/motd');
    expect(plan.summary).toContain('4 images to build');

    const needs = { plan: { outputs: plan.outputs, result: 'success' } };
    expect(jobCondition(workflow.jobs.build as never, needs)).toBe(true);
    const entry = matrix.include[0] as Entry;
    const build = await runJob(
      workflow,
      'build',
      context(sha, {
        matrix: { ...entry },
        needs,
        standIns: {
          // apt-get install from the archive is setup-host's own test (test/scripts/setup-host.test.ts).
          'host-packages': async () => {},
          // Stands in for the root build: the progress lines emi build writes and a boot report.
          build: async (stepEnv) => {
            const temp = stepEnv.RUNNER_TEMP as string;
            const out = join(temp, 'emi-out', 'image');
            await mkdir(out, { recursive: true });
            await writeFile(join(out, 'image.verify.json'), '{"ok":true}\n');
            const events = [
              {
                type: 'step',
                step: 'verify',
                image: `${entry.line}.${entry.arch}`,
                state: 'done',
                ms: 1000,
                detail: '34 checks passed (TCG)',
              },
              { type: 'result', ok: true, images: [], up_to_date: [] },
            ];
            await writeFile(
              join(temp, 'emi-progress.jsonl'),
              `${events.map((e) => JSON.stringify(e)).join('\n')}\n`,
            );
          },
        },
      }),
    );
    expect(build.steps.filter((step) => step.outcome !== 'success')).toEqual([]);
    expect(build.summary).toContain('34 checks passed (TCG)');
    // The boot report is collected for upload.
    const report = join(
      runDir,
      sha.slice(0, 8),
      'artifacts',
      `boot-check-${entry.line}.${entry.arch}`,
      'image',
      'image.verify.json',
    );
    expect(await readFile(report, 'utf8')).toBe('{"ok":true}\n');
  });

  it('plans nothing for a change to the README alone, and the build job does not run', async () => {
    const sha = await pullRequest('readme', { 'README.md': 'the catalog, better explained\n' });
    const plan = await runJob(workflow, 'plan', context(sha));
    expect(plan.steps.filter((step) => step.outcome === 'failure')).toEqual([]);
    expect(plan.outputs.count).toBe('0');
    expect(JSON.parse(plan.outputs.matrix as string)).toEqual({ include: [] });
    expect(
      jobCondition(workflow.jobs.build as never, { plan: { outputs: plan.outputs, result: 'success' } }),
    ).toBe(false);
  });
});
