import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { binfmtRegistration, decideExecution } from '../../tools/image-build/binfmt.js';
import { buildEnv, runContained, runInRoot } from '../../tools/image-build/contained.js';
import { inRoot } from '../../tools/image-build/image-root.js';
import { runCommand } from '../../tools/lib/exec.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { tinyElf } from '../helpers/tiny-elf.js';

const env = buildEnv({});
let base = '';
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'emi-contained-'));
});
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

/** A root with only /bin/echo: a static program of the arch that prints "ok". */
async function tinyRoot(name: string, arch: 'x86_64' | 'aarch64'): Promise<string> {
  const root = join(base, name);
  for (const dir of ['bin', 'proc', 'sys', 'dev', 'run', 'tmp'])
    await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'bin', 'echo'), tinyElf(arch));
  await chmod(join(root, 'bin', 'echo'), 0o755);
  return root;
}

/** A root with copies of host programs and the libraries ldd names for them. */
async function hostProgramsRoot(name: string, programs: string[]): Promise<string> {
  const root = await tinyRoot(name, 'x86_64');
  for (const program of programs) {
    const { stdout } = await runCommand('ldd', [program]);
    const libraries = [...stdout.matchAll(/(\/\S+\.so[\w.]*)/g)].map((match) => match[1] as string);
    for (const file of [program, ...libraries]) {
      await mkdir(join(root, dirname(file)), { recursive: true });
      await copyFile(file, join(root, file));
      await chmod(join(root, file), 0o755);
    }
  }
  return root;
}

/** Processes whose command line holds the marker. */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(marker)) found.push(Number(name));
  }
  return found;
}

describeAsRoot('contained programs', () => {
  it('run with a fixed environment, never emi own', async () => {
    process.env.EMI_TEST_SECRET = 'token';
    try {
      const { stdout } = await runContained(['sh', '-c', 'echo "$PATH|[$EMI_TEST_SECRET]|$LANG"'], {
        env,
      });
      expect(stdout).toBe('/usr/sbin:/usr/bin:/sbin:/bin|[]|C.UTF-8\n');
    } finally {
      delete process.env.EMI_TEST_SECRET;
    }
  });

  it('name the program that failed, not the wrapper', async () => {
    await expect(runContained(['sh', '-c', 'echo broken >&2; exit 3'], { env })).rejects.toThrow(
      /^sh -c "echo broken >&2; exit 3" exited with code 3:\n {4}broken$/,
    );
  });

  it('die with every child when the build is stopped', async () => {
    const controller = new AbortController();
    const marker = '3173.25';
    const running = runContained(['sh', '-c', `sleep ${marker} & sleep ${marker} & wait`], {
      env,
      signal: controller.signal,
    }).catch((error: Error) => error);
    for (let i = 0; i < 50 && (await processesWith(marker)).length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await processesWith(marker)).length).toBe(2);
    controller.abort();
    expect(await running).toBeInstanceOf(Error);
    for (let i = 0; i < 50 && (await processesWith(marker)).length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await processesWith(marker)).toEqual([]);
  });

  it('run natively when the host executes the image programs', async () => {
    const root = await tinyRoot('native', 'x86_64');
    const execution = await decideExecution(root, 'x86_64', env);
    expect(execution).toEqual({ mode: 'native' });
  });

  it('run through qemu registered with binfmt_misc for the build only, when the host cannot', async () => {
    const root = await tinyRoot('foreign', 'aarch64');
    const mountsBefore = await readFile('/proc/self/mountinfo', 'utf8');
    const execution = await decideExecution(root, 'aarch64', env);
    expect(execution).toEqual({
      mode: 'qemu',
      interpreter: '/usr/bin/qemu-aarch64-static',
      binfmt: binfmtRegistration('aarch64'),
    });
    const image = { path: root, execution, env };
    expect((await inRoot(image, ['/bin/echo'])).stdout).toBe('ok\n');
    // The registration and its mounts lived in the build's namespace and went with it (unless
    // the host mounts binfmt_misc itself: then the kernel keeps the entry, harmlessly).
    expect(await readFile('/proc/self/mountinfo', 'utf8')).toBe(mountsBefore);
    if (!mountsBefore.includes(' binfmt_misc ')) {
      const direct = await runContained([join(root, 'bin', 'echo')], { env, reject: false });
      expect(direct.exitCode).not.toBe(0);
    }
  });

  it('never register qemu for the host own arch, which would catch qemu itself', async () => {
    const root = await tinyRoot('broken', 'aarch64');
    await expect(decideExecution(root, 'aarch64', env, undefined, 'aarch64')).rejects.toThrow(
      /^the image's aarch64 programs do not run on this aarch64 machine: chroot: failed to run command ‘\/bin\/echo’/,
    );
  });

  it('see their own /dev without the host disks, and a read-only /proc/sys', async () => {
    const root = await hostProgramsRoot('devices', ['/usr/bin/ls', '/usr/bin/dash']);
    const image = { path: root, execution: { mode: 'native' as const }, env };
    const { stdout } = await inRoot(image, ['/usr/bin/ls', '/dev']);
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      'fd',
      'full',
      'null',
      'ptmx',
      'pts',
      'random',
      'shm',
      'stderr',
      'stdin',
      'stdout',
      'tty',
      'urandom',
      'zero',
    ]);
    const write = await inRoot(image, ['/usr/bin/dash', '-c', 'echo emi > /proc/sys/kernel/hostname'], {
      reject: false,
    });
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toContain('Read-only file system');
    const devnull = await inRoot(image, ['/usr/bin/dash', '-c', 'echo gone > /dev/null && echo ok']);
    expect(devnull.stdout).toBe('ok\n');
  });

  it('refuse to mount through a symlink the image planted', async () => {
    const root = await tinyRoot('hostile', 'x86_64');
    await rm(join(root, 'run'), { recursive: true });
    await symlink('/', join(root, 'run'));
    await expect(runInRoot(root, ['/bin/echo'], { env })).rejects.toThrow(
      '/run in the image goes through a symlink (/run)',
    );
    expect(await readlink(join(root, 'run'))).toBe('/');
  });
});

it('registers qemu with the magic of each arch', () => {
  expect(binfmtRegistration('i386').line).toBe(
    ':emi-qemu-i386:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-i386-static:F',
  );
  expect(binfmtRegistration('aarch64').name).toBe('emi-qemu-aarch64');
});
