/**
 * Tests that build for real need root (debootstrap, chroot, mount namespaces). CI runs as root; on a
 * workstation they fail with the reason unless EMI_SKIP_ROOT_TESTS=1 asks to skip them.
 */
import { beforeAll, describe } from 'vitest';

export const skipRootTests = process.env.EMI_SKIP_ROOT_TESTS === '1';

export function describeAsRoot(name: string, body: () => void): void {
  describe.skipIf(skipRootTests)(name, () => {
    beforeAll(() => {
      if (process.getuid?.() !== 0)
        throw new Error(
          'this test builds for real and needs root: run it as root, or set EMI_SKIP_ROOT_TESTS=1 to skip it',
        );
    });
    body();
  });
}
