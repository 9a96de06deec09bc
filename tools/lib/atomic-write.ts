import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface FileToWrite {
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

/** Temp names share this marker so a later run can recognise leftovers (see .gitignore). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

async function writeTemp(file: FileToWrite): Promise<string> {
  await mkdir(dirname(file.path), { recursive: true });
  const temp = tempPathFor(file.path);
  const handle = await open(temp, 'wx', file.mode ?? 0o644);
  try {
    await handle.writeFile(file.content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** Writes one file atomically: a temp file in the same folder, fsync, then rename over the target. */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  mode?: number,
): Promise<void> {
  const temp = await writeTemp({ path, content, ...(mode === undefined ? {} : { mode }) });
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes several files as one step: every temp file is written first, and only when all
 * of them exist are they renamed into place, so a failure while writing leaves no target changed.
 */
export async function writeFilesAtomic(files: readonly FileToWrite[]): Promise<void> {
  const temps: (string | undefined)[] = new Array(files.length);
  // Several temp files at a time: their fsyncs overlap (a site of a hundred pages writes in half
  // the time), and still none is renamed before all are written.
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < files.length) {
      const index = next++;
      temps[index] = await writeTemp(files[index] as FileToWrite);
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(parallelWrites, files.length) }, () =>
      worker().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.all(temps.map((temp) => (temp ? rm(temp, { force: true }) : undefined)));
    throw failure.reason;
  }
  for (const [index, file] of files.entries()) {
    await rename(temps[index] as string, file.path);
  }
}

const parallelWrites = 16;

export interface FileChanges {
  write: readonly FileToWrite[];
  /** Files to remove (absolute paths); a missing one is not an error. */
  remove?: readonly string[];
}

/**
 * Writes and removes files as one step, as far as a file system allows: every new file is written
 * to a temp file first (a failure there changes nothing), the targets' current contents are kept,
 * and only then are the temp files renamed into place and the removals made. When a rename or a
 * removal fails, what was already changed is put back (earlier contents rewritten, new files
 * removed) before the error is thrown, so the folder is left as it was.
 */
export async function replaceFilesAtomic(changes: FileChanges): Promise<void> {
  const removals = changes.remove ?? [];
  const targets = [...changes.write.map((file) => file.path), ...removals];
  const before = new Map<string, { content: Buffer; mode: number } | undefined>();
  for (const path of targets) before.set(path, await readExisting(path));
  const temps: string[] = [];
  try {
    for (const file of changes.write) temps.push(await writeTemp(file));
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    throw error;
  }
  const done: string[] = [];
  try {
    for (const [index, file] of changes.write.entries()) {
      await rename(temps[index] as string, file.path);
      done.push(file.path);
    }
    for (const path of removals) {
      if (before.get(path) === undefined) continue;
      await rm(path);
      done.push(path);
    }
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    await restore(done, before);
    throw error;
  }
}

async function readExisting(path: string): Promise<{ content: Buffer; mode: number } | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    return { content: await readFile(path), mode: info.mode & 0o7777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Puts changed paths back as they were (best effort: the first error of the change is the one shown). */
async function restore(
  changed: readonly string[],
  before: ReadonlyMap<string, { content: Buffer; mode: number } | undefined>,
): Promise<void> {
  for (const path of [...changed].reverse()) {
    const old = before.get(path);
    try {
      if (old === undefined) await rm(path, { force: true });
      else await writeFileAtomic(path, old.content, old.mode);
    } catch {
      // Keep going: put back as much as can be put back.
    }
  }
}
