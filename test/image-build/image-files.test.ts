import { describe, expect, it } from 'vitest';
import { renderImageId } from '../../tools/catalog/record-files.js';
import {
  addImageFields,
  cloudDiskModules,
  generatedFiles,
  initramfsDisksHook,
  overlayUnits,
  renderDhcpNetwork,
  renderFstab,
  renderInitramfsDisksHook,
} from '../../tools/image-build/image-files.js';
import { requiredBootModules } from '../../tools/image-build/kernel.js';
import { makeRecord } from '../helpers/catalog-fixtures.js';

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
`;

describe('addImageFields', () => {
  it('appends IMAGE_ID and IMAGE_VERSION and keeps every other line', () => {
    expect(addImageFields(osRelease, { image_name: 'euca-debian-emi', image_version: '2026.07.25.1' })).toBe(
      `${osRelease}IMAGE_ID="euca-debian-emi"\nIMAGE_VERSION="2026.07.25.1"\n`,
    );
  });

  it('replaces earlier values instead of adding a second pair', () => {
    const once = addImageFields(osRelease, { image_name: 'euca-debian-emi', image_version: '2026.07.25' });
    const twice = addImageFields(once, { image_name: 'euca-debian-emi', image_version: '2026.07.26' });
    expect(twice.match(/^IMAGE_ID=/gm)).toHaveLength(1);
    expect(twice).toContain('IMAGE_VERSION="2026.07.26"\n');
    expect(twice).not.toContain('2026.07.25');
  });

  it('copes with a file without a final newline, or an empty one', () => {
    expect(addImageFields('ID=debian', { image_name: 'a-emi', image_version: '2026.01.01' })).toBe(
      'ID=debian\nIMAGE_ID="a-emi"\nIMAGE_VERSION="2026.01.01"\n',
    );
    expect(addImageFields('', { image_name: 'a-emi', image_version: '2026.01.01' })).toBe(
      'IMAGE_ID="a-emi"\nIMAGE_VERSION="2026.01.01"\n',
    );
  });
});

describe('generated files', () => {
  it('mounts root by label with the recipe filesystem type', () => {
    expect(renderFstab({ type: 'ext4', label: 'emi-rootfs' })).toContain(
      'LABEL=emi-rootfs\t/\text4\tdefaults,errors=remount-ro\t0\t1\n',
    );
  });

  it('gives the first interface DHCP', () => {
    expect(renderDhcpNetwork()).toContain('[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n');
  });

  it('writes /etc/image-id byte for byte as image-ids/ has it, and keeps kernel interface names', () => {
    const record = makeRecord({ epoch: 1_785_000_000 });
    const files = generatedFiles(record, { type: 'ext4', label: 'root' });
    expect(files.find((file) => file.path === 'etc/image-id')?.content).toBe(renderImageId(record));
    expect(files.find((file) => file.path === 'etc/systemd/network/99-default.link')).toEqual({
      path: 'etc/systemd/network/99-default.link',
      symlink: '/dev/null',
      mode: 0o777,
    });
    expect(files.map((file) => file.path)).toEqual([
      'etc/image-id',
      'etc/fstab',
      'etc/hostname',
      'etc/hosts',
      'etc/systemd/network/10-emi-first-interface.network',
      'etc/initramfs-tools/conf.d/emi-root-fstype',
      'etc/initramfs-tools/conf.d/emi-modules',
      'etc/initramfs-tools/hooks/emi-cloud-disks',
      'etc/systemd/network/99-default.link',
    ]);
    expect(
      files.find((file) => file.path === 'etc/initramfs-tools/conf.d/emi-root-fstype')?.content,
    ).toContain('\nFSTYPE=ext4\n');
  });
});

describe('the initramfs drivers', () => {
  it('lists only the drivers a cloud VM needs for its root disk, through an initramfs-tools hook', () => {
    const files = generatedFiles(makeRecord({ epoch: 1_785_000_000 }), { type: 'ext4', label: 'root' });
    expect(files.find((file) => file.path === 'etc/initramfs-tools/conf.d/emi-modules')?.content).toMatch(
      /^MODULES=list$/m,
    );
    const hook = files.find((file) => file.path === initramfsDisksHook);
    expect(hook?.mode).toBe(0o755);
    expect(hook?.content).toMatch(/^#!\/bin\/sh\n/);
    expect(hook?.content).toContain('. /usr/share/initramfs-tools/hook-functions\n');
    const line = hook?.content?.split('\n').find((text) => text.startsWith('manual_add_modules '));
    expect(line?.split(' ').slice(1)).toEqual(cloudDiskModules);
    // What the kernel step requires is always in the list.
    for (const module of requiredBootModules) expect(cloudDiskModules).toContain(module);
    for (const module of ['xen-blkfront', 'nvme', 'virtio_scsi', 'sd_mod'])
      expect(cloudDiskModules).toContain(module);
  });

  it("answers initramfs-tools' prereqs question with nothing, before it reads hook-functions", () => {
    const lines = renderInitramfsDisksHook(['virtio_blk']).split('\n');
    const prereqs = lines.indexOf('case "$1" in prereqs) exit 0 ;; esac');
    expect(prereqs).toBeGreaterThan(0);
    expect(prereqs).toBeLessThan(lines.indexOf('. /usr/share/initramfs-tools/hook-functions'));
    expect(lines.filter((line) => /^(echo|printf)\b/.test(line))).toEqual([]);
  });
});

describe('overlayUnits', () => {
  it('finds the units an overlay ships in etc/systemd/system, not their drop-ins or wants links', () => {
    expect(
      overlayUnits([
        'etc/systemd/system/emi-agent.service',
        'etc/systemd/system/emi-agent.service.d/override.conf',
        'etc/systemd/system/multi-user.target.wants/emi-agent.service',
        'etc/systemd/system/tidy.timer',
        'etc/systemd/network/10-x.network',
        'usr/lib/systemd/system/other.service',
        'etc/rc.local',
      ]),
    ).toEqual(['emi-agent.service', 'tidy.timer']);
  });
});
