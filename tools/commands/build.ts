import { bootCheck } from '../boot-check/verify-built-image.js';
import { buildRecipe } from '../image-build/build-recipe.js';
import { planSummary } from '../image-build/plan-build.js';
import { ExitCode } from '../lib/errors.js';
import { formatBytes } from '../recipes/sizes.js';
import { createProgressRenderer, type ProgressMode } from './build-progress.js';
import { parseEpochOption } from './stamp.js';
import type { CommandRun } from './types.js';

export const run: CommandRun = async (values, positionals, context) => {
  const json = Boolean(values.json);
  const planOnly = Boolean(values.plan);
  const mode: ProgressMode = json
    ? 'json'
    : context.interactive && context.env.CI !== 'true'
      ? 'live'
      : 'plain';
  // --plan --json prints the plan alone, so no progress events go to stdout then.
  const renderer = createProgressRenderer(
    planOnly && json ? 'plain' : mode,
    planOnly && json ? () => {} : json ? context.out : context.err,
    process.stderr.columns || 100,
  );
  const string = (name: string) => values[name] as string | undefined;
  try {
    const result = await buildRecipe({
      cwd: context.cwd,
      recipeName: positionals[0] as string,
      ...(string('line') === undefined ? {} : { line: string('line') }),
      ...(string('arch') === undefined ? {} : { arch: string('arch') }),
      ...(values.all ? { all: true } : {}),
      ...(string('record') === undefined ? {} : { recordFile: string('record') }),
      ...(string('out') === undefined ? {} : { outDir: string('out') }),
      ...(string('cache') === undefined ? {} : { cacheDir: string('cache') }),
      ...(string('mirror') === undefined ? {} : { mirror: string('mirror') }),
      epoch: parseEpochOption(string('epoch')),
      withZst: Boolean(values.zst),
      writeRecord: !values['no-record'],
      planOnly,
      force: Boolean(values.force) || /^(true|1|yes)$/i.test(context.env.EMI_FORCE ?? ''),
      env: context.env,
      isRoot: process.getuid?.() === 0,
      ...(values['no-verify'] ? {} : { verify: bootCheck() }),
      signal: context.signal,
      emit: (event) => renderer.onEvent(event),
    });
    renderer.close();
    if (planOnly) {
      if (json)
        context.out(
          `${JSON.stringify({ ...planSummary(result.plan), decisions: result.decisions, up_to_date: result.upToDate.map((image) => `${image.line}.${image.arch}`) })}\n`,
        );
      else {
        const { plan } = result;
        context.out(`recipe ${plan.recipe.name} (${plan.digest})\n`);
        for (const source of plan.recipe.sources)
          context.out(`  source ${source.uri} ${source.suites.join(' ')} (from ${source.from})\n`);
        for (const image of plan.images) {
          context.out(
            `${image.image_name}.${image.image_arch} ${image.record.image_version}: ${image.rootfs_size} ${plan.recipe.filesystem.type}, kernel ${image.kernel_package}\n  → ${image.outputs.dir}/\n`,
          );
        }
        for (const image of result.upToDate)
          context.out(
            `${image.line}.${image.arch}: up to date, nothing to build (--force builds it anyway)\n`,
          );
      }
      return ExitCode.ok;
    }
    if (json) {
      context.out(
        `${JSON.stringify({ type: 'result', ok: true, images: result.images, up_to_date: result.upToDate.map((image) => `${image.line}.${image.arch}`) })}\n`,
      );
    } else {
      for (const image of result.upToDate)
        context.out(
          `${image.line}.${image.arch} is up to date (${image.digest}): nothing to build; --force builds it anyway\n`,
        );
      for (const image of result.images) {
        context.out(`${image.dir}\n`);
        for (const artifact of image.artifacts)
          context.out(`  ${artifact.name}  ${formatBytes(artifact.size)}\n`);
        for (const file of image.recordFiles) context.out(`  wrote ${file}\n`);
      }
    }
    return ExitCode.ok;
  } finally {
    renderer.close();
  }
};
