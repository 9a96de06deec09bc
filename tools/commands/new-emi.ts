import { newRecord, readRecipes } from '../catalog/new-record.js';
import { archesOf, linesFor } from '../catalog/plan-new-record.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import { checkArchOption } from './arch-option.js';
import { parseEpochOption } from './stamp.js';
import type { CommandContext, CommandRun } from './types.js';

async function ask(context: CommandContext, what: string, flag: string, choices: string[]): Promise<string> {
  if (!context.interactive) {
    throw new UsageError(
      `missing --${flag} (not on a terminal, so nothing is asked): choose one of ${choices.join(', ')}`,
    );
  }
  if (choices.length === 1) return choices[0] as string;
  return context.prompt.ask(what, choices);
}

export const run: CommandRun = async (values, _positionals, context) => {
  checkArchOption(values.arch as string | undefined);
  const json = Boolean(values.json);
  const dryRun = Boolean(values['dry-run']);
  const epoch = parseEpochOption(values.epoch as string | undefined);
  let recipeName = values.recipe as string | undefined;
  let arch = values.arch as string | undefined;
  let name = values.name as string | undefined;
  if (recipeName === undefined || arch === undefined) {
    const recipes = await readRecipes(context.cwd);
    if (recipes.size === 0)
      throw new UsageError('this catalog has no recipes yet: add recipes/<name>/recipe.yaml first');
    recipeName ??= await ask(context, 'Recipe', 'recipe', [...recipes.keys()].sort());
    const recipe = recipes.get(recipeName);
    if (recipe && arch === undefined) arch = await ask(context, 'Arch', 'arch', archesOf(recipe));
    if (recipe && arch !== undefined && name === undefined && context.interactive) {
      const lines = linesFor(recipe, arch);
      if (lines.length > 1) name = await context.prompt.ask('Image line', lines);
    }
  }
  if (arch === undefined) throw new UsageError('missing --arch');
  if (!dryRun && !values.yes && !context.interactive) {
    throw new UsageError('not on a terminal: pass --yes to write the record, or --dry-run to only show it');
  }

  const result = await newRecord({
    cwd: context.cwd,
    recipeName,
    arch,
    ...(name === undefined ? {} : { name }),
    epoch,
    dryRun,
    ...(values.yes || !context.interactive
      ? {}
      : {
          confirm: async (plan) => {
            context.err(`\n${plan.files[0]?.path}\n${plan.files[0]?.content}\n`);
            return context.prompt.confirm(`Write ${plan.recordPath} and ${plan.imageIdPath}?`);
          },
        }),
  });
  const { plan, written, removed } = result;
  if (json) {
    context.out(
      `${JSON.stringify({ written, record: plan.record, files: plan.files.map((file) => file.path), removed, skipped_seconds: plan.skippedSeconds })}\n`,
    );
  } else {
    if (!written && (dryRun || values.yes)) context.out(plan.files[0]?.content ?? '');
    if (plan.skippedSeconds > 0) {
      context.err(
        `the requested second was already used, or is not after the line's current record: moved ${plan.skippedSeconds} s forward\n`,
      );
    }
    const from = plan.previousVersion ? ` (was ${plan.previousVersion})` : '';
    for (const path of removed)
      context.err(
        `${written ? 'removed' : 'would remove'} ${path}: the package manifest of the previous build (the new release is not built yet)\n`,
      );
    context.err(
      written
        ? `wrote ${plan.recordPath} and ${plan.imageIdPath}: ${plan.record.image_name} ${plan.record.image_version}${from}\n`
        : dryRun
          ? 'dry run: nothing written\n'
          : 'cancelled: nothing written\n',
    );
  }
  return written || dryRun ? ExitCode.ok : ExitCode.problems;
};
