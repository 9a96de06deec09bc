/**
 * The file-system adapter's error translation: an errno error from node:fs that describes the
 * user's environment (a missing file, a folder that is a file, no permission, a full disk) becomes a
 * UserError that names the path and the cause. Anything else stays as it is (a bug: exit 70).
 */
import { UserError } from './errors.js';

/** errno codes that say something about the paths and the machine, never about our code. */
const causes: Record<string, string> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'something else already exists there',
  ENOTEMPTY: 'the folder is not empty',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  ELOOP: 'too many symlinks (or a symlink where none may be)',
  ENAMETOOLONG: 'the name is too long',
  EBUSY: 'it is busy',
  ETXTBSY: 'it is a running program',
  EXDEV: 'it is on another file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system',
  EIO: 'an input/output error of the device',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EINVAL: 'the file system does not allow this here',
  EFBIG: 'the file is too large',
  EAGAIN: 'it is not ready (a FIFO or device?)',
};

const verbs: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rmdir: 'remove the folder',
  rm: 'remove',
  unlink: 'remove',
  rename: 'rename',
  stat: 'look at',
  lstat: 'look at',
  scandir: 'list the folder',
  opendir: 'list the folder',
  copyfile: 'copy',
  chmod: 'change the mode of',
  fsync: 'write',
  access: 'use',
  readlink: 'read the link',
  symlink: 'create the link',
  link: 'link',
  utime: 'set the time of',
};

export function isErrnoError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** The plain cause of an errno error ("permission denied"), or undefined when it is not one we know. */
export function fsCause(error: unknown): string | undefined {
  if (!isErrnoError(error)) return undefined;
  return causes[error.code];
}

/**
 * Turns an environmental fs error into a UserError naming the path ("cannot create the folder
 * /sys/x: operation not permitted (EPERM)"); other errors are returned unchanged.
 */
export function translateFsError(error: unknown, path?: string, action?: string): unknown {
  if (error instanceof UserError || !isErrnoError(error)) return error;
  const cause = causes[error.code];
  if (cause === undefined) return error;
  const where = path ?? error.path ?? (error as { dest?: string }).dest;
  const verb = action ?? (error.syscall ? (verbs[error.syscall] ?? error.syscall) : 'use');
  return new UserError(`cannot ${verb} ${where ?? 'a file'}: ${cause} (${error.code})`, { cause: error });
}

/** Runs `work`; an environmental fs error comes out as a UserError naming `path`. */
export async function withFsErrors<T>(work: () => Promise<T>, path?: string, action?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateFsError(error, path, action);
  }
}
