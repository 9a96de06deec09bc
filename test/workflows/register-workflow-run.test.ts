/**
 * register.yml: its shape (least privilege, an environment per cloud, pinned actions, nothing
 * expanded inside a script), and its own run: steps, job by job, in temp clones of a local bare
 * origin (test/helpers/workflow-runner.ts): `register` for one cloud (release assets from a
 * loopback server, Debian's glance-api as the cloud, its clouds.yaml as the environment's secret),
 * then `record`, which commits the IDs to main; a second record run commits nothing.
 */
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../tools/catalog/parse-record.js';
import { recordPath } from '../../tools/catalog/record-files.js';
import { GlanceClient } from '../../tools/cloud/glance-client.js';
import { recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { createTempDir } from '../helpers/git-repo.js';
import { type GlanceServer, startGlance } from '../helpers/glance.js';
import { commitAll, createOrigin, git, type Origin } from '../helpers/origin-repo.js';
import {
  type AssetServer,
  makeSyntheticRelease,
  type SyntheticRelease,
  startAssetServer,
} from '../helpers/register-fixtures.js';
import { type JobContext, loadWorkflow, runJob, type Workflow } from '../helpers/workflow-runner.js';

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  environment?: string;
  permissions?: Record<string, string>;
  'runs-on'?: string;
  steps: Step[];
}

describe('register.yml', () => {
  let workflow: Workflow;
  let glance: GlanceServer;
  let assets: AssetServer;
  let origin: Origin;
  let release: SyntheticRelease;
  let runDir: string;
  let sha: string;

  beforeAll(async () => {
    workflow = await loadWorkflow('register.yml');
    glance = await startGlance();
    const work = await createTempDir('emi-register-wf-');
    runDir = work;
    release = await makeSyntheticRelease(work, { epoch: 1_790_000_000 });
    assets = await startAssetServer(release.dir);
    origin = await createOrigin(recipeFiles);
    const dev = await origin.clone('dev');
    sha = await commitAll(dev, recordFiles(release.record), 'Record the image\n\nthe first release\n');
    await git(dev, ['push', '-q', 'origin', 'main']);
  }, 300_000);
  afterAll(async () => {
    await assets?.close();
    await glance?.stop();
    await origin?.cleanup();
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  it('reads by default; only the record job writes; each cloud job is behind its environment', () => {
    const jobs = (workflow as unknown as { jobs: Record<string, Job> }).jobs;
    const top = (workflow as unknown as { permissions: Record<string, string> }).permissions;
    expect(top).toEqual({ contents: 'read' });
    expect(jobs.register?.permissions).toEqual({ contents: 'read' });
    expect(jobs.register?.environment).toBe(`\${{ matrix.cloud }}`);
    expect(jobs.register?.['runs-on']).toBe(`\${{ fromJSON(inputs.runs-on) }}`);
    expect(jobs.record?.permissions).toEqual({ contents: 'write' });
    expect(jobs.record?.environment).toBeUndefined();
    for (const job of Object.values(jobs))
      for (const step of job.steps) {
        expect(step.run ?? '').not.toContain('${{');
        if (step.uses) expect(step.uses).toMatch(/^actions\/[\w-]+@[0-9a-f]{40}$/);
      }
    // The record job holds no cloud credential.
    expect(JSON.stringify(jobs.record)).not.toMatch(/secrets\./);
  });

  it('registers in each cloud, then records the IDs on main; a second record run commits nothing', async () => {
    const line = {
      record: recordPath(release.record),
      image_name: release.record.image_name,
      image_arch: release.record.image_arch,
      image_version: release.record.image_version,
    };
    const context: JobContext = {
      origin: origin.bare,
      sha,
      event: 'workflow_call',
      runDir,
      inputs: {
        commit: sha,
        recorded: JSON.stringify([line]),
        clouds: '["lab"]',
        'runs-on': '"ubuntu-24.04"',
      },
      env: {
        GITHUB_REPOSITORY: 'acme/catalog',
        GITHUB_SERVER_URL: assets.url,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/nonexistent/gitconfig',
      },
    };
    const register = await runJob(workflow, 'register', {
      ...context,
      matrix: { cloud: 'lab' },
      secrets: {
        CLOUDS_YAML: `clouds:\n  lab:\n    auth_type: none\n    image_endpoint_override: ${glance.url}\n`,
      },
    });
    expect(register.steps.filter((step) => step.outcome === 'failure')).toEqual([]);
    expect(register.ok).toBe(true);
    // The credentials are gone from the runner, the release was downloaded, nothing was committed.
    expect(existsSync(join(runDir, 'register-lab', 'temp', 'emi-cloud'))).toBe(false);
    expect(assets.paths.some((path) => path.endsWith('.tgz'))).toBe(true);
    expect(await git(origin.bare, ['rev-parse', 'main'])).toBe(sha);
    const images = await new GlanceClient({ endpoint: glance.url }).listImages({
      image_name: release.record.image_name,
    });
    expect(images.map((image) => image.disk_format).sort()).toEqual(['aki', 'ami', 'ari']);
    const machine = images.find((image) => image.disk_format === 'ami');

    const needs = { register: { result: 'success', outputs: {} } };
    const record = await runJob(workflow, 'record', { ...context, needs });
    expect(record.steps.filter((step) => step.outcome === 'failure')).toEqual([]);
    const head = await git(origin.bare, ['rev-parse', 'main']);
    expect(head).not.toBe(sha);
    expect(await git(origin.bare, ['log', '-1', '--format=%an%n%s%n%b', 'main'])).toMatch(
      /^github-actions\[bot\]\nRecord cloud registrations\nThe image IDs/,
    );
    const text = await git(origin.bare, ['show', `main:${recordPath(release.record)}`]);
    const parsed = parseRecord(recordPath(release.record), `${text}\n`);
    expect(parsed.ok && parsed.value.record.registrations?.[0]).toMatchObject({
      cloud: 'lab',
      image_id: machine?.id,
      kernel_id: machine?.kernel_id,
      ramdisk_id: machine?.ramdisk_id,
    });

    // A re-run of the record job: the same artifacts, a fresh workspace.
    await cp(join(runDir, 'artifacts'), join(runDir, 'again', 'artifacts'), { recursive: true });
    const again = await runJob(workflow, 'record', {
      ...context,
      sha: head,
      runDir: join(runDir, 'again'),
      needs,
    });
    expect(again.ok).toBe(true);
    expect(again.steps.at(-1)?.stdout).toMatch(/already hold these registrations/);
    expect(await git(origin.bare, ['rev-parse', 'main'])).toBe(head);
  }, 300_000);
});
