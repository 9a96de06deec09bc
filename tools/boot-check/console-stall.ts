/**
 * A boot that stalls before init (pure): under TCG on a busy host a guest sometimes stops early in
 * the kernel (seen around the clocksource switch, about 1 s in) and prints nothing more until the
 * check's time runs out. The console then makes no progress at all before the kernel hands over to
 * init; past a bounded silence (scaled by the host's pace) the boot check kills that QEMU and boots
 * the instance once more, and a second stall fails the check (boot-instance.ts).
 */

/** Silence on the console before init, on an idle host, that counts as a stall. */
export const stallSeconds = 60;

/**
 * The kernel handed over to init (the initramfs's or the system's), or init itself spoke: from
 * there on a quiet console is not the kernel's early stall (the initramfs may wait for a disk, a
 * service may be slow), and other limits apply.
 */
const initLines = [
  /Run \S+ as init process/,
  /Trying to run as init process/,
  /\bsystemd\[1\]:/,
  /^Loading, please wait/m,
];

/** The old kernel's last words at a reboot: from here on, the new boot's firmware and kernel. */
const restartLine = /reboot: (?:Restarting system|machine restart)[^\n]*\n?/g;

/**
 * At a reboot, the console after the old kernel restarted the machine, or undefined while it has
 * not yet (a shutdown can be quiet for a long time: that is no stall).
 */
export function afterRestart(consoleText: string): string | undefined {
  let end: number | undefined;
  for (const match of consoleText.matchAll(restartLine)) end = match.index + match[0].length;
  return end === undefined ? undefined : consoleText.slice(end);
}

export function reachedInit(consoleText: string): boolean {
  return initLines.some((pattern) => pattern.test(consoleText));
}

/** The first line of a report of a stuck CPU: the kernel's own watchdogs. */
const stuckReport = /BUG: soft lockup|rcu: INFO: .*detected stalls?|self-detected stall/;

/**
 * The console without the reports of stuck CPUs (from the report's first line to its `</TASK>`, or
 * to the end while it is being printed): a kernel stuck in one place (seen: unpacking the initramfs,
 * `do_populate_rootfs`) prints such a report every 26 s or so, which is no progress.
 */
export function withoutStuckReports(consoleText: string): string {
  const kept: string[] = [];
  let inReport = false;
  for (const line of consoleText.split('\n')) {
    if (!inReport && stuckReport.test(line)) inReport = true;
    if (!inReport) kept.push(line);
    else if (line.includes('</TASK>')) inReport = false;
  }
  return kept.join('\n');
}

/** Whether the kernel reported a stuck CPU. */
export function reportedStuck(consoleText: string): boolean {
  return stuckReport.test(consoleText);
}

/** How the console grew: its length, and when that last changed (performance.now() milliseconds). */
export interface ConsoleProgress {
  length: number;
  changedAt: number;
}

export function trackProgress(progress: ConsoleProgress, length: number, now: number): ConsoleProgress {
  return length === progress.length ? progress : { length, changedAt: now };
}

/** The last line the console showed, for the report (the kernel's last word before it stopped). */
export function lastLine(consoleText: string): string {
  const lines = consoleText
    .replace(/\r/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return (lines.at(-1) ?? '').slice(0, 200);
}

/**
 * Whether the boot stalled: init not reached, and no new byte on the console (reports of stuck
 * CPUs aside: `progress` follows withoutStuckReports) for longer than `limitMs` (the caller scales
 * it by the host's pace). Returns what was seen, or undefined.
 */
export function stallOf(
  consoleText: string,
  progress: ConsoleProgress,
  now: number,
  limitMs: number,
): string | undefined {
  if (reachedInit(consoleText)) return undefined;
  const silentMs = now - progress.changedAt;
  if (silentMs <= limitMs) return undefined;
  const last = lastLine(withoutStuckReports(consoleText));
  const stuck = reportedStuck(consoleText) ? '; the kernel reported a stuck CPU meanwhile' : '';
  return `no console progress for ${Math.round(silentMs / 1000)} s before init (${
    last === '' ? 'the console stayed empty' : `last line: ${last}`
  }${stuck})`;
}
