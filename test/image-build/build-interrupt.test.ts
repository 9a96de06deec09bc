/**
 * Builds stopped in the middle: SIGKILL while the build works inside the image, then SIGTERM, on the
 * output folder that holds the standard image. Nothing visible may change, no process or mount may
 * remain, and the next build removes what the killed one left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { expect, it } from 'vitest';
import type { BuildEvent } from '../../tools/image-build/events.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { emiBin } from '../helpers/run-emi.js';
import { beforeAllStandardImage, parseEvents, type StandardImage } from '../helpers/standard-image.js';

let built: StandardImage;
beforeAllStandardImage(async (image) => {
  built = image;
});

/** Starts `emi build` on the standard catalog, with its events as they come. */
function startBuild(outDir: string): {
  child: ChildProcess;
  events: BuildEvent[];
  waitFor: (test: (event: BuildEvent) => boolean) => Promise<BuildEvent>;
  exit: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    [
      emiBin,
      'build',
      'debian-based',
      '--line',
      'euca-debian-emi',
      '--arch',
      'x86_64',
      '--no-record',
      // The standard image's catalog records this line already: build it anyway.
      '--force',
      '--out',
      outDir,
      '--cache',
      built.cacheDir,
      '--json',
    ],
    { cwd: built.catalog, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const events: BuildEvent[] = [];
  const waiters: { test: (event: BuildEvent) => boolean; resolve: (event: BuildEvent) => void }[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const event of parseEvents(lines.join('\n')).events) {
      events.push(event);
      for (const waiter of waiters.splice(0)) {
        if (waiter.test(event)) waiter.resolve(event);
        else waiters.push(waiter);
      }
    }
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (test: (event: BuildEvent) => boolean) =>
    new Promise<BuildEvent>((resolve, reject) => {
      const seen = events.find(test);
      if (seen) return resolve(seen);
      waiters.push({ test, resolve });
      void exit.then((code) =>
        reject(new Error(`emi build exited (${code}) first; events: ${JSON.stringify(events.slice(-5))}`)),
      );
    });
  return { child, events, waitFor, exit };
}

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** Processes whose root or working folder is inside the path (a chroot of the build). */
async function processesInside(path: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    for (const link of ['root', 'cwd']) {
      const target = await readlink(`/proc/${pid}/${link}`).catch(() => '');
      if (target.startsWith(path)) found.push(`${pid} ${link} ${target}`);
    }
  }
  return found;
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

describeAsRoot('a build stopped in the middle', () => {
  let before: string[] = [];
  let mounts = '';
  let killedPid = 0;

  it(
    'by SIGKILL while it works in the image leaves the outputs, the mounts and no process behind',
    async () => {
      before = await listing(built.outDir);
      mounts = await readFile('/proc/self/mountinfo', 'utf8');
      const build = startBuild(built.outDir);
      killedPid = build.child.pid ?? 0;
      await build.waitFor(
        (event) => event.type === 'step' && event.step === 'customise' && event.state === 'start',
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      build.child.kill('SIGKILL');
      await build.exit;
      const work = (await listing(built.outDir)).filter((name) =>
        name.startsWith(`.emi-build-${killedPid}-`),
      );
      expect(work).toHaveLength(1);
      expect(
        await eventually(
          () => processesInside(built.outDir),
          (found) => found.length === 0,
        ),
      ).toEqual([]);
      expect(await readFile('/proc/self/mountinfo', 'utf8')).toBe(mounts);
      // Nothing visible changed; only the hidden work folder of the killed build is left.
      expect((await listing(built.outDir)).filter((name) => !name.startsWith('.'))).toEqual(
        before.filter((name) => !name.startsWith('.')),
      );
    },
    10 * 60 * 1000,
  );

  it(
    'by SIGTERM cleans up after itself, and the next build removes what the killed one left',
    async () => {
      const build = startBuild(built.outDir);
      const removed = await build.waitFor(
        (event) =>
          event.type === 'log' &&
          event.step === 'preflight' &&
          event.line.includes(`.emi-build-${killedPid}-`),
      );
      expect(removed).toMatchObject({ type: 'log', step: 'preflight' });
      await build.waitFor(
        (event) => event.type === 'step' && event.step === 'bootstrap' && event.state === 'start',
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      build.child.kill('SIGTERM');
      expect(await build.exit).toBe(143);
      expect(await listing(built.outDir)).toEqual(before);
      expect(
        await eventually(
          () => processesInside(built.outDir),
          (found) => found.length === 0,
        ),
      ).toEqual([]);
      expect(await readFile('/proc/self/mountinfo', 'utf8')).toBe(mounts);
    },
    10 * 60 * 1000,
  );
});
