import { describe, expect, it } from 'vitest';
import {
  inReleaseUrl,
  type TreeKeyInput,
  treeKey,
  treesToPrune,
} from '../../tools/image-build/package-cache.js';

const base: TreeKeyInput = {
  distribution: 'debian',
  release: 'bookworm',
  arch: 'x86_64',
  variant: 'minbase',
  sources: [
    { uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main'], from: 'x.sources' },
  ],
  suites: [{ uri: 'http://m.example/debian', suite: 'bookworm', inrelease: 'a'.repeat(64) }],
  add: ['systemd', 'curl'],
  remove: ['tzdata'],
  kernel: 'linux-image-cloud-amd64',
};

describe('treeKey', () => {
  it('ignores the order of packages and where the mirror was found', () => {
    const key = treeKey(base);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(treeKey({ ...base, add: ['curl', 'systemd', 'curl'] })).toBe(key);
    expect(
      treeKey({ ...base, sources: [{ ...base.sources[0], from: '--mirror' } as TreeKeyInput['sources'][0]] }),
    ).toBe(key);
  });

  it('changes with the arch, the package set, the kernel, the sources and the archive state', () => {
    const key = treeKey(base);
    const variants: Partial<TreeKeyInput>[] = [
      { arch: 'i386' },
      { release: 'trixie' },
      { variant: 'buildd' },
      { add: ['systemd', 'curl', 'less'] },
      { remove: [] },
      { kernel: 'linux-image-amd64' },
      {
        sources: [
          { uri: 'http://other.example/debian', suites: ['bookworm'], components: ['main'], from: 'x' },
        ],
      },
      { suites: [{ uri: 'http://m.example/debian', suite: 'bookworm', inrelease: 'b'.repeat(64) }] },
    ];
    for (const variant of variants)
      expect(treeKey({ ...base, ...variant }), JSON.stringify(variant)).not.toBe(key);
  });
});

describe('treesToPrune', () => {
  it('keeps the newest trees of the same distribution, release and arch', () => {
    const trees = [
      { name: 'debian-bookworm-amd64-1.tar.zst', mtimeMs: 1 },
      { name: 'debian-bookworm-amd64-4.tar.zst', mtimeMs: 4 },
      { name: 'debian-bookworm-amd64-2.tar.zst', mtimeMs: 2 },
      { name: 'debian-bookworm-amd64-3.tar.zst', mtimeMs: 3 },
      { name: 'debian-bookworm-i386-0.tar.zst', mtimeMs: 0 },
      { name: '.debian-bookworm-amd64-9.tar.zst.tmp-12-ab', mtimeMs: 0 },
    ];
    expect(treesToPrune(trees, 'debian-bookworm-amd64')).toEqual(['debian-bookworm-amd64-1.tar.zst']);
    expect(treesToPrune(trees, 'debian-bookworm-amd64', 1)).toEqual([
      'debian-bookworm-amd64-3.tar.zst',
      'debian-bookworm-amd64-2.tar.zst',
      'debian-bookworm-amd64-1.tar.zst',
    ]);
  });
});

describe('inReleaseUrl', () => {
  it('points at dists/<suite>/InRelease', () => {
    expect(inReleaseUrl('http://m.example/debian/', 'bookworm-updates')).toBe(
      'http://m.example/debian/dists/bookworm-updates/InRelease',
    );
  });
});
