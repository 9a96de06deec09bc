import { describe, expect, it } from 'vitest';
import {
  describeShortfall,
  diskSpaceNeeded,
  filesystemShortfall,
  formatBytes,
  GiB,
  MiB,
  parseSize,
} from '../../tools/recipes/sizes.js';

describe('parseSize', () => {
  it('reads mebibytes and gibibytes', () => {
    expect(parseSize('1300M')).toBe(1300 * 1024 * 1024);
    expect(parseSize('4500M')).toBe(4718592000);
    expect(parseSize('4G')).toBe(4 * 1024 ** 3);
  });

  it('refuses anything else', () => {
    for (const bad of ['1300', '0M', '1.5G', '1300m', '1T', '-4G', ' 4G']) {
      expect(() => parseSize(bad), bad).toThrow(/is not a size/);
    }
  });
});

describe('filesystemShortfall', () => {
  it('adds the overhead of the budget-sized filesystem to the data blocks', () => {
    const shortfall = filesystemShortfall({
      overheadBytes: 10_000 * 4096,
      dataBytes: 90_000 * 4096,
      budgetBytes: 300 * MiB,
    });
    expect(shortfall.neededBytes).toBe(100_000 * 4096);
    expect(shortfall.missingBytes).toBe(100_000 * 4096 - 300 * MiB);
  });

  it('is zero when the tree fits', () => {
    expect(
      filesystemShortfall({ overheadBytes: 40_960, dataBytes: 40_960, budgetBytes: 1300 * MiB }).missingBytes,
    ).toBe(0);
  });

  it('says how much is missing, rounded up to a MiB', () => {
    const text = describeShortfall(
      { neededBytes: 1400 * MiB + 1, budgetBytes: 1300 * MiB, missingBytes: 100 * MiB + 1 },
      '1300M',
    );
    expect(text).toBe(
      'the image tree needs 1401 MiB but rootfs_size is 1300M (1300 MiB): 101 MiB short; set rootfs_size to at least 1401M or trim the package set',
    );
  });
});

describe('diskSpaceNeeded', () => {
  it('bounds the tree, the image and the archives by the declared size', () => {
    expect(diskSpaceNeeded(1300 * MiB, false)).toBe(2600 * MiB + GiB);
    expect(diskSpaceNeeded(1300 * MiB, true)).toBe(3900 * MiB + GiB);
  });
});

describe('formatBytes', () => {
  it('picks a readable unit', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4608)).toBe('4.5 KiB');
    expect(formatBytes(118.4 * MiB)).toBe('118 MiB');
    expect(formatBytes(1300 * MiB)).toBe('1.27 GiB');
  });
});
