/**
 * The project's workflow rules, checked over a workflow's YAML (test/workflows.test.ts runs them
 * over every workflow and proves each with a fixture it rejects):
 * - self-hosted: a job on a self-hosted runner only in a workflow that no fork can start, and
 *   only with an environment (whose rules restrict it to main);
 * - permissions: a top-level permissions block that grants at most read, never write-all anywhere;
 * - injection: no ${{ }} of event data, inputs, matrix values or outputs inside a run: script;
 * - pinning: every action (step or reusable workflow) pinned by a 40-hex commit SHA, docker
 *   actions by digest.
 */
import { parse } from 'yaml';

export type Rule =
  | 'self-hosted-trigger'
  | 'self-hosted-environment'
  | 'permissions'
  | 'injection'
  | 'pinning';

export interface PolicyProblem {
  rule: Rule;
  message: string;
}

interface Step {
  uses?: string;
  run?: string;
  name?: string;
}
interface Job {
  'runs-on'?: unknown;
  environment?: unknown;
  permissions?: unknown;
  uses?: string;
  steps?: Step[];
}
interface Workflow {
  on?: unknown;
  true?: unknown;
  permissions?: unknown;
  jobs?: Record<string, Job>;
}

/** Events that someone without write access can cause (a fork's pull request, a comment, a star …). */
export const forkTriggerableEvents = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'issue_comment',
  'issues',
  'discussion',
  'discussion_comment',
  'workflow_run',
  'fork',
  'watch',
];

const untrustedInRun =
  /\$\{\{[^}]*?\b(github\.event\.|github\.head_ref|inputs\.|matrix\.|[\w-]+\.outputs\.|steps\.[\w-]+\.outputs)/;

function events(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  if (on && typeof on === 'object') return Object.keys(on);
  return [];
}

function isSelfHosted(runsOn: unknown): boolean {
  if (typeof runsOn === 'string') return runsOn === 'self-hosted' || runsOn.includes('self-hosted');
  if (Array.isArray(runsOn)) return runsOn.some((label) => String(label) === 'self-hosted');
  // { group: …, labels: … } targets a runner group: ours, so self-hosted.
  return Boolean(runsOn && typeof runsOn === 'object');
}

function checkPermissions(value: unknown, where: string, top: boolean): PolicyProblem[] {
  if (value === 'write-all') return [{ rule: 'permissions', message: `${where}: permissions: write-all` }];
  if (!top) return [];
  if (value === undefined) return [{ rule: 'permissions', message: `${where}: no top-level permissions` }];
  if (value === 'read-all' || (value && typeof value === 'object' && Object.keys(value).length === 0))
    return [];
  if (typeof value !== 'object' || value === null)
    return [{ rule: 'permissions', message: `${where}: top-level permissions ${String(value)}` }];
  return Object.entries(value as Record<string, unknown>)
    .filter(([, level]) => level !== 'read' && level !== 'none')
    .map(([scope, level]) => ({
      rule: 'permissions' as const,
      message: `${where}: top-level permissions grant ${scope}: ${String(level)} (grant writes in the job that needs them)`,
    }));
}

function checkUses(uses: string, where: string): PolicyProblem[] {
  if (uses.startsWith('./')) return [];
  if (uses.startsWith('docker://'))
    return /@sha256:[0-9a-f]{64}$/.test(uses)
      ? []
      : [{ rule: 'pinning', message: `${where}: ${uses} is not pinned by digest (@sha256:…)` }];
  return /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(uses)
    ? []
    : [{ rule: 'pinning', message: `${where}: ${uses} is not pinned by a full commit SHA` }];
}

export function checkWorkflowPolicy(text: string, name: string): PolicyProblem[] {
  const workflow = parse(text) as Workflow;
  const problems: PolicyProblem[] = [];
  // YAML 1.1 readers turn a bare `on` into true; the yaml package (1.2) keeps it, but be safe.
  const triggers = events(workflow.on ?? workflow.true);
  const forkable = triggers.filter((event) => forkTriggerableEvents.includes(event));
  problems.push(...checkPermissions(workflow.permissions, name, true));
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    const where = `${name} jobs.${id}`;
    problems.push(...checkPermissions(job.permissions, where, false));
    if (isSelfHosted(job['runs-on'])) {
      if (forkable.length > 0)
        problems.push({
          rule: 'self-hosted-trigger',
          message: `${where} runs on a self-hosted runner in a workflow that ${forkable.join(', ')} can start`,
        });
      if (job.environment === undefined)
        problems.push({
          rule: 'self-hosted-environment',
          message: `${where} runs on a self-hosted runner without an environment`,
        });
    }
    if (job.uses) problems.push(...checkUses(job.uses, where));
    for (const [index, step] of (job.steps ?? []).entries()) {
      const at = `${where}.steps[${index}]${step.name ? ` (${step.name})` : ''}`;
      if (step.uses) problems.push(...checkUses(step.uses, at));
      const match = step.run === undefined ? null : untrustedInRun.exec(step.run);
      if (match)
        problems.push({
          rule: 'injection',
          message: `${at}: run: expands ${match[0]}…; pass it through env: and use "$VAR"`,
        });
    }
  }
  return problems;
}
