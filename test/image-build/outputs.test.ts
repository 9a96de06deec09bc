import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createWorkDir,
  leftoverOwner,
  mountsUnder,
  publish,
  removeLeftovers,
} from '../../tools/image-build/outputs.js';
import { runCommand } from '../../tools/lib/exec.js';
import { tempDirForTest } from '../helpers/fixtures.js';

async function tempDir(): Promise<string> {
  const dir = await tempDirForTest('emi-out-');
  return dir;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const { stdout } = await runCommand('sh', ['-c', 'echo $$']);
  return Number(stdout.trim());
}

describe('leftoverOwner', () => {
  it('recognises work folders, moved-aside folders and temp files, with their pid', () => {
    expect(leftoverOwner('.emi-build-1234-0a1b2c3d')).toBe(1234);
    expect(leftoverOwner('.euca-debian-2026.07.25-x86_64.old-77-ffff0000')).toBe(77);
    expect(leftoverOwner('.debian-bookworm-amd64-abc.tar.zst.tmp-9-12ab34cd')).toBe(9);
    expect(leftoverOwner('euca-debian-2026.07.25-x86_64')).toBeUndefined();
    expect(leftoverOwner('.emi-build-x-0a1b')).toBeUndefined();
  });
});

describe('mountsUnder', () => {
  it('reads mount points from mountinfo, octal escapes included', () => {
    const mountinfo = [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '40 22 0:5 / /srv/out/.emi-build-1-aa/root/proc rw - proc proc rw',
      '41 22 0:6 / /srv/out\\040x/y rw - tmpfs tmpfs rw',
      '42 22 0:7 / /srv/outside rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(mountsUnder(mountinfo, '/srv/out/')).toEqual(['/srv/out/.emi-build-1-aa/root/proc']);
    expect(mountsUnder(mountinfo, '/srv/out x')).toEqual(['/srv/out x/y']);
  });
});

describe('removeLeftovers', () => {
  it('removes what dead builds left and keeps the rest', async () => {
    const out = await tempDir();
    const dead = await deadPid();
    await mkdir(join(out, `.emi-build-${dead}-0a1b2c3d`, 'root', 'etc'), { recursive: true });
    await writeFile(join(out, `.emi-build-${dead}-0a1b2c3d`, 'root', 'etc', 'hostname'), 'x\n');
    await mkdir(join(out, `.emi-build-${process.pid}-11111111`));
    await mkdir(join(out, 'euca-debian-2026.07.25-x86_64'));
    await writeFile(join(out, `.x.tar.zst.tmp-${dead}-22222222`), '');
    expect((await removeLeftovers(out)).sort()).toEqual([
      `.emi-build-${dead}-0a1b2c3d`,
      `.x.tar.zst.tmp-${dead}-22222222`,
    ]);
    expect((await readdir(out)).sort()).toEqual([
      `.emi-build-${process.pid}-11111111`,
      'euca-debian-2026.07.25-x86_64',
    ]);
  });
});

describe('publish', () => {
  it('renames the staging folder into place, replacing an earlier build', async () => {
    const out = await tempDir();
    const target = join(out, 'euca-debian-2026.07.25-x86_64');
    for (const content of ['first\n', 'second\n']) {
      const work = await createWorkDir(out);
      await writeFile(join(work.staging, 'SHA256SUMS'), content);
      await publish(work.staging, target);
      await rm(work.path, { recursive: true });
    }
    expect(await readdir(out)).toEqual(['euca-debian-2026.07.25-x86_64']);
    expect(await readdir(target)).toEqual(['SHA256SUMS']);
  });
});
