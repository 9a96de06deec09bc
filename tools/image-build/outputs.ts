/**
 * Atomic outputs. Each image is built in a hidden work folder inside the output folder
 * (`.emi-build-<pid>-<random>/`, same filesystem) and its artifact folder is renamed into place only
 * when complete. Ctrl-C and SIGTERM remove the work folder; after a SIGKILL it stays, hidden, and
 * the next build removes it once its process is gone.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const workPrefix = '.emi-build-';

export interface WorkDir {
  path: string;
  /** The image tree. */
  root: string;
  /** The artifact folder being filled; renamed to the final folder at the end. */
  staging: string;
  /** Scratch space (generated files, the tarball layout). */
  scratch: string;
}

export async function createWorkDir(outDir: string): Promise<WorkDir> {
  const path = join(outDir, `${workPrefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(path, { mode: 0o700 });
  const staging = join(path, 'staging');
  const scratch = join(path, 'scratch');
  await mkdir(staging, { mode: 0o755 });
  await mkdir(scratch, { mode: 0o755 });
  return { path, root: join(path, 'root'), staging, scratch };
}

const leftoverPattern = /^(?:\.emi-build-|\..+\.(?:old|tmp)-)(\d+)-[0-9a-f]+$/;

/** The pid that owns a leftover name (a work folder, a moved-aside folder, a temp file), if it is one. */
export function leftoverOwner(name: string): number | undefined {
  const match = leftoverPattern.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Mount points (from /proc/self/mountinfo) at or below a path. */
export function mountsUnder(mountinfo: string, path: string): string[] {
  const decode = (field: string) =>
    field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
  const prefix = path.replace(/\/+$/, '');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map(decode)
    .filter((point) => point === prefix || point.startsWith(`${prefix}/`));
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what builds that no longer run left in a folder; returns the names removed. */
export async function removeLeftovers(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  for (const name of names) {
    const owner = leftoverOwner(name);
    if (owner === undefined || isAlive(owner)) continue;
    const path = join(dir, name);
    // Builds mount only in their own namespaces; a mount here means someone else made it: leave it.
    if (mountsUnder(mountinfo, path).length > 0) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Renames the finished staging folder to its final name, replacing an earlier build of the same release. */
export async function publish(staging: string, finalDir: string): Promise<void> {
  try {
    await rename(staging, finalDir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const parts = finalDir.split('/');
  const base = parts.pop() as string;
  const aside = join(parts.join('/') || '/', `.${base}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
  await rename(finalDir, aside);
  await rename(staging, finalDir);
  await rm(aside, { recursive: true, force: true });
}
