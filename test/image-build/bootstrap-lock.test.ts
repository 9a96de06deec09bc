import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForLock } from '../../tools/image-build/bootstrap.js';
import { tempDirForTest } from '../helpers/fixtures.js';

describe('waitForLock', () => {
  it('waits while another build holds the cache, then takes the lock', async () => {
    const dir = await tempDirForTest('emi-lock-');
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
      `waiting: a build of debian-bookworm-amd64 is already running (pid ${holder.pid}, lock ${lock}): wait for it to finish, or if process ${holder.pid} is not a build of debian-bookworm-amd64, remove ${lock}`,
    ]);
    expect(await readFile(lock, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it('stops waiting when the build is interrupted', async () => {
    const dir = await tempDirForTest('emi-lock-');
    const lock = join(dir, '.lock');
    await writeFile(lock, `${process.pid}\n`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('SIGINT')), 300);
    await expect(waitForLock(lock, 'a build', () => {}, controller.signal)).rejects.toThrow();
  });
});
