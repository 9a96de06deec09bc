import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockedError } from '../../tools/lib/errors.js';
import { acquireLock } from '../../tools/lib/lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emi-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('acquireLock', () => {
  it('takes a free lock, refuses a live holder, and releases', async () => {
    const path = join(dir, 'x.lock');
    const release = await acquireLock(path, 'emi test');
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await expect(acquireLock(path, 'emi test')).rejects.toBeInstanceOf(LockedError);
    await release();
    await (await acquireLock(path, 'emi test'))();
  });

  it('takes over the lock of a process that no longer exists', async () => {
    const path = join(dir, 'x.lock');
    // Far above any pid_max: no such process.
    await writeFile(path, '4000000000\n');
    const release = await acquireLock(path, 'emi test');
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await release();
  });

  it('many takers at once over a stale lock: exactly one holds it', async () => {
    const path = join(dir, 'x.lock');
    for (let round = 0; round < 20; round++) {
      await writeFile(path, '4000000000\n');
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () => acquireLock(path, 'emi test')),
      );
      // One process here, so every taker writes the same pid: count the takers that got it.
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) if (result.status === 'fulfilled') await result.value();
    }
  });
});
