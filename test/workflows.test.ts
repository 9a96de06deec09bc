import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolkitPath } from '../tools/lib/paths.js';
import { checkWorkflowPolicy, type Rule } from './helpers/workflow-policy.js';

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

describe('workflow policy (test/helpers/workflow-policy.ts)', () => {
  const fixtures = toolkitPath('test', 'fixtures', 'workflows');
  const expected: Record<string, Rule> = {
    'self-hosted-pull-request.yml': 'self-hosted-trigger',
    'self-hosted-workflow-run.yml': 'self-hosted-trigger',
    'self-hosted-no-environment.yml': 'self-hosted-environment',
    'no-permissions.yml': 'permissions',
    'write-all.yml': 'permissions',
    'top-level-write.yml': 'permissions',
    'injection-event.yml': 'injection',
    'injection-matrix.yml': 'injection',
    'injection-inputs.yml': 'injection',
    'unpinned-tag.yml': 'pinning',
    'unpinned-short-sha.yml': 'pinning',
    'unpinned-reusable.yml': 'pinning',
    'unpinned-docker.yml': 'pinning',
  };

  for (const { name, text } of workflows) {
    it(`${name} follows every rule`, () => {
      expect(checkWorkflowPolicy(text, name)).toEqual([]);
    });
  }

  it('has a fixture for every rule and every fixture is named here', () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(expected).sort());
    expect(new Set(Object.values(expected))).toEqual(
      new Set(['self-hosted-trigger', 'self-hosted-environment', 'permissions', 'injection', 'pinning']),
    );
  });

  for (const [file, rule] of Object.entries(expected)) {
    it(`rejects ${file} for ${rule}, and for nothing else`, () => {
      const problems = checkWorkflowPolicy(readFileSync(`${fixtures}/${file}`, 'utf8'), file);
      expect(problems.length, JSON.stringify(problems)).toBeGreaterThan(0);
      expect(new Set(problems.map((problem) => problem.rule))).toEqual(new Set([rule]));
    });
  }

  it('names the offending expression and says how to pass it', () => {
    const problems = checkWorkflowPolicy(readFileSync(`${fixtures}/injection-matrix.yml`, 'utf8'), 'x.yml');
    expect(problems).toEqual([
      {
        rule: 'injection',
        message: 'x.yml jobs.build.steps[0]: run: expands ${{ matrix.…; pass it through env: and use "$VAR"',
      },
    ]);
  });
});
