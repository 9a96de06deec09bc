import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseProgress, renderBuildSummary } from '../boot-check/build-summary.js';
import { reportFile } from '../boot-check/verify-built-image.js';
import type { VerifyReport } from '../boot-check/verify-image.js';
import { ExitCode, UserError } from '../lib/errors.js';
import type { CommandRun } from './types.js';

export const run: CommandRun = async (_values, positionals, context) => {
  const file = resolve(context.cwd, positionals[0] as string);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read the build progress ${file}: ${error.code ?? error.message}`);
  });
  const progress = parseProgress(text);
  const reports = new Map<string, VerifyReport>();
  for (const event of progress.events) {
    if (event.type !== 'image') continue;
    const report = await readFile(join(event.dir, reportFile), 'utf8').catch(() => undefined);
    if (report !== undefined) reports.set(event.image, JSON.parse(report) as VerifyReport);
  }
  context.out(renderBuildSummary(progress, reports));
  return ExitCode.ok;
};
