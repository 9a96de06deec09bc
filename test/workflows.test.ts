import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolkitPath } from '../tools/lib/paths.js';

interface Step {
  uses?: string;
  run?: string;
}
interface Job {
  'runs-on'?: string | string[];
  permissions?: Record<string, string> | string;
  steps?: Step[];
  if?: string;
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const folder = toolkitPath('.github', 'workflows');
const workflows = readdirSync(folder)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => ({
    name,
    text: readFileSync(`${folder}/${name}`, 'utf8'),
    workflow: parse(readFileSync(`${folder}/${name}`, 'utf8')) as Workflow,
  }));

describe('GitHub workflows', () => {
  it('exist', () => {
    expect(workflows.map((entry) => entry.name)).toContain('check.yml');
  });

  for (const { name, workflow, text } of workflows) {
    describe(name, () => {
      it('pins every action to a full commit SHA', () => {
        const uses = Object.values(workflow.jobs).flatMap((job) =>
          (job.steps ?? []).map((step) => step.uses).filter(Boolean),
        ) as string[];
        for (const ref of uses) {
          if (ref.startsWith('./')) continue;
          expect(ref, `${name}: ${ref}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        }
      });

      it('sets least-privilege permissions at the top', () => {
        expect(workflow.permissions, name).toBeDefined();
        expect(workflow.permissions).not.toBe('write-all');
        const top = workflow.permissions as Record<string, string>;
        for (const [scope, level] of Object.entries(top)) {
          expect(`${scope}: ${level}`, name).toMatch(/: (read|none)$/);
        }
      });

      it('never runs code from a pull request on a self-hosted runner, nor with pull_request_target', () => {
        expect(text).not.toMatch(/pull_request_target/);
        const events =
          typeof workflow.on === 'object' && !Array.isArray(workflow.on)
            ? Object.keys(workflow.on)
            : [workflow.on].flat();
        for (const job of Object.values(workflow.jobs)) {
          const runsOn = [job['runs-on'] ?? []].flat().join(' ');
          if (runsOn.includes('self-hosted')) expect(events, name).not.toContain('pull_request');
        }
      });
    });
  }
});
