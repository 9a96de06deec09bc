/**
 * Foreign arches: when the host kernel cannot execute the image's programs, every program run in
 * the image goes through qemu-user-static, registered with binfmt_misc for the build only. The
 * registration uses the F flag (the kernel opens the interpreter when it is registered), so nothing
 * is copied into the image, and it lives in the build's private binfmt_misc mount, so it goes away
 * with the build (a host that has binfmt_misc mounted itself keeps it, harmlessly).
 */
import { access } from 'node:fs/promises';
import { UserError } from '../lib/errors.js';
import type { Arch } from '../schemas/generated/recipe.js';
import { type BinfmtRegistration, runInRoot } from './contained.js';
import { hostArch } from './resolve-recipe.js';

/** ELF header magic and mask of each arch, as qemu's scripts/qemu-binfmt-conf.sh has them. */
const elf: Record<Arch, { qemu: string; magic: string; mask: string }> = {
  i386: {
    qemu: 'i386',
    magic: '\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00',
    mask: '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff',
  },
  x86_64: {
    qemu: 'x86_64',
    magic: '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x3e\\x00',
    mask: '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff',
  },
  aarch64: {
    qemu: 'aarch64',
    magic: '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00',
    mask: '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff',
  },
};

/** The qemu-user-static program that runs an arch's binaries. */
export function qemuInterpreter(arch: Arch): string {
  return `/usr/bin/qemu-${elf[arch].qemu}-static`;
}

/** The binfmt_misc registration of qemu for an arch. */
export function binfmtRegistration(arch: Arch, interpreter = qemuInterpreter(arch)): BinfmtRegistration {
  const { magic, mask, qemu } = elf[arch];
  const name = `emi-qemu-${qemu}`;
  return { name, line: `:${name}:M::${magic}:${mask}:${interpreter}:F` };
}

export type Execution =
  | { mode: 'native' }
  | { mode: 'qemu'; binfmt: BinfmtRegistration; interpreter: string };

/** Runs /bin/echo of the image; its output says whether (and how) the image's programs run. */
async function probe(
  root: string,
  env: Record<string, string>,
  signal: AbortSignal | undefined,
  binfmt?: BinfmtRegistration,
): Promise<{ answer: string; errors: string }> {
  const result = await runInRoot(root, ['/bin/echo', 'ok'], {
    env,
    reject: false,
    ...(signal ? { signal } : {}),
    ...(binfmt ? { binfmt } : {}),
  });
  return { answer: result.exitCode === 0 ? result.stdout : '', errors: result.stderr.trim() };
}

/**
 * Decides how the image's programs run, from the image itself (after debootstrap's first stage):
 * natively when the host kernel executes them, through qemu otherwise. With QEMU_VERSION set, an
 * existing qemu binfmt handler prints its version instead of running the program (the trick
 * arch-test uses), so only a real native run answers "ok".
 */
export async function decideExecution(
  root: string,
  arch: Arch,
  env: Record<string, string>,
  signal?: AbortSignal,
  host: Arch | undefined = hostArch(),
): Promise<Execution> {
  const native = await probe(root, { ...env, QEMU_VERSION: 'native-probe' }, signal);
  if (native.answer === 'ok\n') return { mode: 'native' };
  // A handler for the host's own arch would catch qemu itself (and, where binfmt_misc is shared
  // with the host, every program of the host): never register one.
  if (arch === host)
    throw new UserError(
      `the image's ${arch} programs do not run on this ${arch} machine: ${native.errors || 'no output'}`,
    );
  const interpreter = qemuInterpreter(arch);
  try {
    await access(interpreter);
  } catch {
    throw new UserError(
      `this machine cannot run ${arch} programs and ${interpreter} is missing: apt-get install qemu-user-static`,
    );
  }
  const binfmt = binfmtRegistration(arch, interpreter);
  const { answer, errors } = await probe(root, env, signal, binfmt);
  if (answer !== 'ok\n') {
    throw new UserError(
      `${arch} programs do not run here, not even through ${interpreter} registered with binfmt_misc: ${errors || answer.trim() || 'no output'}`,
    );
  }
  return { mode: 'qemu', binfmt, interpreter };
}
