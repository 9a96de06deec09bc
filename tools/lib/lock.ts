import { open, readFile, rm } from 'node:fs/promises';
import { LockedError } from './errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file (created with O_EXCL, holding our pid). A lock left by a process
 * that no longer exists is taken over; a live one makes this throw LockedError at once.
 */
export async function acquireLock(path: string, what: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = (await readFile(path, 'utf8').catch(() => '')).trim();
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
      if (!Number.isInteger(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
      else await rm(path, { force: true });
    }
  }
  throw new LockedError(
    `the lock file ${path} stays empty: if no ${what} is running, remove it (rm ${path})`,
  );
}
