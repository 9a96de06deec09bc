/** The Pages workflow keeps its safety properties: least privilege, pinned actions, whole history. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
  needs?: string;
}
interface Workflow {
  on: { push: { branches: string[]; paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const path = fileURLToPath(new URL('../../.github/workflows/pages.yml', import.meta.url));
const workflow = parse(readFileSync(path, 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

describe('.github/workflows/pages.yml', () => {
  it('runs on pushes to main that touch the catalog', () => {
    expect(workflow.on.push).toEqual({
      branches: ['main'],
      paths: ['EMI-IDs/**', 'image-ids/**', 'recipes/**'],
    });
  });

  it('can be called from build.yml after the release (a workflow token starts no other workflow)', () => {
    const call = (workflow.on as unknown as { workflow_call: { inputs: Record<string, { type: string }> } })
      .workflow_call;
    expect(call.inputs.ref?.type).toBe('string');
  });

  it('reads by default and gives only the deploy job what Pages needs', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.build?.permissions).toBeUndefined();
    expect(workflow.jobs.deploy?.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
  });

  it('pins every action by a full commit SHA', () => {
    const uses = steps.flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.map((use) => use.split('@')[0])).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/configure-pages',
      'actions/upload-pages-artifact',
      'actions/deploy-pages',
    ]);
    for (const use of uses) expect(use).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it('checks out the whole history without keeping credentials, and builds with npm run', () => {
    const checkout = steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    // Called from build.yml, it renders the commit that holds the new records (empty: the event's).
    expect(checkout?.with).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
      ref: '${{ inputs.ref }}',
      'fetch-depth': 0,
      'persist-credentials': false,
    });
    const render = steps.find((step) => step.run?.includes('changelog'));
    expect(render?.run).toBe('npm run changelog -- --out _site --site-url "$SITE_URL"');
    // Expressions reach the shell through the environment, never pasted into the script.
    for (const step of steps) expect(step.run ?? '').not.toContain('${{');
  });
});
