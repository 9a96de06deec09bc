/**
 * A boot that stalls before init, end to end through runInstance with a stand-in for QEMU (first on
 * PATH): it writes a scripted console and hangs, as a TCG guest stuck at the clocksource switch
 * does. The boot check kills it, boots the instance once more (saying so), and a second stall fails.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInstance } from '../../tools/boot-check/boot-instance.js';
import { evaluateBoot } from '../../tools/boot-check/checks.js';
import { generateKeyPair } from '../../tools/boot-check/ssh.js';
import { planInstance } from '../../tools/boot-check/verify-plan.js';

/** Attempt n writes the console in $FAKE_QEMU_DIR/console.<n> (the last one for later attempts). */
const fakeQemu = `#!/bin/sh
set -eu
serial= pidfile=
while [ $# -gt 0 ]; do
  case $1 in
    -chardev) serial=\${2##*path=}; shift ;;
    -pidfile) pidfile=$2; shift ;;
  esac
  shift
done
n=$(($(cat "$FAKE_QEMU_DIR/attempts" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE_QEMU_DIR/attempts"
[ -n "$pidfile" ] && echo $$ >"$pidfile"
script=$FAKE_QEMU_DIR/console.$n
[ -f "$script" ] || script=$FAKE_QEMU_DIR/console.last
cat "$script" >"$serial"
exec sleep 3600
`;

const stalled = [
  '[    0.000000] Linux version 6.1.0-57-cloud-amd64 (fake)',
  '[    1.660942] clocksource: Switched to clocksource hpet',
  '',
].join('\n');

const panicked = [
  '[    0.000000] Linux version 6.1.0-57-cloud-amd64 (fake)',
  '[    5.500000] Run /init as init process',
  '[    6.000000] Kernel panic - not syncing: fake panic after init',
  '',
].join('\n');

let dir: string;
let savedPath: string | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emi-stall-'));
  await writeFile(join(dir, 'qemu-system-x86_64'), fakeQemu);
  await chmod(join(dir, 'qemu-system-x86_64'), 0o755);
  savedPath = process.env.PATH;
  process.env.PATH = `${dir}${delimiter}${process.env.PATH ?? ''}`;
  process.env.FAKE_QEMU_DIR = dir;
});
afterEach(async () => {
  process.env.PATH = savedPath;
  delete process.env.FAKE_QEMU_DIR;
  await rm(dir, { recursive: true, force: true });
});

async function boot() {
  const work = join(dir, 'work');
  await import('node:fs/promises').then((fs) => fs.mkdir(work));
  // The image the instance's overlay is backed by (qemu-img reads its size only).
  await writeFile(join(dir, 'image'), Buffer.alloc(1024 * 1024));
  const key = await generateKeyPair(work, 'id_ed25519');
  const plan = planInstance('first', 'ab'.repeat(20), key.publicKey);
  const lines: string[] = [];
  const result = await runInstance(
    {
      arch: 'x86_64',
      accel: 'tcg',
      image: join(dir, 'image'),
      kernel: join(dir, 'kernel'),
      initrd: join(dir, 'initrd'),
      workDir: work,
      cpus: 1,
      memoryMiB: 256,
      timeoutSeconds: 120,
      graceSeconds: 10,
      stallSeconds: 2,
      log: (line) => lines.push(line),
    },
    plan,
    key.privateKey,
    { reboot: true, bootName: 'first boot' },
  );
  return { result, lines, work, attempts: Number(await readFile(join(dir, 'attempts'), 'utf8')) };
}

describe('a boot that stalls before init', () => {
  it('is killed and booted once more; the second attempt is what is judged, and the report says so', async () => {
    await writeFile(join(dir, 'console.1'), stalled);
    await writeFile(join(dir, 'console.last'), panicked);
    const { result, lines, work, attempts } = await boot();
    expect(attempts).toBe(2);
    expect(result.boots).toHaveLength(1);
    const [first] = result.boots;
    expect(first?.stalled).toBeUndefined();
    expect(first?.stallRetry).toMatch(
      /^no console progress for \d+ s before init \(last line: .*clocksource/,
    );
    expect(first?.console.fatal).toBe('Kernel panic - not syncing: fake panic after init');
    expect(
      lines.some((line) => /stalled|no console progress.*booting the instance once more/.test(line)),
    ).toBe(true);
    // Both consoles are kept: the stalled one beside the judged one.
    expect((await readdir(work)).filter((name) => name.endsWith('.serial.log')).sort()).toEqual([
      'first-instance.serial.log',
      'first-instance.stalled.serial.log',
    ]);
    expect(await readFile(join(work, 'first-instance.stalled.serial.log'), 'utf8')).toBe(stalled);
    const checks = evaluateBoot(first as NonNullable<typeof first>, 'x');
    const bootCheck = checks.find((check) => check.name === 'boot');
    expect(bootCheck?.result).toBe('fail');
    expect(bootCheck?.detail).toContain('Kernel panic');
  }, 60_000);

  it('a second stall fails the boot check: it is never hidden', async () => {
    await writeFile(join(dir, 'console.last'), stalled);
    const { result, attempts } = await boot();
    expect(attempts).toBe(2);
    const [first] = result.boots;
    expect(first?.stalled).toMatch(/^no console progress for \d+ s before init/);
    expect(first?.stallRetry).toMatch(/^no console progress/);
    expect(first?.login.ok).toBe(false);
    const checks = evaluateBoot(first as NonNullable<typeof first>, 'x');
    const bootCheck = checks.find((check) => check.name === 'boot');
    expect(bootCheck?.result).toBe('fail');
    expect(bootCheck?.detail).toMatch(
      /^the boot stalled: no console progress for \d+ s before init .*\(booted a second time: the first attempt stalled, /,
    );
    expect(checks.find((check) => check.name === 'ssh-login')?.result).toBe('fail');
  }, 60_000);

  it('a kernel that goes on printing is left alone, however slow', async () => {
    // Attempt 1: the console grows every second for 5 s (more than the 2 s limit), then panics.
    await writeFile(
      join(dir, 'qemu-system-x86_64'),
      fakeQemu.replace(
        'cat "$script" >"$serial"\nexec sleep 3600',
        'for i in 1 2 3 4 5; do echo "[    $i.0] slow kernel line $i" >>"$serial"; sleep 1; done\ncat "$script" >>"$serial"\nexec sleep 3600',
      ),
    );
    await writeFile(join(dir, 'console.last'), panicked);
    const { result, attempts } = await boot();
    expect(attempts).toBe(1);
    expect(result.boots[0]?.stallRetry).toBeUndefined();
    expect(result.boots[0]?.console.fatal).toContain('Kernel panic');
  }, 60_000);
});
