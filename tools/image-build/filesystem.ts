/**
 * The filesystem step: a file of exactly the declared size holding an ext4 (or the recipe's type)
 * filesystem made from the tree by `mke2fs -d`: no loop device, no mount. When the tree does not
 * fit, the step measures what it needs and says by how much the budget is short.
 */
import { createHash } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { ProcessError, UserError } from '../lib/errors.js';
import { describeShortfall, filesystemShortfall, GiB, MiB } from '../recipes/sizes.js';
import { runContained } from './contained.js';

export interface FilesystemInput {
  tree: string;
  image: string;
  bytes: number;
  /** The size as the recipe wrote it (for messages). */
  size: string;
  type: 'ext4' | 'ext3' | 'ext2';
  label: string;
  /** Seeds the filesystem UUID and hash seed, so a rebuild of the same record gets the same ones. */
  seed: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

export interface FilesystemResult {
  uuid: string;
  blockSize: number;
  blockCount: number;
  freeBlocks: number;
}

/** A UUID (version 4 layout) derived from a seed. */
export function uuidFromSeed(seed: string, salt: string): string {
  const bytes = createHash('sha256').update(`${salt}\0${seed}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `Block count: N` … from `dumpe2fs -h`. */
export function parseSuperblock(text: string): { blockSize: number; blockCount: number; freeBlocks: number } {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    if (!match) throw new Error(`dumpe2fs printed no "${name}"`);
    return Number(match[1]);
  };
  return {
    blockSize: field('Block size'),
    blockCount: field('Block count'),
    freeBlocks: field('Free blocks'),
  };
}

async function createSparse(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

async function mke2fs(
  input: FilesystemInput,
  image: string,
  withTree: boolean,
  blockSize?: number,
): Promise<void> {
  const uuid = uuidFromSeed(input.seed, 'uuid');
  await runContained(
    [
      'mke2fs',
      '-q',
      '-F',
      '-t',
      input.type,
      '-L',
      input.label,
      '-U',
      uuid,
      '-E',
      `hash_seed=${uuidFromSeed(input.seed, 'hash_seed')}`,
      ...(blockSize ? ['-b', String(blockSize)] : []),
      ...(withTree ? ['-d', input.tree] : []),
      image,
    ],
    { env: input.env, ...(input.signal ? { signal: input.signal } : {}) },
  );
}

async function usedBlocks(
  input: FilesystemInput,
  image: string,
): Promise<{ used: number; blockSize: number }> {
  const { stdout } = await runContained(['dumpe2fs', '-h', image], {
    env: input.env,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const superblock = parseSuperblock(stdout);
  return { used: superblock.blockCount - superblock.freeBlocks, blockSize: superblock.blockSize };
}

/**
 * Measures the smallest size the tree fits in: the tree's blocks (in a big filesystem with the
 * budget's block size, minus the same filesystem empty) plus the overhead of a filesystem of that
 * size (inode tables and journal grow with it, hence the few rounds), confirmed by a real mke2fs -d.
 */
async function measureShortfall(input: FilesystemInput): Promise<string> {
  const scratch = `${input.image}.measure`;
  const measure = async (bytes: number, withTree: boolean, blockSize?: number) => {
    await rm(scratch, { force: true });
    await createSparse(scratch, bytes);
    try {
      await mke2fs(input, scratch, withTree, blockSize);
      return await usedBlocks(input, scratch);
    } finally {
      await rm(scratch, { force: true });
    }
  };
  const fits = (bytes: number) =>
    measure(bytes, true).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ProcessError) return false;
        throw error;
      },
    );
  const overheadOf = async (bytes: number) => {
    const empty = await measure(bytes, false);
    return empty.used * empty.blockSize;
  };
  const budget = await measure(input.bytes, false);
  let dataBytes: number | undefined;
  for (
    let big = input.bytes * 4 + GiB, attempt = 0;
    dataBytes === undefined && attempt < 4;
    attempt++, big *= 4
  ) {
    try {
      const full = await measure(big, true, budget.blockSize);
      const empty = await measure(big, false, budget.blockSize);
      dataBytes = (full.used - empty.used) * full.blockSize;
    } catch (error) {
      if (!(error instanceof ProcessError)) throw error;
    }
  }
  if (dataBytes === undefined) return `the image tree does not fit in rootfs_size ${input.size}`;
  const roundUp = (bytes: number) => Math.ceil(bytes / MiB) * MiB;
  let needed = roundUp(budget.used * budget.blockSize + dataBytes);
  for (let round = 0; round < 5; round++) {
    const next = roundUp((await overheadOf(needed)) + dataBytes);
    if (next <= needed) break;
    needed = next;
  }
  for (let round = 0; round < 4 && !(await fits(needed)); round++) needed = roundUp(needed * 1.01 + MiB);
  return describeShortfall(
    filesystemShortfall({ overheadBytes: needed - dataBytes, dataBytes, budgetBytes: input.bytes }),
    input.size,
  );
}

export async function makeFilesystem(input: FilesystemInput): Promise<FilesystemResult> {
  await createSparse(input.image, input.bytes);
  try {
    await mke2fs(input, input.image, true);
  } catch (error) {
    const text = error instanceof ProcessError ? error.message : '';
    if (/Could not allocate (block|inode)|No space left|Could not allocate/i.test(text)) {
      await rm(input.image, { force: true });
      throw new UserError(await measureShortfall(input), { cause: error });
    }
    throw error;
  }
  const size = (await stat(input.image)).size;
  if (size !== input.bytes)
    throw new Error(`mke2fs changed the image size: ${size} bytes, expected ${input.bytes}`);
  const { stdout } = await runContained(['dumpe2fs', '-h', input.image], {
    env: input.env,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return { uuid: uuidFromSeed(input.seed, 'uuid'), ...parseSuperblock(stdout) };
}
