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
      const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new LockedError(`${what} is already running (pid ${pid}, lock ${path}): wait for it to finish`);
      }
      // Empty (a writer between open and write) or stale: give a writer a moment, then take over.
      if (!Number.isInteger(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
      else await rm(path, { force: true });
    }
  }
  throw new LockedError(`${what} is already running (lock ${path})`);
}
