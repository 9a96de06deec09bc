import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForLock } from '../../tools/image-build/bootstrap.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('waitForLock', () => {
  it('waits while another build holds the cache, then takes the lock', async () => {
    dir = await mkdtemp(join(tmpdir(), 'emi-lock-'));
    const lock = join(dir, '.lock-debian-bookworm-amd64');
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    await writeFile(lock, `${holder.pid}\n`);
    const lines: string[] = [];
    const started = Date.now();
    setTimeout(() => holder.kill('SIGKILL'), 1500);
    const release = await waitForLock(
      lock,
      'a build of debian-bookworm-amd64',
      (line) => lines.push(line),
      undefined,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(lines).toEqual([
      `waiting: a build of debian-bookworm-amd64 is already running (pid ${holder.pid}, lock ${lock})`,
    ]);
    expect(await readFile(lock, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it('stops waiting when the build is interrupted', async () => {
    dir = await mkdtemp(join(tmpdir(), 'emi-lock-'));
    const lock = join(dir, '.lock');
    await writeFile(lock, `${process.pid}\n`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('SIGINT')), 300);
    await expect(waitForLock(lock, 'a build', () => {}, controller.signal)).rejects.toThrow();
  });
});
