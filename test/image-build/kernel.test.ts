import { describe, expect, it } from 'vitest';
import { findKernel, missingBootModules } from '../../tools/image-build/kernel.js';

describe('findKernel', () => {
  it('pairs the kernel with its initrd', () => {
    expect(
      findKernel([
        'System.map-6.1.0-40-cloud-amd64',
        'config-6.1.0-40-cloud-amd64',
        'initrd.img-6.1.0-40-cloud-amd64',
        'vmlinuz-6.1.0-40-cloud-amd64',
      ]),
    ).toEqual({
      version: '6.1.0-40-cloud-amd64',
      kernel: '/boot/vmlinuz-6.1.0-40-cloud-amd64',
      initrd: '/boot/initrd.img-6.1.0-40-cloud-amd64',
    });
  });

  it('wants exactly one kernel with an initrd', () => {
    expect(() => findKernel(['vmlinuz-6.1.0-40-amd64'])).toThrow(
      /no \/boot\/vmlinuz-V with its \/boot\/initrd.img-V/,
    );
    expect(() => findKernel(['vmlinuz-1', 'initrd.img-1', 'vmlinuz-2', 'initrd.img-2'])).toThrow(
      'the image has several kernels (1, 2): the recipe must install exactly one',
    );
  });
});

describe('missingBootModules', () => {
  const listing = [
    'usr/lib/modules/6.1.0-40-cloud-amd64/kernel/drivers/block/virtio_blk.ko',
    'usr/lib/modules/6.1.0-40-cloud-amd64/kernel/drivers/virtio/virtio_pci.ko.xz',
    'usr/lib/modules/6.1.0-40-cloud-amd64/kernel/fs/jbd2/jbd2.ko',
  ].join('\n');

  it('finds drivers in the initrd or built into the kernel', () => {
    expect(missingBootModules(listing, 'kernel/fs/ext4/ext4.ko\nkernel/fs/mbcache.ko\n')).toEqual([]);
  });

  it('names what neither has', () => {
    expect(missingBootModules(listing, '')).toEqual(['ext4']);
    expect(missingBootModules('', '')).toEqual(['virtio_blk', 'virtio_pci', 'ext4']);
  });
});
