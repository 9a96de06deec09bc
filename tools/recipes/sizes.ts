/** Size arithmetic of the builder: recipe sizes, the filesystem budget and the disk space a build needs. */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** The smallest root filesystem the builder makes: below this, ext4's own metadata leaves no room. */
export const minRootfsBytes = 64 * MiB;
/** The largest: a sanity bound (a starter image is a few GiB), not a limit of ext4. */
export const maxRootfsBytes = 2048 * GiB;

/** `1300M` → 1363148800, `4G` → 4294967296 (binary units, as mke2fs and truncate read them). */
export function parseSize(size: string): number {
  const match = /^([1-9][0-9]*)([MG])$/.exec(size);
  if (!match) throw new Error(`"${size}" is not a size like 1300M or 4G`);
  const count = Number(match[1]);
  return count * (match[2] === 'G' ? GiB : MiB);
}

export function formatMiB(bytes: number): string {
  const mib = bytes / MiB;
  return `${mib >= 100 ? mib.toFixed(0) : mib.toFixed(1)} MiB`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MiB) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < GiB) return formatMiB(bytes);
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

export interface FilesystemUsage {
  /** Bytes an empty filesystem of the budget's size uses for itself (superblocks, inode tables, journal). */
  overheadBytes: number;
  /** Bytes the tree's files, folders and extent trees take in blocks of the same size. */
  dataBytes: number;
  budgetBytes: number;
}

export interface Shortfall {
  neededBytes: number;
  budgetBytes: number;
  /** How much bigger the budget must be (0 when it fits). */
  missingBytes: number;
}

/** What a tree needs in a filesystem of the budget's size, and how far the budget is from it. */
export function filesystemShortfall(usage: FilesystemUsage): Shortfall {
  const neededBytes = usage.overheadBytes + usage.dataBytes;
  return {
    neededBytes,
    budgetBytes: usage.budgetBytes,
    missingBytes: Math.max(0, neededBytes - usage.budgetBytes),
  };
}

/** The sentence a failed filesystem step ends with. */
export function describeShortfall(shortfall: Shortfall, size: string): string {
  const needed = Math.ceil(shortfall.neededBytes / MiB);
  const short = Math.ceil(shortfall.missingBytes / MiB);
  return `the image tree needs ${needed} MiB but rootfs_size is ${size} (${formatMiB(shortfall.budgetBytes)}): ${short} MiB short; set rootfs_size to at least ${needed}M or trim the package set`;
}

/**
 * Disk space one image build may use in the output folder's filesystem: the tree, the filesystem
 * image (sparse, at most as much data as the tree), the tarball and the optional .zst, with a margin.
 * The tree and the image never exceed the declared size, so the size bounds everything.
 */
export function diskSpaceNeeded(rootfsBytes: number, withZst: boolean): number {
  return rootfsBytes * (withZst ? 3 : 2) + GiB;
}
