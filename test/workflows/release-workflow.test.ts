/**
 * release.yml: its shape (a reusable workflow, least privilege, hosted runner, pinned actions, no
 * expression inside a script), and its `run:` steps run in order in a catalog clone against the local
 * GitHub API, with the `uses:` steps done by hand as the actions would (checkout: the clone;
 * setup-node and npm ci: this toolkit; download-artifact: the artifact folder copied in).
 */
import { cp, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { releaseTag } from '../../tools/github/release-tag.js';
import { runCommand } from '../../tools/lib/exec.js';
import { toolkitPath } from '../../tools/lib/paths.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/github-api/fake-github.js';
import { makeReleaseFixture, type ReleaseFixture } from '../helpers/github-api/release-fixture.js';
import { writeToken } from '../helpers/github-api/run-github.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: { workflow_call: { inputs: Record<string, { type: string; default: string }> } };
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; permissions: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(
  await readFile(toolkitPath('.github', 'workflows', 'release.yml'), 'utf8'),
) as Workflow;
const job = workflow.jobs.release;

describe('.github/workflows/release.yml', () => {
  it('is a reusable workflow that reads by default and writes contents only in its one job', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['release']);
    expect(job?.permissions).toEqual({ contents: 'write' });
    expect(job?.['runs-on']).toBe('ubuntu-latest');
  });

  it('pins its actions by SHA, keeps no credentials, and puts no expression in a script', () => {
    const uses = (job?.steps ?? []).flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.map((use) => use.split('@')[0])).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/download-artifact',
    ]);
    for (const use of uses) expect(use).toMatch(/@[0-9a-f]{40}$/);
    const checkout = job?.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
    for (const step of job?.steps ?? []) expect(step.run ?? '').not.toContain('${{');
  });

  describe('its steps, run in a catalog clone', () => {
    let fake: FakeGitHub;
    let fixture: ReleaseFixture;
    beforeAll(async () => {
      fake = await startFakeGitHub({ tokens: { [writeToken]: 'write' } });
      fixture = await makeReleaseFixture({ minimal: true });
    });
    afterAll(async () => {
      await fake.close();
      await fixture.repo.cleanup();
      await rm(fixture.outDir, { recursive: true, force: true });
    });

    it('publishes the recorded image from the downloaded artifacts', async () => {
      const clone = fixture.repo.dir;
      // setup-node + npm ci: the toolkit, built, as the clone's own (the catalog is the toolkit's repo).
      for (const name of ['package.json', 'bin', 'dist', 'node_modules'])
        await symlink(toolkitPath(name), join(clone, name));
      let ran = 0;
      for (const step of job?.steps ?? []) {
        if (step.uses?.startsWith('actions/download-artifact@')) {
          const path = String(step.with?.path);
          await cp(fixture.outDir, join(clone, path), { recursive: true });
          continue;
        }
        if (step.uses || !step.run || step.run === 'npm ci') continue;
        const env: Record<string, string> = {};
        // The one expression the step's environment holds: the job's token.
        const tokenExpression = ['$', '{{ github.token }}'].join('');
        for (const [key, value] of Object.entries(step.env ?? {}))
          env[key] = value === tokenExpression ? writeToken : value;
        const result = await runCommand('bash', ['-e', '-c', step.run], {
          cwd: clone,
          reject: false,
          env: {
            ...env,
            CI: 'true',
            GITHUB_ACTIONS: 'true',
            GITHUB_REPOSITORY: `${fake.owner}/${fake.repo}`,
            GITHUB_API_URL: fake.apiUrl,
            GITHUB_SERVER_URL: fake.apiUrl,
            GH_TOKEN: undefined,
          },
          timeoutMs: 120_000,
        });
        expect(result.stderr).not.toContain(writeToken);
        expect(result.stdout).not.toContain(writeToken);
        expect(result.exitCode, result.stderr).toBe(0);
        ran++;
      }
      expect(ran).toBe(1);
      expect(fake.release(releaseTag(fixture.record))?.draft).toBe(false);
      expect(fake.violations).toEqual([]);
    });
  });
});
