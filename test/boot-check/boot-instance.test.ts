/** The boot of one instance: what it makes of QEMU stopping at once because its ssh port was taken. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPortTaken } from '../../tools/boot-check/boot-instance.js';
import { runCommand } from '../../tools/lib/exec.js';

describe('isPortTaken', () => {
  it("recognises real QEMU's refusal of a host port that another program holds", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const run = await runCommand(
        'qemu-system-x86_64',
        [
          '-display',
          'none',
          '-S',
          '-machine',
          'none',
          '-netdev',
          `user,id=net0,hostfwd=tcp:127.0.0.1:${address.port}-:22`,
        ],
        { reject: false, timeoutMs: 30_000 },
      );
      expect(run.exitCode).toBe(1);
      expect(isPortTaken(run.stderr)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('leaves every other way QEMU can stop to the boot check', () => {
    expect(isPortTaken(undefined)).toBe(false);
    expect(isPortTaken('exit code 1: qemu-system-x86_64: could not load kernel')).toBe(false);
    expect(isPortTaken('exit code -1: killed')).toBe(false);
  });
});
