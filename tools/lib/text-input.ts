/**
 * Reads a text file the user names (a catalog to import, a message): a regular file, at most
 * `maxBytes`, UTF-8 without NUL bytes, checked before it is decoded, so /dev/zero, a FIFO, a
 * 50 MB one-line file or a UTF-16 file is a clear error and never a hang or screenfuls of binary.
 */

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { UserError } from './errors.js';
import { translateFsError } from './fs-errors.js';
import { isBinary, maxYamlBytes } from './yaml-source.js';

export const maxTextBytes = maxYamlBytes;

export async function readTextInput(
  path: string,
  options: { what?: string; maxBytes?: number } = {},
): Promise<string> {
  const what = options.what ? `${options.what} ` : '';
  const maxBytes = options.maxBytes ?? maxTextBytes;
  // O_NONBLOCK: opening a FIFO nobody writes to must not block; it is refused below.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: unknown) => {
    throw translateFsError(error, path, 'read');
  });
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new UserError(`${what}${path} is a folder, not a file`);
    if (!info.isFile())
      throw new UserError(`${what}${path} is not a regular file (a device, FIFO or socket)`);
    if (info.size > maxBytes)
      throw new UserError(
        `${what}${path} is ${(info.size / (1024 * 1024)).toFixed(1)} MiB: far too large for this format (limit ${maxBytes / 1024} KiB)`,
      );
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes)
      throw new UserError(`${what}${path} grew past ${maxBytes / 1024} KiB while it was read`);
    if (bytes[0] === 0xff && bytes[1] === 0xfe)
      throw new UserError(`${what}${path} is UTF-16 text: convert it to UTF-8`);
    if (bytes[0] === 0xfe && bytes[1] === 0xff)
      throw new UserError(`${what}${path} is UTF-16 text: convert it to UTF-8`);
    if (isBinary(bytes))
      throw new UserError(`${what}${path} is binary (NUL bytes or invalid UTF-8), not text`);
    return bytes.toString('utf8');
  } catch (error) {
    throw translateFsError(error, path, 'read');
  } finally {
    await handle.close();
  }
}
