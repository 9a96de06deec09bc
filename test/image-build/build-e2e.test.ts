/**
 * End to end: the standard x86_64 debian-based image built with the real tools (mmdebstrap, apt,
 * mke2fs, zerofree, tar), then inspected without mounting it (debugfs, e2fsck, dumpe2fs, tar).
 */
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { renderImageId } from '../../tools/catalog/record-files.js';
import { stepNames } from '../../tools/image-build/events.js';
import { runCommand } from '../../tools/lib/exec.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { runEmi } from '../helpers/run-emi.js';
import { beforeAllStandardImage, type StandardImage, testOutput } from '../helpers/standard-image.js';
import { tarMembers } from '../helpers/tar-headers.js';

/** The agent files agreed with the boot-agent work, and the modes they must have in the image. */
const agentModes: Record<string, number> = {
  'usr/sbin/emi-agent': 0o755,
  'etc/emi-agent.conf': 0o644,
  'etc/systemd/system/emi-agent.service': 0o644,
  'etc/rc.local': 0o755,
  'usr/sbin/euca-udev': 0o755,
  'etc/udev/rules.d/06-euca-udev.rules': 0o644,
};

let built: StandardImage;
let image = '';
const debugfs = async (request: string) => (await runCommand('debugfs', ['-R', request, image])).stdout;
const debugfsErr = async (request: string) => (await runCommand('debugfs', ['-R', request, image])).stderr;

interface Inode {
  type: string;
  mode: number;
  size: number;
}
async function inode(path: string): Promise<Inode | undefined> {
  const text = await debugfs(`stat ${path}`);
  const match = /Type: (\w+)\s+Mode:\s+([0-7]+)/.exec(text);
  if (!match) return undefined;
  return {
    type: match[1] as string,
    mode: Number.parseInt(match[2] as string, 8),
    size: Number(/Size: (\d+)/.exec(text)?.[1]),
  };
}
async function names(path: string): Promise<string[]> {
  const text = await debugfs(`ls -p ${path}`);
  return text
    .split('\n')
    .map((line) => line.split('/')[5])
    .filter((name): name is string => name !== undefined && name !== '' && name !== '.' && name !== '..');
}

/** Every file and symlink of an overlay folder, with its git mode. */
async function overlayEntries(dir: string): Promise<{ path: string; symlink?: string; mode: number }[]> {
  const entries = (await readdir(dir, { recursive: true }).catch(() => [])) as string[];
  const result: { path: string; symlink?: string; mode: number }[] = [];
  for (const path of entries.sort()) {
    const info = await lstat(join(dir, path));
    if (info.isDirectory()) continue;
    if (info.isSymbolicLink()) result.push({ path, symlink: await readlink(join(dir, path)), mode: 0o777 });
    else result.push({ path, mode: info.mode & 0o111 ? 0o755 : 0o644 });
  }
  return result;
}

beforeAllStandardImage(async (standard) => {
  built = standard;
  image = join(built.dir, built.record.image_file);
});

describeAsRoot('the standard x86_64 debian-based image', () => {
  it('went through every step, each timed, and produced every artifact', async () => {
    const done = built.events
      .filter((event) => event.type === 'step' && event.state === 'done')
      .map((event) => (event as { step: string }).step);
    // verify is the boot check (test/boot-check/verify-e2e.test.ts looks at its report).
    expect(done).toEqual([...stepNames]);
    const base = built.record.image_file.replace(/\.img$/, '');
    expect((await readdir(built.dir)).sort()).toEqual(
      [
        `${base}.img`,
        `${base}.tgz`,
        `${base}.vmlinuz`,
        `${base}.initrd`,
        `${base}.packages`,
        'build.json',
        'SHA256SUMS',
        `${base}.verify.json`,
      ].sort(),
    );
    expect((await readdir(built.outDir)).filter((name) => name.startsWith('.'))).toEqual([]);
    const manifest = JSON.parse(await readFile(join(built.dir, 'build.json'), 'utf8'));
    expect(manifest.steps.map((step: { step: string }) => step.step)).toEqual([
      'bootstrap',
      'customise',
      'clean',
      'manifest',
      'kernel',
      'filesystem',
      'pack',
    ]);
    expect(manifest.tools.mmdebstrap).toMatch(/^1\./);
    console.log(
      `standard image: built in ${(built.buildMs / 1000).toFixed(0)} s, tarball ${manifest.sizes.tarball_bytes} bytes`,
    );
  });

  it('is recorded: the record has the digest and the checksums, image-ids/ what the image holds', async () => {
    const plan = await runEmi(['build', 'debian-based', '--plan', '--json', '--no-record'], {
      cwd: built.catalog,
    });
    const digest = (JSON.parse(plan.stdout) as { digest: string }).digest;
    expect(built.record.recipe_digest).toBe(digest);
    const sums = await readFile(join(built.dir, 'SHA256SUMS'), 'utf8');
    for (const artifact of built.record.artifacts ?? []) {
      expect(sums).toContain(`${artifact.sha256}  ${artifact.name}\n`);
      expect((await stat(join(built.dir, artifact.name))).size).toBe(artifact.size);
    }
    expect(built.record.artifacts?.map((artifact) => artifact.name).sort()).toEqual(
      (await readdir(built.dir)).filter((name) => !['build.json', 'SHA256SUMS'].includes(name)).sort(),
    );
    const imageId = await readFile(join(built.catalog, 'image-ids/euca-debian-emi.x86_64'), 'utf8');
    expect(imageId).toBe(renderImageId(built.record));
    expect(await debugfs('cat /etc/image-id')).toBe(imageId);
    const packages = await readFile(join(built.catalog, 'image-ids/euca-debian-emi.x86_64.packages'), 'utf8');
    expect(packages).toBe(
      await readFile(join(built.dir, built.record.image_file.replace(/\.img$/, '.packages')), 'utf8'),
    );
    expect(packages).toMatch(/^openssh-server\t1:9\.\S+$/m);
    expect(packages).toMatch(/^linux-image-cloud-amd64\t\S+$/m);
    expect((await runEmi(['validate'], { cwd: built.catalog })).exitCode).toBe(0);
  });

  it('has exactly the declared size, a clean filesystem with the recipe label, and SHA256SUMS that verify', async () => {
    expect((await stat(image)).size).toBe(1300 * 1024 * 1024);
    const fsck = await runCommand('e2fsck', ['-fn', image], { reject: false });
    expect(fsck.exitCode, fsck.stdout + fsck.stderr).toBe(0);
    expect((await runCommand('dumpe2fs', ['-h', image])).stdout).toMatch(
      /^Filesystem volume name:\s+emi-rootfs$/m,
    );
    const check = await runCommand('sha256sum', ['-c', 'SHA256SUMS'], { cwd: built.dir, reject: false });
    expect(check.exitCode, check.stdout).toBe(0);
  });

  it('holds every overlay file with its mode, the agent files with the agreed modes, their units enabled', async () => {
    const overlays = ['recipes/common/overlay', 'recipes/debian-based/overlay'];
    let checked = 0;
    for (const overlay of overlays) {
      for (const entry of await overlayEntries(join(built.catalog, overlay))) {
        const found = await inode(`/${entry.path}`);
        expect(found, `${overlay}/${entry.path}`).toBeDefined();
        if (entry.symlink !== undefined) {
          expect(found?.type).toBe('symlink');
        } else {
          expect(found?.type, entry.path).toBe('regular');
          expect(found?.mode, entry.path).toBe(entry.mode);
          expect(await debugfs(`cat /${entry.path}`)).toBe(
            await readFile(join(built.catalog, overlay, entry.path), 'utf8'),
          );
          if (entry.path in agentModes) expect(found?.mode, entry.path).toBe(agentModes[entry.path]);
        }
        checked++;
        const unit = /^etc\/systemd\/system\/([^/]+\.service)$/.exec(entry.path)?.[1];
        if (unit) {
          const text = await readFile(join(built.catalog, overlay, entry.path), 'utf8');
          for (const target of /^WantedBy=(.*)$/m.exec(text)?.[1]?.split(/\s+/).filter(Boolean) ?? []) {
            expect(
              await inode(`/etc/systemd/system/${target}.wants/${unit}`),
              `${unit} enabled for ${target}`,
            ).toMatchObject({ type: 'symlink' });
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    for (const unit of ['ssh.service', 'systemd-networkd.service']) {
      expect(await inode(`/etc/systemd/system/multi-user.target.wants/${unit}`), unit).toMatchObject({
        type: 'symlink',
      });
    }
  });

  it('gets DHCP on its first interface, mounts root by label, and says what it is in os-release', async () => {
    expect(await debugfs('cat /etc/systemd/network/10-emi-first-interface.network')).toContain(
      'Name=eth0\n\n[Network]\nDHCP=yes\n',
    );
    expect(await debugfs('stat /etc/systemd/network/99-default.link')).toContain(
      'Fast link dest: "/dev/null"',
    );
    expect(await debugfs('cat /etc/fstab')).toContain('LABEL=emi-rootfs\t/\text4\t');
    const osRelease = await debugfs('cat /usr/lib/os-release');
    expect(osRelease).toContain(
      `IMAGE_ID="euca-debian-emi"\nIMAGE_VERSION="${built.record.image_version}"\n`,
    );
    expect(osRelease).toContain('VERSION_CODENAME=bookworm');
  });

  it('carries nothing from the build: no host keys, machine-id, apt cache or lists, histories, logs or temp files', async () => {
    expect((await names('/etc/ssh')).filter((name) => name.startsWith('ssh_host_'))).toEqual([]);
    expect(await inode('/etc/machine-id')).toMatchObject({ type: 'regular', size: 0 });
    expect((await names('/var/lib/apt/lists')).sort()).toEqual(['lock', 'partial']);
    expect(await names('/var/lib/apt/lists/partial')).toEqual([]);
    expect(await names('/var/cache/apt/archives/partial')).toEqual([]);
    const cache = await names('/var/cache/apt');
    expect(cache.filter((name) => name.endsWith('.bin'))).toEqual([]);
    expect((await names('/var/cache/apt/archives')).filter((name) => name.endsWith('.deb'))).toEqual([]);
    for (const history of ['.bash_history', '.lesshst', '.viminfo', '.wget-hsts']) {
      expect(await names('/root'), history).not.toContain(history);
    }
    expect(await names('/tmp')).toEqual([]);
    expect(await names('/var/tmp')).toEqual([]);
    expect(await names('/run')).toEqual([]);
    expect(await inode('/usr/sbin/policy-rc.d')).toBeUndefined();
    expect(await inode('/debootstrap')).toBeUndefined();
    // The image's own sources only (mmdebstrap's 0000main.sources removed), no apt lock left.
    expect(await names('/etc/apt/sources.list.d')).toEqual(['debian.sources']);
    expect(await inode('/etc/apt/sources.list')).toBeUndefined();
    expect(await inode('/etc/dpkg/dpkg.cfg.d/99mmdebstrap')).toBeUndefined();
    expect(await inode('/var/cache/apt/archives/lock')).toBeUndefined();
    expect(await debugfsErr('stat /var/log/dpkg.log')).toContain('File not found');
    expect(await debugfsErr('stat /var/log/apt/history.log')).toContain('File not found');
    expect(await debugfs('cat /etc/hostname')).toBe('localhost\n');
    expect((await names('/usr/share/doc/curl')).sort()).toEqual(['copyright']);
  });

  it('exports its kernel and an initrd that can mount a virtio disk with ext4', async () => {
    const manifest = JSON.parse(await readFile(join(built.dir, 'build.json'), 'utf8'));
    const { modules, version } = manifest.kernel as {
      version: string;
      modules: { initrd: string[]; builtin: string[] };
    };
    for (const module of ['virtio_blk', 'virtio_pci', 'ext4']) {
      expect([...modules.initrd, ...modules.builtin], module).toContain(module);
    }
    const base = built.record.image_file.replace(/\.img$/, '');
    const kernel = await readFile(join(built.dir, `${base}.vmlinuz`));
    expect(kernel.subarray(0x202, 0x206).toString('latin1')).toBe('HdrS');
    const initrd = await readFile(join(built.dir, `${base}.initrd`));
    expect(initrd.length).toBeGreaterThan(1024 * 1024);
    // Only the cloud disk drivers (MODULES=list and the builder's hook): MODULES=most made 13 MiB.
    expect(await debugfs('cat /etc/initramfs-tools/conf.d/emi-modules')).toMatch(/^MODULES=list$/m);
    expect(await debugfs('cat /etc/initramfs-tools/hooks/emi-cloud-disks')).toMatch(
      /^manual_add_modules .*\bvirtio_blk\b.*\bxen-blkfront\b.*\bnvme\b/m,
    );
    expect(initrd.length).toBeLessThan(9 * 1024 * 1024);
    expect(await debugfs(`stat /boot/vmlinuz-${version}`)).toContain(`Size: ${kernel.length}`);
  });

  it('packs a small tarball that lists the image as sparse and unpacks it sparse', async () => {
    const base = built.record.image_file.replace(/\.img$/, '');
    const tarball = join(built.dir, `${base}.tgz`);
    const size = (await stat(tarball)).size;
    expect(size).toBeLessThan(150 * 1024 * 1024);
    const listing = (await runCommand('tar', ['-tvzf', tarball])).stdout;
    expect(listing).toContain(`1363148800 `);
    expect(listing).toMatch(new RegExp(` ${built.record.image_file.replace(/\./g, '\\.')}\\n`));
    expect(listing).toMatch(/ kvm-kernel\/vmlinuz-\S+\n/);
    expect(listing).toMatch(/ kvm-kernel\/initrd\.img-\S+\n/);
    // The image member is a GNU sparse member ('S'): only its data is stored.
    const member = tarMembers(await readFile(tarball)).find(
      (entry) => entry.name === built.record.image_file,
    );
    expect(member?.typeflag).toBe('S');
    expect(member?.stored).toBeLessThan(1363148800 / 2);
    const unpacked = await mkdtemp(join(testOutput, 'unpacked-'));
    try {
      await runCommand('tar', ['-xzf', tarball, '-C', unpacked]);
      const file = join(unpacked, built.record.image_file);
      const info = await stat(file);
      expect(info.size).toBe(1363148800);
      expect(info.blocks * 512).toBeLessThan(info.size / 2);
      const compare = await runCommand('cmp', [file, image], { reject: false });
      expect(compare.exitCode, compare.stdout).toBe(0);
    } finally {
      await rm(unpacked, { recursive: true, force: true });
    }
  });
});
