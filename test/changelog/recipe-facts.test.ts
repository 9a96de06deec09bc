import { describe, expect, it } from 'vitest';
import { parseRecordArtifacts } from '../../tools/changelog/parse-record-log.js';
import { baseTitle, recipeFactsOf } from '../../tools/changelog/recipe-facts.js';
import { sizeText } from '../../tools/changelog/render/use-image-html.js';

describe('recipeFactsOf', () => {
  const recipe = `distribution: debian
release: bookworm
lines:
  - image_name: euca-debian-emi
    arches: [x86_64, i386]
    rootfs_size: 1300M
  - image_name: euca-large-debian-emi
    arches: [x86_64]
    rootfs_size: 4500M
`;
  it('gives the base and the line’s root size', () => {
    expect(recipeFactsOf(recipe, 'euca-large-debian-emi')).toEqual({
      base: { distribution: 'debian', release: 'bookworm', title: 'Debian 12 (bookworm)' },
      rootSize: '4500M',
    });
    expect(recipeFactsOf(recipe, 'euca-other-emi').rootSize).toBeNull();
  });
  it('gives nothing for a recipe that does not parse', () => {
    expect(recipeFactsOf('distribution: [', 'x')).toEqual({ base: null, rootSize: null });
  });
  it('names releases by number where it knows them', () => {
    expect(baseTitle('ubuntu', 'noble')).toBe('Ubuntu 24.04 LTS (noble)');
    expect(baseTitle('debian', 'sid')).toBe('Debian sid');
  });
});

describe('parseRecordArtifacts', () => {
  it('reads the artifacts list and leaves out items without a name, a sha256 or a size', () => {
    const lines = `image_name: "x"
artifacts:
  - name: "x.img"
    sha256: "${'a'.repeat(64)}"
    size: 10
  - name: "x.tgz"
    sha256: "not-a-hash"
    size: 5
  - name: "x.initrd"
    sha256: "${'b'.repeat(64)}"
`.split('\n');
    expect(parseRecordArtifacts(lines)).toEqual([{ name: 'x.img', sha256: 'a'.repeat(64), size: 10 }]);
    expect(parseRecordArtifacts(['image_name: "x"'])).toEqual([]);
    expect(parseRecordArtifacts(['artifacts: [', '  {'])).toEqual([]);
  });
});

describe('sizeText', () => {
  it('gives binary units with three significant digits', () => {
    expect(sizeText(512)).toBe('512 B');
    expect(sizeText(4555)).toBe('4.45 KiB');
    expect(sizeText(130235220)).toBe('124 MiB');
    expect(sizeText(1363148800)).toBe('1.27 GiB');
  });
});
