import { ExitCode, UsageError, UserError } from '../lib/errors.js';
import { requireRepoRoot } from '../lib/git.js';
import { formatProblem } from '../lib/problems.js';
import { worktreeReader } from '../lib/tree-reader.js';
import { applyRecipe, checkPlannedRecipe, planRecipe, type RecipePlan } from '../recipes/scaffold-recipe.js';
import type { CommandRun } from './types.js';

function nextSteps(plan: RecipePlan): string {
  const arch = plan.arches[0] ?? 'x86_64';
  return [
    `Next steps for ${plan.dir}/:`,
    `  1. Edit ${plan.dir}/recipe.yaml (the packages, the lines) and its overlay/ and hooks/.`,
    `  2. npm run validate -- ${plan.dir}`,
    '     the schema, the rules, and shellcheck over the hooks and overlay scripts',
    `  3. npx emi plan --recipe ${plan.name}`,
    '     what would be built, and why',
    `  4. sudo npx emi build ${plan.name} --line ${plan.line} --arch ${arch} --no-record`,
    '     a local build and boot check (needs root; nothing is recorded)',
    `  5. git add ${plan.dir} && git commit, then open a pull request: it plans, builds and`,
    '     boot-checks the new image on GitHub-hosted runners; the merge builds and releases it.',
    '',
  ].join('\n');
}

export const run: CommandRun = async (values, positionals, context) => {
  const [verb, name] = positionals;
  if (verb !== 'new' || name === undefined)
    throw new UsageError(`unknown action "${verb ?? ''}" (use: emi recipe new NAME)`);
  const arches = (values.arch as string[] | undefined) ?? [];
  const root = await requireRepoRoot(context.cwd);
  const reader = worktreeReader(root);
  const plan = await planRecipe(reader, {
    name,
    ...(values.from === undefined ? {} : { from: values.from as string }),
    ...(values.line === undefined ? {} : { line: values.line as string }),
    arches,
  });
  const problems = await checkPlannedRecipe(reader, plan);
  if (problems.length > 0)
    throw new UserError(
      `the new recipe would not validate, so nothing was written:\n${problems.map(formatProblem).join('\n')}`,
    );
  const dryRun = Boolean(values['dry-run']);
  if (!dryRun) await applyRecipe(root, plan);
  if (values.json) {
    context.out(
      `${JSON.stringify({ written: !dryRun, recipe: plan.name, line: plan.line, arches: plan.arches, ...(plan.from ? { from: plan.from } : {}), files: plan.files.map((file) => file.path) })}\n`,
    );
    return ExitCode.ok;
  }
  const what = dryRun ? 'would write' : 'wrote';
  context.err(
    `${what} ${plan.files.length} files under ${plan.dir}/${plan.from ? ` (from ${plan.from})` : ''}\n`,
  );
  for (const file of plan.files) context.out(`${file.path}\n`);
  if (!dryRun) context.err(`\n${nextSteps(plan)}`);
  return ExitCode.ok;
};
