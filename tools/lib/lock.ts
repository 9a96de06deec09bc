import type { BigIntStats } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { LockedError } from './errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const identityOf = (stats: BigIntStats | undefined) =>
  stats ? `${stats.dev}:${stats.ino}:${stats.ctimeNs}` : 'gone';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Removes the lock file of a dead holder, if it is still that file. Checking and removing must be
 * one step: between them another taker could remove the stale file and create its own lock, which
 * would then be removed too (two holders). So a taker removes a stale lock only while it holds
 * `<lock>.break` (created exclusively, held for a moment): while the stale file is there nobody
 * can create the lock, and nobody else can remove it. A `.break` left by a killed process (older
 * than ten seconds) is cleared.
 */
async function removeStale(path: string, identity: string): Promise<void> {
  const breaker = `${path}.break`;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(breaker, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(breaker).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 10_000) await rm(breaker, { force: true });
    await pause(20);
    return;
  }
  try {
    if (identityOf(await stat(path, { bigint: true }).catch(() => undefined)) === identity)
      await rm(path, { force: true });
  } finally {
    await handle.close();
    await rm(breaker, { force: true });
  }
}

/**
 * Takes an exclusive lock file (created with O_EXCL, holding our pid). A lock left by a process
 * that no longer exists is taken over; a live one makes this throw LockedError at once.
 */
export async function acquireLock(path: string, what: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Read through one handle, so the pid read and the file's identity go together (inode and
      // change time: a freed inode number can be given to the next file at once).
      const holder = await open(path, 'r').catch(() => undefined);
      if (!holder) continue; // released meanwhile: try again
      let text: string;
      let identity: string;
      try {
        identity = identityOf(await holder.stat({ bigint: true }));
        text = (await holder.readFile('utf8')).trim();
      } finally {
        await holder.close();
      }
      const pid = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new LockedError(
          `${what} is already running (pid ${pid}, lock ${path}): wait for it to finish, or if process ${pid} is not ${what}, remove ${path}`,
        );
      }
      if (text !== '' && !Number.isInteger(pid)) {
        // Not ours: we write a pid and nothing else. Do not guess; say which file it is.
        throw new LockedError(
          `the lock file ${path} holds ${JSON.stringify(text.slice(0, 40))}, not a process id: if no ${what} is running, remove it (rm ${path})`,
        );
      }
      // Empty (a writer between open and write) or stale: give a writer a moment, then take over.
      if (!Number.isInteger(pid)) await pause(50);
      else await removeStale(path, identity);
    }
  }
  throw new LockedError(
    `the lock file ${path} stays empty: if no ${what} is running, remove it (rm ${path})`,
  );
}
