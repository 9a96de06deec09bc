import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ensureDir } from './ensure-dir.js';
import { translateFsError } from './fs-errors.js';

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
  await ensureDir(dirname(file.path));
  const temp = tempPathFor(file.path);
  const handle = await open(temp, 'wx', file.mode ?? 0o644).catch((error: unknown) => {
    throw translateFsError(error, file.path, 'write');
  });
  try {
    await handle.writeFile(file.content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw translateFsError(error, file.path, 'write');
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
    throw translateFsError(error, path, 'write');
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
    await rename(temps[index] as string, file.path).catch(async (error: unknown) => {
      await Promise.all(temps.slice(index).map((temp) => (temp ? rm(temp, { force: true }) : undefined)));
      throw translateFsError(error, file.path, 'write');
    });
  }
}

const parallelWrites = 16;
