import { appendFile } from 'node:fs/promises';
import { readHostSources } from '../image-build/apt-sources.js';
import { createArchiveRefresh } from '../image-build/archive-updates.js';
import {
  planMatrix,
  planRebuilds,
  type RebuildPlan,
  renderPlanMarkdown,
} from '../image-build/plan-rebuilds.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import type { CommandContext, CommandRun } from './types.js';

/**
 * A value from the command line, else from the environment (a workflow_dispatch input reaches emi
 * through env:, never through the text of a run: script); an empty value counts as not given.
 */
function pick(values: Record<string, unknown>, name: string, env: NodeJS.ProcessEnv, variable: string) {
  const value = (values[name] as string | undefined) ?? env[variable];
  return value === undefined || value === '' ? undefined : value;
}

function parseForce(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new UsageError(`EMI_FORCE must be true or false, not ${JSON.stringify(value)}`);
}

function printText(plan: RebuildPlan, context: CommandContext): void {
  const where = plan.base
    ? `a merge of HEAD into ${plan.base.ref} (${plan.base.commit.slice(0, 12)})`
    : plan.commit.slice(0, 12);
  context.out(`plan for ${where}\n`);
  for (const image of plan.images) {
    const what = image.error ? 'error' : image.build ? 'build' : 'skip ';
    context.out(`${what}  ${image.line}.${image.arch} (${image.recipe})\n`);
    for (const reason of image.reasons) context.out(`       ${reason}\n`);
    if (image.error) context.out(`       ${image.error.split('\n').join('\n       ')}\n`);
  }
  const count = plan.images.filter((image) => image.build).length;
  context.out(
    count === 0
      ? 'nothing to build\n'
      : `${count} image${count === 1 ? '' : 's'} to build, ${plan.images.length - count} up to date\n`,
  );
}

export const run: CommandRun = async (values, _positionals, context) => {
  if (values.json && values.matrix) throw new UsageError('give --json or --matrix, not both');
  const recipe = pick(values, 'recipe', context.env, 'EMI_RECIPE');
  const line = pick(values, 'line', context.env, 'EMI_LINE');
  const arch = pick(values, 'arch', context.env, 'EMI_ARCH');
  const force = Boolean(values.force) || parseForce(pick({}, '', context.env, 'EMI_FORCE'));
  const refresh = Boolean(values.refresh) || /^(true|1|yes)$/i.test(context.env.EMI_REFRESH ?? '');
  const base = values.base as string | undefined;
  if (base === '') throw new UsageError('--base needs a branch or commit, e.g. --base origin/main');
  const plan = await planRebuilds({
    cwd: context.cwd,
    ...(recipe === undefined ? {} : { recipe }),
    ...(line === undefined ? {} : { line }),
    ...(arch === undefined ? {} : { arch }),
    ...(base === undefined ? {} : { base }),
    force,
    ...(refresh
      ? {
          refresh: createArchiveRefresh({
            ...(values.mirror === undefined ? {} : { mirror: values.mirror as string }),
            ...(values.keyring === undefined ? {} : { keyring: values.keyring as string }),
            env: context.env,
            hostSources: await readHostSources(context.env.EMI_APT_DIR || undefined),
          }),
        }
      : {}),
  });
  if (plan.uncommitted.length > 0) {
    const shown = plan.uncommitted.slice(0, 10).join(', ');
    const more = plan.uncommitted.length > 10 ? ` and ${plan.uncommitted.length - 10} more` : '';
    context.err(`emi: note: not committed, so not in this plan (emi build refuses them): ${shown}${more}\n`);
  }
  const errors = plan.images.filter((image) => image.error);
  if (values.github) {
    // A workflow step: the matrix and its size as step outputs, the plan as the job summary.
    const output = context.env.GITHUB_OUTPUT;
    if (!output)
      throw new UsageError('--github writes to $GITHUB_OUTPUT, which is not set (run it in a workflow)');
    const matrix = planMatrix(plan);
    await appendFile(output, `matrix=${JSON.stringify(matrix)}\ncount=${matrix.include.length}\n`);
    if (context.env.GITHUB_STEP_SUMMARY)
      await appendFile(context.env.GITHUB_STEP_SUMMARY, renderPlanMarkdown(plan));
  }
  if (values.matrix) context.out(`${JSON.stringify(planMatrix(plan))}\n`);
  else if (values.json) context.out(`${JSON.stringify(plan)}\n`);
  else printText(plan, context);
  for (const image of errors) context.err(`emi: ${image.line}.${image.arch}: ${image.error}\n`);
  return errors.length > 0 ? ExitCode.problems : ExitCode.ok;
};
