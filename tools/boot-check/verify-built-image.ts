/**
 * The boot check as `emi build`'s verify step: it boots the artifact folder before it is
 * published. A pass adds the report (verify.json) to the folder; a failure keeps the serial logs
 * and the report in <out>/verify-failed/<image>/ and fails the build, so nothing is published or
 * recorded.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { VerifyImage } from '../image-build/build-image.js';
import { UserError } from '../lib/errors.js';
import type { CheckResult } from './checks.js';
import { summaryLine } from './render-report.js';
import { type VerifyReport, verifyImage } from './verify-image.js';

export const reportFile = 'verify.json';
export const failedLogsDir = 'verify-failed';

/** The one-line detail of a passed check, for the build's progress. */
export function passDetail(report: VerifyReport): string {
  const first = report.boots[0];
  const timing = first ? `; agent done ${first.agent_done_s} s, ssh login ${first.ssh_login_s} s` : '';
  return `${report.checks.length} checks passed (${report.accel.toUpperCase()})${timing}`;
}

/**
 * The build's error: its first line names the failed checks, the next ones say why, and one line
 * per reason gathers the checks that could not run.
 */
export function failureMessage(report: VerifyReport, logs: string): string {
  const lines = [`${summaryLine(report)}; serial logs in ${logs}`];
  // First, before the checks: a slow host, not the image, may be what failed them.
  if (report.slow_host !== null) lines.push(`  slow host: ${report.slow_host}`);
  const where = (check: CheckResult) => (check.boot ? ` (${check.boot})` : '');
  for (const check of report.checks)
    if (check.result === 'fail') lines.push(`  ${check.name}${where(check)}: ${check.detail}`);
  const notRun = new Map<string, string[]>();
  for (const check of report.checks) {
    if (check.result !== 'not-run') continue;
    const reason = `${check.boot ? `${check.boot}, ` : ''}${check.detail}`;
    notRun.set(reason, [...(notRun.get(reason) ?? []), check.name]);
  }
  for (const [reason, names] of notRun) lines.push(`  not run (${reason}): ${names.join(', ')}`);
  return lines.join('\n');
}

export function bootCheck(options: { timeoutSeconds?: number } = {}): VerifyImage {
  return async (built, { signal, log }) => {
    // Inside the build's own work folder: removed with it, and by the next build if we are killed.
    const workDir = join(dirname(built.dir), 'verify');
    const report = await verifyImage({
      record: built.record,
      image: built.image,
      kernel: built.kernel,
      initrd: built.initrd,
      keepDir: workDir,
      log,
      ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
      ...(signal ? { signal } : {}),
    });
    if (report.ok) {
      await writeFile(
        join(built.dir, reportFile),
        `${JSON.stringify({ ...report, work_dir: null }, null, 2)}\n`,
        { mode: 0o644 },
      );
      return passDetail(report);
    }
    const outDir = dirname(built.plan.outputs.dir);
    const kept = join(outDir, failedLogsDir, basename(built.plan.outputs.dir));
    await mkdir(dirname(kept), { recursive: true });
    await rm(kept, { recursive: true, force: true });
    await rename(workDir, kept);
    await writeFile(join(kept, 'report.json'), `${JSON.stringify({ ...report, work_dir: kept }, null, 2)}\n`);
    throw new UserError(failureMessage(report, kept));
  };
}
