/**
 * The output-folder guard: a command that writes a set of files into a folder the user names may
 * write only into a folder that is missing, empty, or one it wrote before. It marks its folders with
 * a small manifest (.emi-outputs.json: which command wrote which files), replaces only those files
 * on the next run and removes the ones it no longer writes; files it did not write are left alone.
 * Anything else (/, a home folder, a source tree) is refused.
 */
import { lstat, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { type FileToWrite, writeFileAtomic, writeFilesAtomic } from './atomic-write.js';
import { UserError } from './errors.js';
import { translateFsError } from './fs-errors.js';

export const outputsManifest = '.emi-outputs.json';

export interface OutputsManifest {
  /** The command that wrote the folder, e.g. "emi changelog". */
  tool: string;
  /** Paths relative to the folder, with forward slashes, sorted. */
  files: string[];
}

export interface OutputDir {
  dir: string;
  /** What the folder's manifest listed (empty for a new or empty folder). */
  previous: string[];
}

const maxManifestBytes = 4 * 1024 * 1024;

function isSafeRelative(path: string): boolean {
  if (path === '' || isAbsolute(path) || path.includes('\\') || path.includes('\0')) return false;
  const clean = normalize(path);
  return clean === path && clean !== '.' && !clean.startsWith(`..${sep}`) && clean !== '..';
}

async function readManifest(dir: string, tool: string): Promise<string[] | undefined> {
  const path = join(dir, outputsManifest);
  let text: string;
  try {
    const info = await lstat(path);
    if (!info.isFile() || info.size > maxManifestBytes) return undefined;
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw translateFsError(error, path);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const manifest = data as Partial<OutputsManifest>;
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    manifest.tool !== tool ||
    !Array.isArray(manifest.files) ||
    !manifest.files.every((file) => typeof file === 'string' && isSafeRelative(file))
  )
    return undefined;
  return manifest.files;
}

/**
 * Checks that `dir` may receive `tool`'s outputs: missing, an empty folder, or a folder with
 * `tool`'s manifest. Throws a UserError (exit 1) naming the folder otherwise. Writes nothing.
 */
export async function checkOutputDir(dir: string, tool: string): Promise<OutputDir> {
  let entries: string[];
  try {
    const info = await lstat(dir);
    if (info.isSymbolicLink())
      throw new UserError(`the output folder ${dir} is a symlink: give the folder itself`);
    if (!info.isDirectory()) throw new UserError(`the output folder ${dir} exists and is not a folder`);
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { dir, previous: [] };
    throw translateFsError(error, dir);
  }
  if (entries.length === 0) return { dir, previous: [] };
  const previous = await readManifest(dir, tool);
  if (previous === undefined)
    throw new UserError(
      `the output folder ${dir} is not empty and was not written by ${tool} (it has no ${outputsManifest} of ${tool}): give a new or empty folder`,
    );
  return { dir, previous };
}

/**
 * Writes `files` (paths relative to the folder) into a checked output folder: every file atomically,
 * then the files of the previous run that are no longer written are removed and the manifest is
 * updated. The manifest lists the union while the files change, so an interrupted run leaves a
 * folder that the next run still recognises.
 */
export async function writeOutputDir(
  output: OutputDir,
  tool: string,
  files: readonly { path: string; content: FileToWrite['content'] }[],
): Promise<void> {
  for (const file of files)
    if (!isSafeRelative(file.path) || file.path === outputsManifest)
      throw new Error(`output path ${JSON.stringify(file.path)} is not a plain relative path`);
  const names = [...new Set(files.map((file) => file.path))].sort();
  const manifest = (list: string[]) =>
    `${JSON.stringify({ tool, files: [...new Set(list)].sort() } satisfies OutputsManifest, null, 2)}\n`;
  const manifestPath = join(output.dir, outputsManifest);
  await writeFileAtomic(manifestPath, manifest([...output.previous, ...names]));
  await writeFilesAtomic(files.map((file) => ({ path: join(output.dir, file.path), content: file.content })));
  const keep = new Set(names);
  for (const stale of output.previous) {
    if (keep.has(stale)) continue;
    await rm(join(output.dir, stale), { force: true }).catch((error: unknown) => {
      throw translateFsError(error, join(output.dir, stale), 'remove');
    });
    // Its folders go too when nothing else is left in them.
    for (let parent = dirname(stale); parent !== '.'; parent = dirname(parent)) {
      if (
        !(await rmdir(join(output.dir, parent)).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
  await writeFileAtomic(manifestPath, manifest(names));
}
