import { resolve } from 'node:path';
import { importLegacy } from '../catalog/legacy/import-legacy.js';
import { recordPath } from '../catalog/record-files.js';
import { ExitCode } from '../lib/errors.js';
import { findRepoRoot } from '../lib/git.js';
import { formatProblem } from '../lib/problems.js';
import type { CommandRun } from './types.js';

export const run: CommandRun = async (values, positionals, context) => {
  const file = resolve(context.cwd, positionals[0] as string);
  const out = values.out
    ? resolve(context.cwd, values.out as string)
    : ((await findRepoRoot(context.cwd)) ?? context.cwd);
  const result = await importLegacy({ file, out, dryRun: Boolean(values['dry-run']) });
  const notImported = result.blocks - result.imported.length;
  if (values.json) {
    context.out(
      `${JSON.stringify({
        imported: result.imported.map((entry) => ({
          file: recordPath(entry.record),
          line: entry.line,
          record: entry.record,
        })),
        problems: result.problems,
        written: result.written,
      })}\n`,
    );
  } else {
    for (const problem of result.problems) context.out(`${formatProblem(problem)}\n`);
    for (const entry of result.imported) {
      const state = result.unchanged.includes(recordPath(entry.record))
        ? 'unchanged'
        : values['dry-run']
          ? 'would write'
          : 'wrote';
      context.out(`${state} ${recordPath(entry.record)}  (line ${entry.line}: ${entry.heading})\n`);
    }
    context.err(
      `${result.blocks} blocks: ${result.imported.length} imported, ${notImported} not imported, ${result.problems.length} problems reported\n`,
    );
  }
  return notImported > 0 ? ExitCode.problems : ExitCode.ok;
};
