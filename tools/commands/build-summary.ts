import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseProgress, renderBuildSummary } from '../boot-check/build-summary.js';
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
    // The boot check's report is an artifact of the image (<base>.verify.json); folders built
    // before reports were artifacts hold it as verify.json.
    const name =
      event.artifacts.find((artifact) => artifact.name.endsWith('.verify.json'))?.name ?? 'verify.json';
    const report = await readFile(join(event.dir, name), 'utf8').catch(() => undefined);
    if (report === undefined) continue;
    try {
      reports.set(event.image, JSON.parse(report) as VerifyReport);
    } catch {
      // A damaged report is left out of the summary, which then shows the build's own lines.
      context.err(`emi: ${join(event.dir, name)} is not JSON: its checks are left out of the summary\n`);
    }
  }
  context.out(renderBuildSummary(progress, reports));
  return ExitCode.ok;
};
