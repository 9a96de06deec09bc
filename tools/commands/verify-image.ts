import { resolve } from 'node:path';
import { readImageArtifacts } from '../boot-check/artifact-dir.js';
import { renderReport } from '../boot-check/render-report.js';
import { defaultTimeoutSeconds, verifyImage } from '../boot-check/verify-image.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import type { CommandRun } from './types.js';

export function parseTimeoutOption(value: string | undefined): number {
  if (value === undefined) return defaultTimeoutSeconds;
  if (!/^[0-9]{1,6}$/.test(value) || Number(value) < 1)
    throw new UsageError(`--timeout must be a whole number of seconds (1 or more), not "${value}"`);
  return Number(value);
}

export const run: CommandRun = async (values, positionals, context) => {
  const timeoutSeconds = parseTimeoutOption(values.timeout as string | undefined);
  const keep = values.keep as string | undefined;
  const recordFile = values.record as string | undefined;
  const artifacts = await readImageArtifacts(positionals[0] as string, {
    cwd: context.cwd,
    ...(recordFile === undefined ? {} : { recordFile }),
  });
  const report = await verifyImage({
    record: artifacts.record,
    image: artifacts.image,
    kernel: artifacts.kernel,
    initrd: artifacts.initrd,
    timeoutSeconds,
    signal: context.signal,
    log: (line) => context.err(`emi verify-image: ${line}\n`),
    ...(keep === undefined ? {} : { keepDir: resolve(context.cwd, keep) }),
  });
  context.out(values.json ? `${JSON.stringify(report)}\n` : renderReport(report));
  return report.ok ? ExitCode.ok : ExitCode.problems;
};
