import { describe, expect, it } from 'vitest';
import { parsePackageManifest, renderPackageManifest } from '../../tools/image-build/package-manifest.js';

describe('package manifest', () => {
  it('sorts dpkg-query -W output by name in byte order', () => {
    const output =
      'zlib1g:amd64\t1:1.2.13.dfsg-1\nadduser\t3.134\nlibc6:amd64\t2.36-9+deb12u13\nlibc-bin\t2.36-9+deb12u13\n';
    expect(renderPackageManifest(parsePackageManifest(output))).toBe(
      'adduser\t3.134\nlibc-bin\t2.36-9+deb12u13\nlibc6:amd64\t2.36-9+deb12u13\nzlib1g:amd64\t1:1.2.13.dfsg-1\n',
    );
  });

  it('leaves out packages dpkg knows but has not installed', () => {
    expect(parsePackageManifest('curl\t7.88.1-10+deb12u14\nlinux-image-6.1.0-40-amd64\t\n')).toEqual([
      { name: 'curl', version: '7.88.1-10+deb12u14' },
    ]);
  });

  it('refuses lines that are not name<TAB>version', () => {
    expect(() => parsePackageManifest('curl 7.88\n')).toThrow(
      'dpkg-query line 1 is not "name<TAB>version": "curl 7.88"',
    );
    expect(() => parsePackageManifest('ok\t1\nx\t1\textra\n')).toThrow(/line 2/);
  });
});
