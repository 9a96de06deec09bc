import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { assertRealDirectory, requireFileInRoot, resolveInRoot } from '../../tools/image-build/root-paths.js';
import { it as base } from '../helpers/fixtures.js';

/** An image root with links inside it, to the host, and climbing out of it. */
const it = base.extend<{ root: string }>({
  root: async ({ makeTempDir }, use) => {
    const root = await makeTempDir('emi-root-');
    await mkdir(join(root, 'usr/lib/systemd'), { recursive: true });
    await mkdir(join(root, 'boot'));
    await symlink('usr/lib', join(root, 'lib'));
    await writeFile(join(root, 'usr/lib/os-release'), 'ID=debian\n');
    await mkdir(join(root, 'etc'));
    await symlink('../usr/lib/os-release', join(root, 'etc/os-release'));
    await symlink('/usr/lib/os-release', join(root, 'etc/absolute'));
    await symlink('/etc/shadow', join(root, 'boot/vmlinuz-evil'));
    await symlink('../../../../../../../../etc/passwd', join(root, 'boot/climb'));
    await use(root);
  },
});

describe('resolveInRoot', () => {
  it('follows relative and absolute links as the image sees them', async ({ root }) => {
    expect(await resolveInRoot(root, 'etc/os-release')).toBe(join(root, 'usr/lib/os-release'));
    expect(await resolveInRoot(root, '/etc/absolute')).toBe(join(root, 'usr/lib/os-release'));
    expect(await resolveInRoot(root, 'lib/systemd')).toBe(join(root, 'usr/lib/systemd'));
  });

  it('never leaves the root: /etc/shadow of a link is the image one', async ({ root }) => {
    expect(await resolveInRoot(root, 'boot/vmlinuz-evil')).toBeUndefined();
    expect(await resolveInRoot(root, 'boot/climb')).toBeUndefined();
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    expect(await resolveInRoot(root, 'boot/climb')).toBe(join(root, 'etc/passwd'));
    await expect(requireFileInRoot(root, 'boot/vmlinuz-evil')).rejects.toThrow(
      'the image has no file boot/vmlinuz-evil',
    );
  });

  it('stops at link loops', async ({ root }) => {
    await symlink('b', join(root, 'a'));
    await symlink('a', join(root, 'b'));
    await expect(resolveInRoot(root, 'a')).rejects.toThrow(/too many symlinks/);
  });
});

describe('assertRealDirectory', () => {
  it('accepts real folders and refuses links on the way', async ({ root }) => {
    await assertRealDirectory(root, 'usr/lib/systemd');
    await expect(assertRealDirectory(root, 'lib/systemd')).rejects.toThrow(
      '/lib/systemd in the image goes through a symlink (/lib)',
    );
    await expect(assertRealDirectory(root, 'etc/os-release')).rejects.toThrow(/goes through a symlink/);
    await expect(assertRealDirectory(root, 'srv')).rejects.toThrow('the image has no folder /srv');
    await expect(assertRealDirectory(root, 'usr/lib/os-release')).rejects.toThrow(
      '/usr/lib/os-release in the image is not a folder',
    );
  });
});
