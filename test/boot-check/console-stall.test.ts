/** A boot that stalls before init: the pure detection, on scripted consoles. */
import { describe, expect, it } from 'vitest';
import {
  afterRestart,
  lastLine,
  reachedInit,
  stallOf,
  trackProgress,
  withoutStuckReports,
} from '../../tools/boot-check/console-stall.js';

const early = [
  '[    0.000000] Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org)',
  '[    1.645725] NetLabel: Initializing',
  '[    1.660942] clocksource: Switched to clocksource hpet',
  '',
].join('\n');

describe('reachedInit', () => {
  it('is false while only the kernel spoke, true once it handed over to init or init spoke', () => {
    expect(reachedInit('')).toBe(false);
    expect(reachedInit(early)).toBe(false);
    expect(reachedInit(`${early}[    5.5] Run /init as init process\n`)).toBe(true);
    expect(reachedInit(`${early}Loading, please wait...\n`)).toBe(true);
    expect(
      reachedInit(`${early}[   14.0] systemd[1]: Initializing machine ID from random generator.\n`),
    ).toBe(true);
  });
});

describe('stallOf', () => {
  it('follows the console as it grows: each new byte restarts the count', () => {
    let progress = { length: 0, changedAt: 0 };
    progress = trackProgress(progress, 100, 1_000);
    expect(progress).toEqual({ length: 100, changedAt: 1_000 });
    expect(trackProgress(progress, 100, 50_000)).toBe(progress);
    expect(trackProgress(progress, 140, 50_000)).toEqual({ length: 140, changedAt: 50_000 });
  });

  it('reports a kernel that printed nothing more for longer than the limit, with its last line', () => {
    const progress = { length: early.length, changedAt: 2_000 };
    expect(stallOf(early, progress, 61_000, 60_000)).toBeUndefined();
    expect(stallOf(early, progress, 62_500, 60_000)).toBe(
      'no console progress for 61 s before init (last line: [    1.660942] clocksource: Switched to clocksource hpet)',
    );
  });

  it('says so when the console stayed empty', () => {
    expect(stallOf('', { length: 0, changedAt: 0 }, 90_000, 60_000)).toBe(
      'no console progress for 90 s before init (the console stayed empty)',
    );
  });

  it('never counts a quiet console after init as a stall: other limits apply there', () => {
    const text = `${early}[    5.5] Run /init as init process\nBegin: Waiting for root file system ... `;
    expect(stallOf(text, { length: text.length, changedAt: 0 }, 500_000, 60_000)).toBeUndefined();
  });

  it('scales with the limit the caller gives (the host pace)', () => {
    const progress = { length: early.length, changedAt: 0 };
    expect(stallOf(early, progress, 100_000, 60_000)).toBeDefined();
    expect(stallOf(early, progress, 100_000, 180_000)).toBeUndefined();
  });
});

describe('lastLine', () => {
  it('is the last non-empty line, trimmed and cut to 200 characters', () => {
    expect(lastLine('a\r\nb  \n\n')).toBe('b');
    expect(lastLine(`${'x'.repeat(300)}\n`)).toHaveLength(200);
    expect(lastLine('')).toBe('');
  });
});

describe('afterRestart', () => {
  const shutdown = [
    '[  144.691815] systemd-shutdown[1]: Syncing filesystems and block devices.',
    '[  144.707103] systemd-shutdown[1]: Rebooting.',
    '[  144.739459] reboot: Restarting system',
    '[  144.739688] reboot: machine restart',
    '',
  ].join('\n');

  it('is undefined while the old system is still shutting down, however quiet', () => {
    expect(afterRestart('[  140.0] systemd[1]: Stopping ssh.service...\n')).toBeUndefined();
  });

  it('is the console after the last restart line: a reboot stalled before its kernel printed anything', () => {
    expect(afterRestart(shutdown)).toBe('');
    expect(stallOf(afterRestart(shutdown) ?? '', { length: 1, changedAt: 0 }, 70_000, 60_000)).toBe(
      'no console progress for 70 s before init (the console stayed empty)',
    );
    const next = `${shutdown}${early}`;
    expect(afterRestart(next)).toBe(early);
    expect(reachedInit(afterRestart(`${next}[    5.5] Run /init as init process\n`) ?? '')).toBe(true);
  });
});

describe('a kernel stuck in one place, reporting it', () => {
  // The reboot of a boot check seen here: stuck unpacking the initramfs, a soft lockup report
  // every 26 s or so, never reaching init.
  const report = (seconds: number, at: string) =>
    [
      `[  ${at}] watchdog: BUG: soft lockup - CPU#0 stuck for ${seconds}s! [kworker/u4:0:9]`,
      `[  ${at}] Modules linked in:`,
      `[  ${at}] RIP: 0010:unpack_to_rootfs+0x1a0/0x2b5`,
      `[  ${at}] Call Trace:`,
      `[  ${at}]  <TASK>`,
      `[  ${at}]  do_populate_rootfs+0x59/0x105`,
      `[  ${at}]  </TASK>`,
    ].join('\n');
  const stuck = `${early}${report(26, '79.466066')}\n${report(52, '108.147056')}\n`;

  it('counts its reports as no progress, and says it reported a stuck CPU', () => {
    expect(withoutStuckReports(stuck)).toBe(early);
    // A report still being printed is left out too.
    expect(withoutStuckReports(`${early}${report(26, '79.4').split('\n').slice(0, 3).join('\n')}`)).toBe(
      early.trimEnd(),
    );
    let progress = trackProgress({ length: 0, changedAt: 0 }, withoutStuckReports(early).length, 1_000);
    progress = trackProgress(progress, withoutStuckReports(stuck).length, 80_000);
    expect(progress.changedAt).toBe(1_000);
    expect(stallOf(stuck, progress, 70_000, 60_000)).toBe(
      'no console progress for 69 s before init (last line: [    1.660942] clocksource: Switched to clocksource hpet; the kernel reported a stuck CPU meanwhile)',
    );
  });

  it('keeps every other line, and what follows a report', () => {
    const after = `${stuck}[  140.0] Run /init as init process\n`;
    expect(withoutStuckReports(after)).toBe(`${early}[  140.0] Run /init as init process\n`);
    expect(stallOf(after, { length: 0, changedAt: 0 }, 500_000, 60_000)).toBeUndefined();
  });
});
