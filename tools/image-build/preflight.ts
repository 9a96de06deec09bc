/**
 * The preflight step: root, the host programs the build runs (with the exact apt-get line that
 * installs what is missing), the archive keyring and free disk space, all checked before anything
 * is downloaded or written.
 */
import { access, statfs } from 'node:fs/promises';
import { UserError } from '../lib/errors.js';
import { runCommand } from '../lib/exec.js';
import { diskSpaceNeeded, formatBytes } from '../recipes/sizes.js';
import type { Arch } from '../schemas/generated/recipe.js';
import { qemuInterpreter } from './binfmt.js';
import { buildPath } from './contained.js';
import { keyrings, type ResolvedRecipe } from './resolve-recipe.js';

export interface HostRequirement {
  /** A program looked up on PATH, or an absolute file path. */
  need: string;
  package: string;
}

/** What every build runs on the host, and the Debian package of each. */
export const hostRequirements: HostRequirement[] = [
  { need: 'mmdebstrap', package: 'mmdebstrap' },
  // mmdebstrap's merged-usr hook lays out merged /usr with debootstrap's function, as debootstrap does.
  { need: '/usr/share/debootstrap/functions', package: 'debootstrap' },
  { need: 'wget', package: 'wget' },
  { need: 'gpgv', package: 'gpgv' },
  { need: 'mke2fs', package: 'e2fsprogs' },
  { need: 'dumpe2fs', package: 'e2fsprogs' },
  { need: 'e2fsck', package: 'e2fsprogs' },
  { need: 'zerofree', package: 'zerofree' },
  { need: 'tar', package: 'tar' },
  { need: 'gzip', package: 'gzip' },
  { need: 'pigz', package: 'pigz' },
  { need: 'zstd', package: 'zstd' },
  { need: 'fallocate', package: 'util-linux' },
  { need: 'setpriv', package: 'util-linux' },
  { need: 'unshare', package: 'util-linux' },
  { need: 'mount', package: 'mount' },
  { need: 'chroot', package: 'coreutils' },
];

/** The requirements of one build: the common ones, the keyring, and qemu for foreign arches. */
export function requirementsFor(
  recipe: ResolvedRecipe,
  arches: readonly Arch[],
  host: Arch | undefined,
): HostRequirement[] {
  const list = [
    ...hostRequirements,
    { need: recipe.keyring, package: keyrings[recipe.distribution].package },
  ];
  for (const arch of new Set(arches)) {
    if (arch !== host) list.push({ need: qemuInterpreter(arch), package: 'qemu-user-static' });
  }
  return list;
}

/** `apt-get install …` for the packages that provide what is missing, or undefined when nothing is. */
export function installLine(missing: readonly HostRequirement[]): string | undefined {
  const packages = [...new Set(missing.map((requirement) => requirement.package))].sort();
  return packages.length === 0 ? undefined : `apt-get install --no-install-recommends ${packages.join(' ')}`;
}

async function isAvailable(need: string): Promise<boolean> {
  if (need.startsWith('/')) {
    return access(need).then(
      () => true,
      () => false,
    );
  }
  const result = await runCommand('sh', ['-c', 'command -v "$1"', 'sh', need], {
    env: { PATH: buildPath },
    extendEnv: false,
    reject: false,
  });
  return result.exitCode === 0;
}

export interface PreflightInput {
  requirements: HostRequirement[];
  /** Free space is checked in this folder's filesystem. */
  outDir: string;
  /** Bytes the builds need there (see diskSpaceNeeded). */
  neededBytes: number;
  isRoot: boolean;
}

export interface PreflightResult {
  freeBytes: number;
  neededBytes: number;
}

export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const problems: string[] = [];
  if (!input.isRoot)
    problems.push(
      'the build needs root (mmdebstrap, chroot and mount namespaces): run it with sudo or as root',
    );
  const missing: HostRequirement[] = [];
  for (const requirement of input.requirements) {
    if (!(await isAvailable(requirement.need))) missing.push(requirement);
  }
  const line = installLine(missing);
  if (line) {
    problems.push(
      `missing on this machine: ${missing.map((requirement) => requirement.need).join(', ')}; install them with\n    ${line}\n  (or run npm run setup-host, which installs everything in scripts/host-packages.txt)`,
    );
  }
  const stats = await statfs(input.outDir);
  const freeBytes = stats.bavail * stats.bsize;
  if (freeBytes < input.neededBytes) {
    problems.push(
      `not enough free space in ${input.outDir}: ${formatBytes(freeBytes)} free, the build needs about ${formatBytes(input.neededBytes)}`,
    );
  }
  if (problems.length > 0) throw new UserError(`preflight failed:\n  ${problems.join('\n  ')}`);
  return { freeBytes, neededBytes: input.neededBytes };
}

export function neededBytesFor(images: readonly { rootfs_bytes: number }[], withZst: boolean): number {
  return Math.max(0, ...images.map((image) => diskSpaceNeeded(image.rootfs_bytes, withZst)));
}
