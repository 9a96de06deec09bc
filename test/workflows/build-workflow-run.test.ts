/**
 * build.yml's own run: steps, job by job, in temp clones of a local bare origin (see
 * test/helpers/workflow-runner.ts): plan → build (one job per matrix entry) → record, then plan
 * again. The image build itself is a stand-in (a real one takes many minutes of both cores and is
 * covered by the builder's end-to-end tests): it plans with the real `emi build --plan`, writes
 * small artifact files and the record through the builder's own writeRecord, and emits the
 * progress lines emi build emits; every other step runs as written in the workflow.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../tools/catalog/parse-record.js';
import {
  type ImageRecord,
  packagesHeader,
  recordPath,
  renderRecord,
} from '../../tools/catalog/record-files.js';
import { describeArtifacts } from '../../tools/image-build/checksums.js';
import type { BuildEvent } from '../../tools/image-build/events.js';
import { writeRecord } from '../../tools/image-build/write-record.js';
import { builderRecipeFiles } from '../helpers/build-fixtures.js';
import { createTempDir } from '../helpers/git-repo.js';
import { commitAll, createOrigin, git, type Origin, recordEveryImage } from '../helpers/origin-repo.js';
import { runEmi } from '../helpers/run-emi.js';
import {
  type JobContext,
  jobCondition,
  loadWorkflow,
  runJob,
  type Workflow,
} from '../helpers/workflow-runner.js';

const mirror = {
  EMI_MIRROR: 'http://127.0.0.1:9/debian',
  EMI_SECURITY_MIRROR: 'http://127.0.0.1:9/debian-security',
};

interface PlannedImage {
  record: ImageRecord;
  outputs: string[];
}

/** Stands in for `emi build … --json` (see the file's comment); `stray` also edits a recipe hook. */
function standInBuild(options: { stray?: boolean } = {}) {
  return async (env: Record<string, string>) => {
    const workspace = env.WORKSPACE as string;
    const temp = env.RUNNER_TEMP as string;
    const out = join(temp, 'emi-out');
    const args = ['build', env.RECIPE as string, '--line', env.LINE as string, '--arch', env.ARCH as string];
    const planned = await runEmi([...args, '--plan', '--json', '--out', out], {
      cwd: workspace,
      env: { ...mirror, EMI_FORCE: env.EMI_FORCE },
    });
    if (planned.exitCode !== 0) throw new Error(planned.stderr);
    const plan = JSON.parse(planned.stdout) as {
      images: PlannedImage[];
      digest: string;
      up_to_date: string[];
    };
    const events: BuildEvent[] = [
      { type: 'step', step: 'plan', state: 'start' },
      { type: 'step', step: 'plan', state: 'done', ms: 800, detail: plan.digest },
    ];
    for (const image of plan.images) {
      const key = `${image.record.image_name}.${image.record.image_arch}`;
      const dir = (image.outputs[0] as string).replace(/\/[^/]+$/, '');
      await mkdir(dir, { recursive: true });
      const names = image.outputs.map((path) => path.slice(dir.length + 1));
      for (const name of names)
        await writeFile(
          join(dir, name),
          name.endsWith('.verify.json')
            ? `${JSON.stringify({ ok: true, accel: 'tcg', checks: [], boots: [] })}\n`
            : `${name}\n`,
        );
      const packages = `${packagesHeader(image.record)}bash\t5.2.15-2+b7\nopenssl\t3.0.15-1~deb12u1\n`;
      await writeFile(join(dir, names.find((name) => name.endsWith('.packages')) as string), packages);
      const artifacts = await describeArtifacts(
        dir,
        names.filter((name) => name !== 'build.json' && name !== 'SHA256SUMS' && !name.endsWith('.zst')),
      );
      for (const step of ['bootstrap', 'customise', 'verify', 'publish'] as const)
        events.push({ type: 'step', step, image: key, state: 'done', ms: 1000, detail: step });
      events.push({ type: 'image', image: key, dir, artifacts });
      const path = recordPath(image.record);
      const current = await readFile(join(workspace, path), 'utf8').catch(() => undefined);
      const parsed = current === undefined ? undefined : parseRecord(path, current);
      const written = await writeRecord({
        root: workspace,
        record: image.record,
        previousVersion: parsed?.ok ? parsed.value.record.image_version : undefined,
        artifacts,
        packages,
      });
      events.push({ type: 'record', image: key, files: written.files.map((file) => file.path) });
    }
    if (options.stray)
      await writeFile(
        join(workspace, 'recipes/debian-based/hooks/tune.sh'),
        '#!/bin/sh\n# changed by the build\n',
      );
    const result = { type: 'result', ok: true, images: [], up_to_date: plan.up_to_date };
    await writeFile(
      join(temp, 'emi-progress.jsonl'),
      `${[...events, result].map((event) => JSON.stringify(event)).join('\n')}\n`,
    );
  };
}

describe('build.yml, run step by step against a local origin', () => {
  let origin: Origin;
  let dev: string;
  let workflow: Workflow;
  let runDir: string;
  const started = Date.now();
  // A runner has no git identity of its own: the record job must bring the bot's.
  const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/nonexistent/gitconfig', ...mirror };

  beforeAll(async () => {
    workflow = await loadWorkflow('build.yml');
    origin = await createOrigin({ ...builderRecipeFiles, 'docs/README.md': 'the catalog\n' });
    dev = await origin.clone('dev');
    // Every image recorded from the current recipe: the catalog is up to date.
    await recordEveryImage(dev);
    runDir = await createTempDir('emi-run-');
  }, 120_000);
  afterAll(async () => {
    await origin?.cleanup();
    const { rm } = await import('node:fs/promises');
    await rm(runDir, { recursive: true, force: true });
  });

  const context = (sha: string, more: Partial<JobContext> = {}): JobContext => ({
    origin: origin.bare,
    sha,
    event: 'push',
    runDir: join(runDir, sha.slice(0, 8)),
    env,
    ...more,
  });

  it('plans one entry per image for a recipe change, builds each, records them, and then plans nothing', async () => {
    const sha = await commitAll(
      dev,
      { 'recipes/debian-based/overlay/etc/motd': 'welcome to the new image\n' },
      'motd: greet\n\na new greeting\n',
    );
    await git(dev, ['push', '-q', 'origin', 'main']);

    const plan = await runJob(workflow, 'plan', context(sha));
    expect(plan.steps.filter((step) => step.outcome === 'failure')).toEqual([]);
    expect(plan.outputs.count).toBe('4');
    const matrix = JSON.parse(plan.outputs.matrix as string) as {
      include: { recipe: string; line: string; arch: string; reasons: string[]; force: boolean }[];
    };
    expect(matrix.include.map((entry) => `${entry.recipe} ${entry.line}.${entry.arch}`)).toEqual([
      'debian-based euca-debian-emi.x86_64',
      'debian-based euca-debian-emi.i386',
      'debian-based euca-large-debian-emi.x86_64',
      'debian-based euca-large-debian-emi.i386',
    ]);
    expect(matrix.include[0]?.reasons[0]).toMatch(
      /^recipe changed since [0-9a-f]{12}, which recorded [\d.]+: changed recipes\/debian-based\/overlay\/etc\/motd$/,
    );
    expect(plan.summary).toContain('## emi plan: 4 images to build');

    const needs = { plan: { outputs: plan.outputs, result: 'success' } };
    expect(jobCondition(workflow.jobs.build as never, needs)).toBe(true);
    for (const entry of matrix.include) {
      const build = await runJob(
        workflow,
        'build',
        context(sha, { matrix: entry, needs, standIns: { build: standInBuild() } }),
      );
      expect(build.steps.filter((step) => step.outcome === 'failure')).toEqual([]);
      expect(build.summary).toContain(
        `## ✅ emi build: built ${entry.line}.${entry.arch.replace('_', '\\_')}`,
      );
      expect(build.summary).toContain('| verify | done | 1.0 s | verify |');
    }

    // Someone merges while the images build: the record commit must land on top of it.
    const racing = await commitAll(
      dev,
      { 'docs/README.md': 'the catalog, edited\n' },
      'docs: edit\n\nmeanwhile\n',
    );
    const record = await runJob(workflow, 'record', {
      ...context(sha, { needs: { ...needs, build: { outputs: {}, result: 'success' } } }),
      beforeStep: async (name) => {
        if (name === 'Commit the records to main') await git(dev, ['push', '-q', 'origin', 'main']);
      },
    });
    expect(record.steps.filter((step) => step.outcome === 'failure')).toEqual([]);
    const head = await git(origin.bare, ['rev-parse', 'main']);
    expect(record.outputs.commit).toBe(head);
    expect(JSON.parse(record.outputs.recorded as string)).toHaveLength(4);
    const log = await git(origin.bare, ['log', '--format=%s|%an', '-3', 'main']);
    expect(log.split('\n')).toEqual([
      expect.stringMatching(
        /^Record 4 images: euca-debian-emi [\d.]+ \(i386\), euca-debian-emi [\d.]+ \(x86_64\), .*\|github-actions\[bot\]$/,
      ),
      'docs: edit|Test Author',
      'motd: greet|Test Author',
    ]);
    expect(await git(origin.bare, ['rev-parse', 'main~1'])).toBe(racing);

    // The record commit is records-only: the next run plans nothing, and builds nothing.
    const next = await runJob(workflow, 'plan', context(head));
    expect(next.outputs.count).toBe('0');
    expect(next.summary).toContain('## emi plan: nothing to build');
    expect(
      jobCondition(workflow.jobs.build as never, { plan: { outputs: next.outputs, result: 'success' } }),
    ).toBe(false);
    expect(
      jobCondition(workflow.jobs.record as never, { plan: { outputs: next.outputs, result: 'success' } }),
    ).toBe(false);
  }, 600_000);

  it('plans nothing for a commit that changes only records', async () => {
    await git(dev, ['pull', '-q', '--rebase', 'origin', 'main']);
    const path = 'EMI-IDs/euca-large-debian-emi.i386.yaml';
    const parsed = parseRecord(path, await readFile(join(dev, path), 'utf8'));
    if (!parsed.ok) throw new Error('unreadable record');
    const sha = await commitAll(
      dev,
      { [path]: renderRecord({ ...parsed.value.record, status: 'deprecated' }) },
      'Deprecate euca-large-debian-emi (i386)\n\nfewer users every month\n',
    );
    await git(dev, ['push', '-q', 'origin', 'main']);
    const plan = await runJob(workflow, 'plan', context(sha));
    expect(plan.ok).toBe(true);
    expect(plan.outputs).toEqual({ matrix: '{"include":[]}', count: '0' });
  }, 300_000);

  it('refuses a build that leaves a changed file outside the record folders, and uploads no records', async () => {
    const sha = await git(origin.bare, ['rev-parse', 'main']);
    const entry = {
      recipe: 'debian-based',
      line: 'euca-debian-emi',
      arch: 'x86_64',
      reasons: [],
      force: true,
    };
    const build = await runJob(
      workflow,
      'build',
      context(sha, {
        matrix: entry,
        needs: { plan: { outputs: { count: '1' }, result: 'success' } },
        standIns: { build: standInBuild({ stray: true }) },
        runDir: join(runDir, 'stray'),
      }),
    );
    expect(build.ok).toBe(false);
    const check = build.steps.find((step) =>
      step.name.startsWith('Check that the build changed only record files'),
    );
    expect(check?.outcome).toBe('failure');
    expect(check?.stderr).toContain(
      'emi: refusing to commit: only EMI-IDs/ and image-ids/ may change, and these did:\n  recipes/debian-based/hooks/tune.sh (modified)',
    );
    expect(build.steps.find((step) => step.name === 'Upload the record files')?.outcome).toBe('skipped');
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(runDir, 'stray', 'artifacts'))).toEqual([]);
    // Figures for the report: the whole chain as run above.
    console.log(
      `build.yml chain (plan, 4 builds, record, plan, records-only plan, refused build): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 300_000);
});
