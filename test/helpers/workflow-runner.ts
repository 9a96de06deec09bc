/**
 * Runs one job of a workflow file the way a runner would, for tests: its `run:` steps in order,
 * each with `bash --noprofile --norc -eo pipefail` (GitHub's default shell on Linux), in a clone of
 * a local bare origin, with the files a runner provides (GITHUB_OUTPUT, GITHUB_ENV,
 * GITHUB_STEP_SUMMARY), the job's and step's env:, and the actions we use done locally:
 * checkout (a clone at the commit), setup-node (nothing: this Node), upload- and download-artifact
 * (folders under the run's artifact folder). `npm ci` links this toolkit's bin/ into the clone
 * (installing in every temp clone would take minutes and the registry). Only the expressions and
 * conditions build.yml and pull-request.yml use are understood; anything else throws, so the test cannot pass by
 * skipping what it does not understand. A step may be replaced by a stand-in (the image build).
 */
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCommand } from '../../tools/lib/exec.js';
import { toolkitPath } from '../../tools/lib/paths.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  env?: Record<string, string>;
  steps: Step[];
  outputs?: Record<string, string>;
  if?: string;
}
export interface Workflow {
  jobs: Record<string, Job>;
}

export interface JobContext {
  origin: string;
  /** The commit the run is for (GITHUB_SHA). */
  sha: string;
  event: 'push' | 'workflow_dispatch' | 'schedule' | 'pull_request';
  /** The pull request's base branch (github.base_ref), for event pull_request. */
  baseRef?: string;
  inputs?: Record<string, string | boolean>;
  matrix?: Record<string, unknown>;
  needs?: Record<string, { outputs: Record<string, string>; result: string }>;
  vars?: Record<string, string>;
  /** The run's folder: workspaces, runner temp folders and artifacts live here. */
  runDir: string;
  /** Replaces a step (by id) with a function run in its place; it gets the step's environment. */
  standIns?: Record<string, (env: Record<string, string>) => Promise<void>>;
  /** Called before each step, by name (e.g. to make a racing push). */
  beforeStep?: (name: string) => Promise<void>;
  /** Extra environment for every step (a test's git identity). */
  env?: Record<string, string>;
}

export interface JobResult {
  ok: boolean;
  outputs: Record<string, string>;
  steps: { name: string; outcome: 'success' | 'failure' | 'skipped'; stderr: string; stdout: string }[];
  summary: string;
  workspace: string;
}

export async function loadWorkflow(name: string): Promise<Workflow> {
  return parse(await readFile(toolkitPath('.github', 'workflows', name), 'utf8')) as Workflow;
}

/** Reads `key=value` lines and `key<<DELIMITER` blocks, as the runner reads GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i] as string);
      outputs[heredoc[1] as string] = value.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

type Outcomes = Record<string, { outcome: string; outputs: Record<string, string> }>;

function evaluate(expression: string, context: JobContext, steps: Outcomes, runnerTemp: string): string {
  const expr = expression.trim();
  const path = /^([\w-]+)\.([\w-]+)(?:\.([\w-]+)\.([\w-]+))?$/.exec(expr);
  const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  if (expr === "github.event_name == 'schedule'") return String(context.event === 'schedule');
  if (path) {
    const [, root, key, sub, leaf] = path;
    if (root === 'matrix' && !sub) return text(context.matrix?.[key as string]);
    if (root === 'inputs' && !sub)
      return text(context.event === 'workflow_dispatch' ? context.inputs?.[key as string] : undefined);
    if (root === 'vars' && !sub) return text(context.vars?.[key as string]);
    if (root === 'runner' && key === 'temp') return runnerTemp;
    if (root === 'github' && key === 'event_name') return context.event;
    if (root === 'github' && key === 'base_ref' && !sub)
      return context.event === 'pull_request' ? text(context.baseRef) : '';
    if (root === 'steps' && sub === 'outputs') return text(steps[key as string]?.outputs[leaf as string]);
    if (root === 'needs' && sub === 'outputs')
      return text(context.needs?.[key as string]?.outputs[leaf as string]);
  }
  throw new Error(`the workflow runner does not know the expression \${{ ${expr} }}`);
}

function substitute(value: string, context: JobContext, steps: Outcomes, runnerTemp: string): string {
  return value.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => evaluate(expr, context, steps, runnerTemp));
}

function condition(text: string | undefined, context: JobContext, steps: Outcomes, failed: boolean): boolean {
  if (text === undefined) return !failed;
  const expr = text.replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
  if (expr === "github.event_name == 'schedule'") return !failed && context.event === 'schedule';
  if (expr === 'always()') return true;
  if (expr === "always() && steps.build.outcome != 'skipped'") return steps.build?.outcome !== 'skipped';
  throw new Error(`the workflow runner does not know the condition ${text}`);
}

/** Whether a job runs, for the job-level conditions of build.yml. */
export function jobCondition(job: Job, needs: JobContext['needs']): boolean {
  if (job.if === undefined) return true;
  const expr = job.if.replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
  if (expr === "needs.plan.outputs.count != '0'") return needs?.plan?.outputs.count !== '0';
  if (expr === "!cancelled() && needs.plan.outputs.count != '0'") return needs?.plan?.outputs.count !== '0';
  throw new Error(`the workflow runner does not know the job condition ${job.if}`);
}

async function uploadArtifact(
  step: Step,
  values: (text: string) => string,
  artifacts: string,
): Promise<void> {
  const name = values(String(step.with?.name));
  const source = values(String(step.with?.path));
  const files = (await readdir(source, { recursive: true }).catch(() => [])) as string[];
  if (files.length === 0) {
    if (step.with?.['if-no-files-found'] === 'error')
      throw new Error(`no files in ${source} for artifact ${name}`);
    return;
  }
  await cp(source, join(artifacts, name), { recursive: true });
}

async function downloadArtifacts(
  step: Step,
  values: (text: string) => string,
  artifacts: string,
): Promise<void> {
  const pattern = String(step.with?.pattern ?? '');
  if (!pattern.endsWith('*') || step.with?.['merge-multiple'] !== true)
    throw new Error('the workflow runner downloads only pattern: prefix-* with merge-multiple: true');
  const target = values(String(step.with?.path));
  await mkdir(target, { recursive: true });
  for (const name of await readdir(artifacts).catch(() => [] as string[]))
    if (name.startsWith(pattern.slice(0, -1))) await cp(join(artifacts, name), target, { recursive: true });
}

export async function runJob(workflow: Workflow, jobId: string, context: JobContext): Promise<JobResult> {
  const job = workflow.jobs[jobId];
  if (!job) throw new Error(`no job ${jobId}`);
  const label = `${jobId}${context.matrix ? `-${String(context.matrix.line)}.${String(context.matrix.arch)}` : ''}`;
  const jobDir = join(context.runDir, label);
  const workspace = join(jobDir, 'workspace');
  const runnerTemp = join(jobDir, 'temp');
  const artifacts = join(context.runDir, 'artifacts');
  await mkdir(runnerTemp, { recursive: true });
  await mkdir(artifacts, { recursive: true });
  const files = {
    GITHUB_OUTPUT: join(jobDir, 'output'),
    GITHUB_ENV: join(jobDir, 'env'),
    GITHUB_STEP_SUMMARY: join(jobDir, 'summary.md'),
  };
  await writeFile(files.GITHUB_STEP_SUMMARY, '');
  const steps: Outcomes = {};
  const result: JobResult = { ok: true, outputs: {}, steps: [], summary: '', workspace };
  let exported: Record<string, string> = {};
  for (const [index, step] of job.steps.entries()) {
    const name = step.name ?? step.id ?? step.uses ?? step.run ?? `step ${index}`;
    const id = step.id ?? `step${index}`;
    if (!condition(step.if, context, steps, !result.ok)) {
      steps[id] = { outcome: 'skipped', outputs: {} };
      result.steps.push({ name, outcome: 'skipped', stderr: '', stdout: '' });
      continue;
    }
    await context.beforeStep?.(name);
    const values = (text: string) => substitute(text, context, steps, runnerTemp);
    const env: Record<string, string> = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: context.sha,
      GITHUB_EVENT_NAME: context.event,
      GITHUB_WORKSPACE: workspace,
      GITHUB_REF: context.event === 'pull_request' ? 'refs/pull/1/merge' : 'refs/heads/main',
      RUNNER_TEMP: runnerTemp,
      ...files,
      ...(context.env ?? {}),
      ...exported,
    };
    for (const [key, value] of Object.entries({ ...(job.env ?? {}), ...(step.env ?? {}) }))
      env[key] = values(String(value));
    await writeFile(files.GITHUB_OUTPUT, '');
    let outcome: 'success' | 'failure' = 'success';
    let stdout = '';
    let stderr = '';
    try {
      const standIn = step.id ? context.standIns?.[step.id] : undefined;
      if (standIn) await standIn({ ...env, WORKSPACE: workspace });
      else if (step.uses?.startsWith('actions/checkout@')) {
        await runCommand('git', ['clone', '-q', `file://${context.origin}`, workspace], {
          env: context.env ?? {},
        });
        // actions/checkout fetches a pull request's ref besides the branches (fetch-depth: 0).
        if (context.event === 'pull_request')
          await runCommand('git', ['fetch', '-q', 'origin', '+refs/pull/*:refs/remotes/origin/pull/*'], {
            cwd: workspace,
            env: context.env ?? {},
          });
        await runCommand('git', ['checkout', '-q', '--detach', context.sha], { cwd: workspace });
      } else if (step.uses?.startsWith('actions/setup-node@')) {
        // This process's Node.
      } else if (step.uses?.startsWith('actions/upload-artifact@'))
        await uploadArtifact(step, values, artifacts);
      else if (step.uses?.startsWith('actions/download-artifact@'))
        await downloadArtifacts(step, values, artifacts);
      else if (step.uses) throw new Error(`the workflow runner cannot run ${step.uses}`);
      else if (step.run?.trim() === 'npm ci') {
        await symlink(toolkitPath('bin'), join(workspace, 'bin'));
        await writeFile(join(workspace, '.git', 'info', 'exclude'), '/bin\n', { flag: 'a' });
      } else if (step.run !== undefined) {
        const script = join(jobDir, `step-${index}.sh`);
        await writeFile(script, step.run);
        const run = await runCommand('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
          cwd: workspace,
          env,
          extendEnv: true,
          reject: false,
          timeoutMs: 120_000,
        });
        stdout = run.stdout;
        stderr = run.stderr;
        if (run.exitCode !== 0) outcome = 'failure';
      }
    } catch (error) {
      outcome = 'failure';
      stderr = error instanceof Error ? error.message : String(error);
    }
    const outputs = parseOutputFile(await readFile(files.GITHUB_OUTPUT, 'utf8').catch(() => ''));
    exported = { ...exported, ...parseOutputFile(await readFile(files.GITHUB_ENV, 'utf8').catch(() => '')) };
    steps[id] = { outcome, outputs };
    result.steps.push({ name, outcome, stderr, stdout });
    if (outcome === 'failure') result.ok = false;
  }
  for (const [key, value] of Object.entries(job.outputs ?? {}))
    result.outputs[key] = substitute(value, context, steps, runnerTemp);
  result.summary = await readFile(files.GITHUB_STEP_SUMMARY, 'utf8');
  return result;
}
