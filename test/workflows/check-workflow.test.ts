/**
 * check.yml passes where it runs: GitHub's Ubuntu runners, as their own user with root tests in a
 * job of their own, and the same pinned version of each action in every workflow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolkitPath } from '../../tools/lib/paths.js';

interface Step {
  uses?: string;
  run?: string;
}
interface Job {
  'runs-on': string;
  steps: Step[];
}
interface Workflow {
  concurrency?: { group: string; 'cancel-in-progress': string | boolean };
  jobs: Record<string, Job>;
}

const folder = toolkitPath('.github', 'workflows');
const texts = new Map(
  readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => [name, readFileSync(`${folder}/${name}`, 'utf8')]),
);
const check = parse(texts.get('check.yml') ?? '') as Workflow;

describe('check.yml', () => {
  it('cancels a running check only for a newer push to the same pull request', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
    expect(check.concurrency?.['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
    // Pushes to main each get their own group (by commit), so none waits behind another and is dropped.
    expect(check.concurrency?.group).toContain('github.sha');
    expect(check.concurrency?.group).not.toContain('github.ref');
  });

  it('runs the suite as the runner user, and the root groups through sudo in their own job', () => {
    const runs = (job: string) => (check.jobs[job]?.steps ?? []).map((step) => step.run).filter(Boolean);
    expect(runs('check')).toContain('npm test');
    expect(runs('check').some((run) => run?.startsWith('sudo npm'))).toBe(false);
    expect(runs('root-tests').some((run) => /^sudo .*npm run test:root$/.test(run ?? ''))).toBe(true);
    for (const job of Object.values(check.jobs)) expect(job['runs-on']).toMatch(/^ubuntu-/);
  });
});

describe('every workflow', () => {
  it('pins each action at one commit, the same in every workflow', () => {
    const pins = new Map<string, Set<string>>();
    for (const [name, text] of texts) {
      for (const match of text.matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})/g)) {
        const action = match[1] ?? '';
        pins.set(action, new Set([...(pins.get(action) ?? []), `${match[2]} (${name})`]));
      }
    }
    const differing = [...pins].filter(
      ([, shas]) => new Set([...shas].map((sha) => sha.slice(0, 40))).size > 1,
    );
    expect(differing.map(([action, shas]) => `${action}: ${[...shas].join(', ')}`)).toEqual([]);
    expect(pins.has('actions/setup-node')).toBe(true);
  });
});

describe('pull-request.yml', () => {
  const text = texts.get('pull-request.yml') ?? '';
  const workflow = parse(text) as Workflow & { on: Record<string, unknown>; permissions: unknown };

  it('runs on pull requests only, read-only, on GitHub-hosted runners, with no secrets', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(workflow.jobs)) {
      expect(job['runs-on']).toMatch(/^ubuntu-/);
      expect((job as { permissions?: unknown }).permissions).toBeUndefined();
    }
    // What the workflow does, its comments left out (they say it never uses the self-hosted builder).
    const code = text.replace(/^\s*#.*$/gm, '');
    expect(code).not.toMatch(/secrets\.|self-hosted|pull_request_target/);
    expect(workflow.concurrency?.['cancel-in-progress']).toBe(true);
  });

  it('builds with --no-record: records are made on main only', () => {
    expect(text).toContain('--no-record');
    expect(text).not.toMatch(/record commit|contents: write/);
  });
});
