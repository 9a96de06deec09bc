/** The host's pace from Linux's schedstat (issue 13, item 20): pure arithmetic, then a real process. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  describePace,
  PaceMeter,
  paceBetween,
  parseSchedstat,
  readProcessSchedstat,
  slowdown,
} from '../../tools/boot-check/host-pace.js';

describe('pace arithmetic', () => {
  it('reads a schedstat line, and nothing else', () => {
    expect(parseSchedstat('2000000000 6000000000 42\n')).toEqual({ runNs: 2e9, waitNs: 6e9 });
    expect(parseSchedstat('')).toBeUndefined();
    expect(parseSchedstat('1 2')).toBeUndefined();
  });

  it('gives the share of ready time spent running, once there is enough to tell', () => {
    expect(paceBetween({ runNs: 0, waitNs: 0 }, { runNs: 1e9, waitNs: 3e9 })).toBe(0.25);
    expect(paceBetween({ runNs: 0, waitNs: 0 }, { runNs: 2e9, waitNs: 0 })).toBe(1);
    // Under half a second of wanting the CPU: no figure rather than a noisy one.
    expect(paceBetween({ runNs: 0, waitNs: 0 }, { runNs: 1e8, waitNs: 1e8 })).toBeUndefined();
  });

  it('scales by 1 / pace, from 1 to 8, and says it in words', () => {
    expect(slowdown(undefined)).toBe(1);
    expect(slowdown(1)).toBe(1);
    expect(slowdown(0.25)).toBe(4);
    expect(slowdown(0.01)).toBe(8);
    expect(slowdown(0)).toBe(8);
    expect(describePace(0.97)).toBe('QEMU ran 97% of the time it was ready to run (an idle host)');
    expect(describePace(0.25)).toBe(
      'QEMU ran 25% of the time it was ready to run (about 4.0 times slower than on an idle host)',
    );
  });
});

describe('measuring a process', () => {
  it('sums the threads of a running process, and gives nothing for a gone one', async () => {
    const own = await readProcessSchedstat(process.pid);
    expect(own?.runNs).toBeGreaterThan(0);
    expect(await readProcessSchedstat(2 ** 22 + 7)).toBeUndefined();
  });

  it('measures the pace of a busy child from its pid', async () => {
    const child = spawn(
      process.execPath,
      ['-e', 'const end = Date.now() + 2500; while (Date.now() < end);'],
      {
        stdio: 'ignore',
      },
    );
    const meter = new PaceMeter(async () => child.pid, 250);
    await new Promise((resolve) => child.once('exit', resolve));
    await meter.stop();
    const pace = meter.pace();
    expect(pace).toBeGreaterThan(0);
    expect(pace).toBeLessThanOrEqual(1);
  });
});
