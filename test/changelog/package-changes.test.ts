import { describe, expect, it } from 'vitest';
import { diffManifests, parseManifest } from '../../tools/changelog/package-changes.js';

describe('parseManifest', () => {
  it('reads name<TAB>version lines and reports the others with their line', () => {
    const manifest = parseManifest('curl\t7.88.1-10\n\n# comment\nbroken line\nlibc6\t2.36-9\r\ncurl\t8.0\n');
    expect([...manifest.packages]).toEqual([
      ['curl', '7.88.1-10'],
      ['libc6', '2.36-9'],
    ]);
    expect(manifest.defects).toEqual([
      { line: 4, message: 'not a name<TAB>version line: ignored' },
      { line: 6, message: 'curl is listed twice: the first version is kept' },
    ]);
  });
});

describe('diffManifests', () => {
  const before = parseManifest('a\t1.0\nb\t2.0\nc\t3.0\nd\t1:1.0\n');
  const after = parseManifest('a\t1.1\nc\t2.9\nd\t1:1.0\ne\t0.1\n');

  it('sorts added, removed, upgraded and downgraded packages by name', () => {
    expect(diffManifests('image-ids/x.packages', after, before)).toEqual({
      manifest: 'image-ids/x.packages',
      total: 4,
      previous_total: 4,
      added: [{ name: 'e', version: '0.1' }],
      removed: [{ name: 'b', version: '2.0' }],
      upgraded: [{ name: 'a', from: '1.0', to: '1.1' }],
      downgraded: [{ name: 'c', from: '3.0', to: '2.9' }],
      security: null,
      initial: [],
      manifest_url: null,
    });
  });

  it('compares nothing without a previous manifest', () => {
    const changes = diffManifests('image-ids/x.packages', after, undefined);
    expect(changes.previous_total).toBeNull();
    expect(changes.added).toEqual([]);
    expect(changes.total).toBe(4);
    // The first list is shown whole: what is in the image.
    expect(changes.initial.map((p) => p.name)).toEqual(['a', 'c', 'd', 'e']);
  });
});

describe('manifests that record the suite of each version', () => {
  it('counts the added and upgraded packages that came from the security suite', () => {
    const before = parseManifest('# emi-packages x x86_64 1 s\nbash\t5.2.15-2\ncurl\t7.88.1-10\tbookworm\n');
    const after = parseManifest(
      '# emi-packages x x86_64 2 s\nbash\t5.2.15-2+deb12u1\tbookworm-updates\ncurl\t7.88.1-10+deb12u8\tbookworm-security\nzstd\t1.5.4-2\tbookworm\n',
    );
    const changes = diffManifests('image-ids/x.packages', after, before);
    expect(changes.upgraded).toEqual([
      { name: 'bash', from: '5.2.15-2', to: '5.2.15-2+deb12u1', suite: 'bookworm-updates' },
      { name: 'curl', from: '7.88.1-10', to: '7.88.1-10+deb12u8', suite: 'bookworm-security' },
    ]);
    expect(changes.added).toEqual([{ name: 'zstd', version: '1.5.4-2', suite: 'bookworm' }]);
    expect(changes.security).toBe(1);
  });
});
