import { describe, expect, it } from 'vitest';
import {
  assertRunsNatively,
  mergedUsrHooks,
  mmdebstrapArguments,
} from '../../tools/image-build/install-packages.js';
import type { ResolvedRecipe } from '../../tools/image-build/resolve-recipe.js';

const recipe = {
  name: 'debian-based',
  distribution: 'debian',
  release: 'bookworm',
  variant: 'minbase',
  components: ['main'],
  sources: [
    { uri: 'http://m.example/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main'] },
    { uri: 'http://m.example/debian-security', suites: ['bookworm-security'], components: ['main'] },
  ],
  keyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
  packages: { add: ['systemd', 'openssh-server'], remove: [] },
} as unknown as ResolvedRecipe;

const input = (arch: 'x86_64' | 'i386') => ({
  recipe,
  arch,
  kernel: 'linux-image-cloud-amd64',
  root: '/srv/out/.emi-build-1/root',
  debs: '/srv/cache/debs/debian-bookworm-amd64; rm -rf /',
});

describe('mmdebstrap', () => {
  it('installs base, packages and kernel in one run, sources from standard input', () => {
    const argv = mmdebstrapArguments(input('x86_64'), 'x86_64');
    expect(argv[0]).toBe('mmdebstrap');
    expect(argv).toContain('--mode=root');
    expect(argv).toContain('--variant=minbase');
    expect(argv).toContain('--architectures=amd64');
    expect(argv).toContain('--include=systemd,openssh-server,linux-image-cloud-amd64');
    expect(argv).toContain(`--hook-dir=${mergedUsrHooks}`);
    expect(argv).toContain('--skip=essential/unlink');
    expect(argv).toContain('--dpkgopt=force-unsafe-io');
    expect(argv).toContain('--skip=check/signed-by');
    expect(argv).not.toContain('--skip=check/qemu');
    expect(argv.slice(-4)).toEqual(['--', 'bookworm', '/srv/out/.emi-build-1/root', '-']);
  });

  it('passes the .deb cache to its hooks in the environment, never inside a script', () => {
    const argv = mmdebstrapArguments(input('x86_64'), 'x86_64');
    expect(argv.join('\n')).not.toContain('/srv/cache');
    const setup = argv.find((arg) => arg.startsWith('--setup-hook='));
    expect(setup).toContain('mount --bind "$EMI_DEBS" "$1/var/cache/apt/archives"');
    expect(argv.find((arg) => arg.startsWith('--customize-hook='))).toBe(
      '--customize-hook=umount "$1/var/cache/apt/archives"',
    );
  });

  it('builds i386 natively on x86_64 without arch-test, and refuses arches that need qemu', () => {
    expect(mmdebstrapArguments(input('i386'), 'x86_64')).toContain('--skip=check/qemu');
    expect(mmdebstrapArguments(input('i386'), 'x86_64')).toContain('--architectures=i386');
    expect(() => assertRunsNatively('x86_64', 'x86_64')).not.toThrow();
    expect(() => assertRunsNatively('i386', 'x86_64')).not.toThrow();
    expect(() => assertRunsNatively('aarch64', 'x86_64')).toThrow(
      /^emi build makes aarch64 images on a machine that runs aarch64 programs natively, and this one is x86_64/,
    );
    expect(() => assertRunsNatively('x86_64', 'aarch64')).toThrow(
      /build the x86_64 image on a x86_64 machine/,
    );
  });
});
