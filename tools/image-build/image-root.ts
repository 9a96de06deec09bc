/**
 * The image root being built, and the ways the builder touches it: programs run inside it (natively
 * or through qemu), and files go into it through the image's own tar running inside it, so a symlink
 * in the image is followed the way the image sees it and never out to the host.
 */
import { runCommand } from '../lib/exec.js';
import type { Execution } from './binfmt.js';
import { type RootOptions, runInRoot } from './contained.js';

export interface ImageRoot {
  /** The host folder that holds the image tree. */
  path: string;
  execution: Execution;
  env: Record<string, string>;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export type InRootOptions = Omit<RootOptions, 'env' | 'signal' | 'binfmt'> & { env?: Record<string, string> };

/** Runs argv inside the image (through qemu for a foreign arch). */
export async function inRoot(root: ImageRoot, argv: readonly string[], options: InRootOptions = {}) {
  return runInRoot(root.path, argv, {
    ...options,
    env: { ...root.env, ...options.env },
    ...(root.signal ? { signal: root.signal } : {}),
    ...(root.execution.mode === 'qemu' ? { binfmt: root.execution.binfmt } : {}),
    ...(options.onLine === undefined && root.log ? { onLine: root.log } : {}),
  });
}

/**
 * Copies a host folder over the image root. Files get owner root and the modes git can express
 * (0644, or 0755 when executable; folders 0755), the same in every checkout whatever the umask.
 * Folders that exist in the image keep their modes, and its symlinked folders (/lib → usr/lib)
 * stay symlinks.
 */
export async function copyIntoRoot(root: ImageRoot, hostDir: string): Promise<void> {
  const archive = await runCommand(
    'tar',
    [
      '--create',
      '--file=-',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mode=u=rwX,go=rX',
      '--sort=name',
      `--directory=${hostDir}`,
      '.',
    ],
    { binary: true, ...(root.signal ? { signal: root.signal } : {}) },
  );
  await inRoot(
    root,
    [
      'tar',
      '--extract',
      '--file=-',
      '--directory=/',
      '--numeric-owner',
      '--keep-directory-symlink',
      '--no-overwrite-dir',
    ],
    { input: archive.stdoutBytes ?? new Uint8Array() },
  );
}

/** Writes one file in the image, following the image's symlinks inside the image. */
export async function writeInRoot(
  root: ImageRoot,
  path: string,
  content: string,
  mode = '0644',
): Promise<void> {
  await inRoot(
    root,
    [
      'sh',
      '-c',
      'umask 022 && target=$(readlink -f "$1") && cat > "$target" && chmod "$2" "$target"',
      'write',
      path,
      mode,
    ],
    {
      input: content,
    },
  );
}

/** Reads one file of the image (as the image sees it). */
export async function readInRoot(root: ImageRoot, path: string): Promise<string> {
  return (await inRoot(root, ['cat', '--', path], { onLine: () => {} })).stdout;
}
