import { randomBytes } from 'node:crypto';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256File } from '../../tools/image-build/checksums.js';
import { buildEnv } from '../../tools/image-build/contained.js';
import { makeFilesystem } from '../../tools/image-build/filesystem.js';
import { pack } from '../../tools/image-build/pack.js';
import { runCommand } from '../../tools/lib/exec.js';
import { MiB } from '../../tools/recipes/sizes.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { tarMembers } from '../helpers/tar-headers.js';

const env = buildEnv({});
let base = '';
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'emi-fs-'));
});
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

async function tree(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(base, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const options = (treeDir: string, image: string, size: string, bytes: number) => ({
  tree: treeDir,
  image,
  bytes,
  size,
  type: 'ext4' as const,
  label: 'emi-test',
  seed: 'euca-test-emi.x86_64.abcd-ef01',
  env,
});

describeAsRoot('filesystem', () => {
  it('is made from the tree with mke2fs -d, exactly the declared size, clean and labelled', async () => {
    const dir = await tree('small', {
      'etc/hostname': 'localhost\n',
      'usr/sbin/tool': '#!/bin/sh\n',
      'var/data': randomBytes(MiB),
    });
    await chmod(join(dir, 'usr/sbin/tool'), 0o755);
    await symlink('usr/sbin', join(dir, 'sbin'));
    const image = join(base, 'small.img');
    const result = await makeFilesystem(options(dir, image, '64M', 64 * MiB));
    expect((await stat(image)).size).toBe(64 * MiB);
    expect(result.blockSize * result.blockCount).toBe(64 * MiB);
    expect((await runCommand('e2fsck', ['-fn', image], { reject: false })).exitCode).toBe(0);
    const debugfs = (request: string) => runCommand('debugfs', ['-R', request, image]).then((r) => r.stdout);
    expect(await debugfs('cat /etc/hostname')).toBe('localhost\n');
    expect(await debugfs('stat /usr/sbin/tool')).toMatch(/Mode:\s+0755/);
    expect(await debugfs('stat /sbin')).toMatch(/Type: symlink/);
    const superblock = (await runCommand('dumpe2fs', ['-h', image])).stdout;
    expect(superblock).toMatch(/^Filesystem volume name:\s+emi-test$/m);
    expect(superblock).toContain(`Filesystem UUID:          ${result.uuid}`);
  });

  it('says by how much the budget is short when the tree does not fit, and leaves no image', async () => {
    const dir = await tree('big', { 'data/random': randomBytes(80 * MiB) });
    const image = join(base, 'big.img');
    const error = (await makeFilesystem(options(dir, image, '64M', 64 * MiB)).catch(
      (caught) => caught,
    )) as Error;
    const match =
      /^the image tree needs (\d+) MiB but rootfs_size is 64M \(64\.0 MiB\): (\d+) MiB short; set rootfs_size to at least (\d+)M or trim the package set$/.exec(
        error.message,
      );
    expect(match, error.message).not.toBeNull();
    const needed = Number(match?.[1]);
    expect(needed).toBeGreaterThan(80);
    expect(Number(match?.[2])).toBe(needed - 64);
    expect(Number(match?.[3])).toBe(needed);
    // The figure is right: the tree fits in that size, and not in one MiB less.
    const fitsIn = async (mib: number) => {
      const trial = join(base, `trial-${mib}.img`);
      const result = await makeFilesystem(options(dir, trial, `${mib}M`, mib * MiB)).then(
        () => true,
        () => false,
      );
      await rm(trial, { force: true });
      return result;
    };
    expect(await fitsIn(needed)).toBe(true);
    expect(await fitsIn(needed - 1)).toBe(false);
    expect((await readdir(base)).filter((name) => name.startsWith('big.img'))).toEqual([]);
  });
});

describeAsRoot('pack', () => {
  it('needs no zerofree for a filesystem fresh from makeFilesystem: no free block holds data', async () => {
    const dir = await tree('fresh', { 'etc/hostname': 'localhost\n', big: randomBytes(8 * MiB) });
    const image = join(base, 'fresh.img');
    await makeFilesystem(options(dir, image, '64M', 64 * MiB));
    // zerofree -n -v counts, without writing, the free blocks that are not zeros: "nonzero/free/total".
    const nonZeroFree = async () => {
      const { stdout } = await runCommand('zerofree', ['-n', '-v', image]);
      const match = /^(\d+)\/(\d+)\/(\d+)/m.exec(stdout);
      expect(match, stdout.slice(0, 200)).not.toBeNull();
      return { nonZero: Number(match?.[1]), free: Number(match?.[2]) };
    };
    const fresh = await nonZeroFree();
    expect(fresh.free).toBeGreaterThan(8000);
    expect(fresh.nonZero).toBe(0);
    // The same count sees a deleted file's data, so the 0 above means something.
    await runCommand('debugfs', ['-w', '-R', 'rm /big', image]);
    expect((await nonZeroFree()).nonZero).toBeGreaterThan(1000);
  });

  it('zeroes free blocks, digs holes and tars the image sparse with its kernel', async () => {
    const dir = await tree('packed', { 'etc/hostname': 'localhost\n', big: randomBytes(24 * MiB) });
    const image = join(base, 'packed.img');
    await makeFilesystem(options(dir, image, '128M', 128 * MiB));
    // Delete the file inside the image: its 24 MiB of random data stay in the now free blocks.
    await runCommand('debugfs', ['-w', '-R', 'rm /big', image]);
    await writeFile(join(base, 'vmlinuz'), randomBytes(64 * 1024));
    await writeFile(join(base, 'initrd'), randomBytes(32 * 1024));
    const raw = join(base, 'raw.img');
    await copyFile(image, raw);

    const sizes: Record<string, number> = {};
    for (const [name, skipZerofree] of [
      ['zeroed', false],
      ['raw', true],
    ] as const) {
      const layoutDir = join(base, `layout-${name}`);
      const tarball = join(base, `${name}.tgz`);
      const result = await pack({
        image: name === 'zeroed' ? image : raw,
        imageName: 'test-2026.07.25-x86_64.img',
        kernelVersion: '6.1.0-40-cloud-amd64',
        kernel: join(base, 'vmlinuz'),
        initrd: join(base, 'initrd'),
        tarball,
        layoutDir,
        epoch: 1_785_000_000,
        pigz: true,
        skipZerofree,
        env,
      });
      sizes[name] = result.tarballBytes;
      if (name === 'zeroed') {
        expect(result.allocatedAfter).toBeLessThan(result.allocatedBefore);
        expect(result.allocatedAfter).toBeLessThan(8 * MiB);
      }
    }
    expect(sizes.zeroed).toBeLessThan(2 * MiB);
    expect(sizes.raw).toBeGreaterThan(24 * MiB);

    const tarball = join(base, 'zeroed.tgz');
    const listing = (await runCommand('tar', ['-tvzf', tarball])).stdout;
    expect(listing).toMatch(
      /^-rw-r--r-- 0\/0 +134217728 2026-07-\d\d \d\d:\d\d test-2026\.07\.25-x86_64\.img$/m,
    );
    expect(listing).toContain('kvm-kernel/vmlinuz-6.1.0-40-cloud-amd64');
    expect(listing).toContain('kvm-kernel/initrd.img-6.1.0-40-cloud-amd64');
    const member = tarMembers(await readFile(tarball)).find(
      (entry) => entry.name === 'test-2026.07.25-x86_64.img',
    );
    expect(member?.typeflag).toBe('S');

    const unpacked = join(base, 'unpacked');
    await mkdir(unpacked);
    await runCommand('tar', ['-xzf', tarball, '-C', unpacked]);
    const file = join(unpacked, 'test-2026.07.25-x86_64.img');
    const info = await stat(file);
    expect(info.size).toBe(128 * MiB);
    expect(info.blocks * 512).toBeLessThan(8 * MiB);
    expect(await sha256File(file)).toBe(await sha256File(image));
    expect((await runCommand('e2fsck', ['-fn', file], { reject: false })).exitCode).toBe(0);
  });
});
