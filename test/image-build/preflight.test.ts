import { describe, expect, it } from 'vitest';
import { hostRequirements, installLine, preflight } from '../../tools/image-build/preflight.js';
import { tempDirForTest } from '../helpers/fixtures.js';

describe('installLine', () => {
  it('names each package once, sorted', () => {
    expect(
      installLine([
        { need: 'zerofree', package: 'zerofree' },
        { need: 'mke2fs', package: 'e2fsprogs' },
        { need: 'e2fsck', package: 'e2fsprogs' },
      ]),
    ).toBe('apt-get install --no-install-recommends e2fsprogs zerofree');
    expect(installLine([])).toBeUndefined();
  });

  it('covers every host program with a package of scripts/host-packages.txt', async () => {
    const { readFile } = await import('node:fs/promises');
    const { toolkitPath } = await import('../../tools/lib/paths.js');
    const listed = new Set(
      (await readFile(toolkitPath('scripts', 'host-packages.txt'), 'utf8'))
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#')),
    );
    const missing = hostRequirements
      .map((requirement) => requirement.package)
      .filter((name) => !listed.has(name));
    expect(missing).toEqual([]);
  });
});

describe('preflight', () => {
  it('passes on this build host with what the build needs', async () => {
    const dir = await tempDirForTest('emi-preflight-');
    const result = await preflight({
      requirements: hostRequirements,
      outDir: dir,
      neededBytes: 1024,
      isRoot: true,
    });
    expect(result.freeBytes).toBeGreaterThan(1024);
  });

  it('lists every problem at once, with the exact apt-get line for what is missing', async () => {
    const dir = await tempDirForTest('emi-preflight-');
    const error = await preflight({
      requirements: [
        { need: 'tar', package: 'tar' },
        { need: 'emi-no-such-program', package: 'emi-imaginary-tools' },
        { need: '/nonexistent/qemu-foo-static', package: 'qemu-user-static' },
      ],
      outDir: dir,
      neededBytes: Number.MAX_SAFE_INTEGER,
      isRoot: false,
    }).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^preflight failed:\n {2}the build needs root/);
    expect((error as Error).message).toContain(
      'missing on this machine: emi-no-such-program, /nonexistent/qemu-foo-static; install them with\n    apt-get install --no-install-recommends emi-imaginary-tools qemu-user-static\n',
    );
    expect((error as Error).message).toMatch(/not enough free space in .*: .* free, the build needs about/);
  });
});
