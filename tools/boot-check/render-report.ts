/** The boot check's report as text for a terminal or a CI log (pure); --json prints the report itself. */
import { join } from 'node:path';
import { checkDescriptions } from './checks.js';
import type { VerifyReport } from './verify-image.js';

const mark = { pass: 'ok  ', fail: 'FAIL', 'not-run': '--  ' } as const;

function timing(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)} s`;
}

export function renderReport(report: VerifyReport): string {
  const lines = [
    `${report.image_file} (${report.image_arch}): ${report.qemu} with ${report.accel.toUpperCase()}`,
  ];
  for (const boot of report.boots) {
    const from = boot.name === 'reboot' ? 'the reboot' : 'QEMU start';
    const pace = boot.host_pace === null ? '' : `; host pace ${Math.round(boot.host_pace * 100)}%`;
    lines.push(
      `  ${boot.name.padEnd(15)} ${boot.instance_id}  agent done ${timing(boot.agent_done_s)}, ssh login ${timing(boot.ssh_login_s)} after ${from}${pace}`,
    );
    if (boot.retried) lines.push(`  ${''.padEnd(15)} booted once more: ${boot.retried}`);
  }
  const width = Math.max(...report.checks.map((check) => check.name.length));
  for (const check of report.checks) {
    const where = check.boot ? `${check.boot}: ` : '';
    lines.push(`  ${mark[check.result]}  ${check.name.padEnd(width)}  ${where}${check.detail}`);
  }
  lines.push(summaryLine(report));
  if (report.slow_host !== null) lines.push(`slow host: ${report.slow_host}`);
  if (report.work_dir !== null) {
    const dir = report.work_dir;
    const logs = [...new Set(report.boots.map((boot) => join(dir, boot.serial_log)))];
    lines.push(`serial logs: ${logs.join(', ')}`);
  } else lines.push('serial logs not kept (--keep DIR keeps them)');
  return `${lines.join('\n')}\n`;
}

/** `every check passed (34)`, or the names of the failed checks and how many could not run. */
export function summaryLine(report: Pick<VerifyReport, 'checks'>): string {
  const names = (outcome: 'fail' | 'not-run') => [
    ...new Set(report.checks.filter((check) => check.result === outcome).map((check) => check.name)),
  ];
  const failed = names('fail');
  const notRun = report.checks.filter((check) => check.result === 'not-run').length;
  if (failed.length === 0 && notRun === 0) return `every check passed (${report.checks.length})`;
  const parts = [];
  if (failed.length > 0) parts.push(`failed: ${failed.join(', ')}`);
  if (notRun > 0) parts.push(`${notRun} could not run`);
  return `boot check failed (${parts.join('; ')})`;
}

/** One line per check name and what it proves (for help texts). */
export function describeChecks(): string {
  return Object.entries(checkDescriptions)
    .map(([name, text]) => `${name}: ${text}`)
    .join('\n');
}
