/**
 * The pack step. zerofree writes zeros over the filesystem's free blocks (garbage left by deleted
 * files would otherwise compress badly; a filesystem fresh from mke2fs -d has none, so the build
 * skips it); zeros are not holes, so `fallocate --dig-holes` turns
 * them into holes; then GNU tar's --sparse finds the holes (SEEK_HOLE) and stores only the data,
 * and the archive unpacks sparse. The tarball follows the Eucalyptus layout: the image and a
 * kvm-kernel/ folder with the kernel and initrd.
 */
import { link, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runContained } from './contained.js';

export interface PackInput {
  /** The filesystem image in the staging folder. */
  image: string;
  /** File names inside the tarball. */
  imageName: string;
  kernelVersion: string;
  kernel: string;
  initrd: string;
  tarball: string;
  zst?: string;
  /** An empty scratch folder on the same filesystem (hard links of the files are laid out there). */
  layoutDir: string;
  /** Every member's mtime, so the same build gives the same tarball. */
  epoch: number;
  /** Use pigz (parallel gzip) when it is there. */
  pigz: boolean;
  /**
   * Skip zerofree: for a filesystem that mke2fs -d has just made in a new sparse file (the build's
   * own), whose free blocks were never written (test/image-build/filesystem-pack.test.ts checks).
   */
  skipZerofree?: boolean;
  zstdLevel?: number;
  env: Record<string, string>;
  signal?: AbortSignal;
  /** Gets a line per part with its time ("tarball: 4.2 s"). */
  log?: (line: string) => void;
}

export interface PackResult {
  /** Bytes the image's data takes on disk (its blocks), before and after zerofree + hole digging. */
  allocatedBefore: number;
  allocatedAfter: number;
  tarballBytes: number;
  zstBytes?: number;
}

async function allocated(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

/**
 * gzip level of the tarball. Measured on the standard image (pigz, CPU seconds for the ~300 MiB of
 * data, 2026-12): level 3 5.5 s for 110.3 MiB, 5 6.9 s for 106.2 MiB, 6 (the default) 10.2 s for
 * 105.4 MiB; 5 keeps the tarball under 110 MiB for a quarter more CPU. --zst gives the smallest.
 */
export const gzipLevel = 5;

/** tar's options for a reproducible, sparse-aware archive. */
export function tarballArguments(
  input: Pick<PackInput, 'tarball' | 'layoutDir' | 'epoch' | 'pigz' | 'imageName'>,
): string[] {
  return [
    '--create',
    `--file=${input.tarball}`,
    `--use-compress-program=${input.pigz ? 'pigz' : 'gzip'} -n -${gzipLevel}`,
    '--format=gnu',
    '--sparse',
    '--hole-detection=seek',
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    `--mtime=@${input.epoch}`,
    `--directory=${input.layoutDir}`,
    'kvm-kernel',
    input.imageName,
  ];
}

export async function pack(input: PackInput): Promise<PackResult> {
  const options = { env: input.env, ...(input.signal ? { signal: input.signal } : {}) };
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    input.log?.(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  const allocatedBefore = await allocated(input.image);
  if (!input.skipZerofree) await timed('zerofree', () => runContained(['zerofree', input.image], options));
  await timed('holes dug', () => runContained(['fallocate', '--dig-holes', input.image], options));
  const allocatedAfter = await allocated(input.image);

  await mkdir(join(input.layoutDir, 'kvm-kernel'), { recursive: true, mode: 0o755 });
  await link(input.image, join(input.layoutDir, input.imageName));
  await link(input.kernel, join(input.layoutDir, 'kvm-kernel', `vmlinuz-${input.kernelVersion}`));
  await link(input.initrd, join(input.layoutDir, 'kvm-kernel', `initrd.img-${input.kernelVersion}`));
  await timed('tarball', () => runContained(['tar', ...tarballArguments(input)], options));
  const result: PackResult = {
    allocatedBefore,
    allocatedAfter,
    tarballBytes: (await stat(input.tarball)).size,
  };
  if (input.zst) {
    const zst = input.zst;
    await timed('zst', () =>
      runContained(
        ['zstd', '-q', '-T0', `-${input.zstdLevel ?? 10}`, '--no-progress', input.image, '-o', zst],
        options,
      ),
    );
    result.zstBytes = (await stat(zst)).size;
  }
  return result;
}
