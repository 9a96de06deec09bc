/** The QMP client that resets a guest whose reboot stalled, against a real QEMU. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { qemuCommand } from '../../tools/boot-check/qemu-command.js';
import { qmpCommands, qmpSocketFits } from '../../tools/boot-check/vm.js';
import { runCommand } from '../../tools/lib/exec.js';

describe('QMP', () => {
  it('puts the socket on the command line only when asked', () => {
    const spec = {
      arch: 'x86_64' as const,
      accel: 'tcg' as const,
      kernel: 'k',
      initrd: 'i',
      image: 'img',
      disks: [],
      serialLog: 's.log',
      metadataPort: 8000,
      sshPort: 2222,
      memoryMiB: 512,
      cpus: 1,
    };
    expect(qemuCommand(spec).args).not.toContain('-qmp');
    const { args } = qemuCommand({ ...spec, qmpSocket: '/tmp/a,b/x.qmp' });
    expect(args[args.indexOf('-qmp') + 1]).toBe('unix:/tmp/a,,b/x.qmp,server=on,wait=off');
  });

  it('knows the length a Unix socket path can have', () => {
    expect(qmpSocketFits(`/tmp/${'x'.repeat(100)}`)).toBe(true);
    expect(qmpSocketFits(`/tmp/${'x'.repeat(103)}`)).toBe(false);
  });

  it('resets a running QEMU, and says so when a command is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emi-qmp-'));
    const socket = join(dir, 'vm.qmp');
    const own = new AbortController();
    const qemu = runCommand(
      'qemu-system-x86_64',
      ['-machine', 'none', '-display', 'none', '-S', '-qmp', `unix:${socket},server=on,wait=off`],
      { reject: false, signal: own.signal, killSignal: 'SIGTERM' },
    );
    try {
      for (let i = 0; i < 100; i++) {
        if (
          await qmpCommands(socket, []).then(
            () => true,
            () => false,
          )
        )
          break;
        await sleep(100);
      }
      await expect(qmpCommands(socket, ['system_reset'])).resolves.toBeUndefined();
      await expect(qmpCommands(socket, ['no-such-command'])).rejects.toThrow(
        /QMP no-such-command: .*CommandNotFound/,
      );
    } finally {
      own.abort();
      await qemu;
      await rm(dir, { recursive: true, force: true });
    }
    await expect(qmpCommands(socket, ['system_reset'], 2000)).rejects.toThrow();
  }, 60_000);
});
