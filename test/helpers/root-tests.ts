/**
 * Tests that build for real need root (debootstrap, chroot, mount namespaces, network namespaces).
 * CI runs them as root. Run as another user (`npm test` on a workstation or on a GitHub-hosted
 * runner), they are skipped, and the run says why and how to run them (`sudo npm run test:root`);
 * EMI_SKIP_ROOT_TESTS=1 skips them even as root.
 */
import { describe } from 'vitest';

const isRoot = process.getuid?.() === 0;
export const skipRootTests = process.env.EMI_SKIP_ROOT_TESTS === '1' || !isRoot;
export const rootSkipReason = isRoot
  ? 'EMI_SKIP_ROOT_TESTS=1'
  : 'not root: they build and boot images for real (run them with sudo npm run test:root)';

export function describeAsRoot(name: string, body: () => void): void {
  describe.skipIf(skipRootTests)(skipRootTests ? `${name} (skipped: ${rootSkipReason})` : name, body);
}
