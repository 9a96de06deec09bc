/**
 * The recipe's package set, made by mmdebstrap in one apt run: the release, its -updates and
 * -security suites, the variant's base (minbase: Essential and Priority: required, with apt), the
 * recipe's packages and the kernel, resolved together and unpacked into a fresh root. Downloads go
 * to the shared .deb cache, bind-mounted as the root's /var/cache/apt/archives while mmdebstrap
 * runs. Then the image's own apt sources and the no-daemons policy go in, and the recipe's removed
 * packages are purged.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../lib/errors.js';
import type { Arch } from '../schemas/generated/recipe.js';
import { renderDeb822Sources } from './apt-sources.js';
import { type ContainedOptions, runContained } from './contained.js';
import { type ImageRoot, inRoot } from './image-root.js';
import { debianArch, hostArch, type ResolvedRecipe } from './resolve-recipe.js';
import { assertRealDirectory } from './root-paths.js';

/** No daemon starts while packages are installed (invoke-rc.d asks this first); clean removes it. */
export const policyRcD = 'usr/sbin/policy-rc.d';

export const aptOptions = [
  '-y',
  '-q',
  '-o',
  'Dpkg::Use-Pty=0',
  '-o',
  'APT::Install-Recommends=false',
  '-o',
  'APT::Install-Suggests=false',
  '-o',
  'Dpkg::Options::=--force-confdef',
  '-o',
  'Dpkg::Options::=--force-confold',
  '-o',
  'Acquire::Languages=none',
  '-o',
  'Acquire::Retries=3',
];

/** mmdebstrap's hooks that make merged /usr as debootstrap does (and install usr-is-merged). */
export const mergedUsrHooks = '/usr/share/mmdebstrap/hooks/merged-usr';

/**
 * Bind-mounts the .deb cache (its path comes in EMI_DEBS, never inside the script) over the
 * root's archives folder for the downloads, and unmounts it before mmdebstrap's cleanup empties
 * that folder. The build's private mount namespace drops the mount anyway if mmdebstrap fails.
 */
const mountDebsHook =
  'mkdir -p "$1/var/cache/apt/archives" && mount --bind "$EMI_DEBS" "$1/var/cache/apt/archives"';
const unmountDebsHook = 'umount "$1/var/cache/apt/archives"';

/**
 * Whether the host runs the arch's programs itself. A foreign arch (through qemu-user-static) is
 * refused: the bootstrap is mmdebstrap's, which runs the image's maintainer scripts natively.
 */
export function assertRunsNatively(arch: Arch, host: Arch | undefined = hostArch()): void {
  if (arch === host || (arch === 'i386' && host === 'x86_64')) return;
  throw new UserError(
    `emi build makes ${arch} images on a machine that runs ${arch} programs natively, and this one is ${host ?? process.arch}: build the ${arch} image on a ${arch} machine`,
  );
}

export interface MmdebstrapInput {
  recipe: ResolvedRecipe;
  arch: Arch;
  kernel: string;
  /** The host folder of the new root (must be empty or missing). */
  root: string;
  /** Host folder of downloaded .debs. */
  debs: string;
}

/** mmdebstrap's argv (the sources come on its standard input, as deb822). */
export function mmdebstrapArguments(input: MmdebstrapInput, host: Arch | undefined = hostArch()): string[] {
  const { recipe } = input;
  return [
    'mmdebstrap',
    '--mode=root',
    `--variant=${recipe.variant}`,
    `--architectures=${debianArch(input.arch)}`,
    `--keyring=${recipe.keyring}`,
    `--include=${[...recipe.packages.add, input.kernel].join(',')}`,
    `--hook-dir=${mergedUsrHooks}`,
    `--setup-hook=${mountDebsHook}`,
    `--customize-hook=${unmountDebsHook}`,
    // No fsync per unpacked file, as debootstrap does: a build that dies is thrown away whole.
    // (mmdebstrap writes it to etc/dpkg/dpkg.cfg.d/99mmdebstrap; finishPackageSet removes it.)
    '--dpkgopt=force-unsafe-io',
    // The .debs it downloaded stay in the cache for the next build.
    '--skip=essential/unlink',
    // The sources name their keyring (Signed-By) already; the check would make a gpg home in /tmp,
    // outside the build's folders.
    '--skip=check/signed-by',
    // i386 on x86_64 runs natively: no arch-test or qemu needed.
    ...(input.arch === host ? [] : ['--skip=check/qemu']),
    '--verbose',
    '--',
    recipe.release,
    input.root,
    '-',
  ];
}

/** Where mmdebstrap leaves its --dpkgopt options in the image (removed after it). */
export const mmdebstrapDpkgConfig = 'etc/dpkg/dpkg.cfg.d/99mmdebstrap';

export function sourcesFileName(recipe: Pick<ResolvedRecipe, 'distribution'>): string {
  return `etc/apt/sources.list.d/${recipe.distribution}.sources`;
}

/** The package set into input.root, by mmdebstrap (contained like every build program). */
export async function runMmdebstrap(input: MmdebstrapInput, options: ContainedOptions): Promise<void> {
  assertRunsNatively(input.arch);
  await mkdir(join(input.debs, 'partial'), { recursive: true });
  await runContained(mmdebstrapArguments(input), {
    ...options,
    // No initramfs yet (INITRD=No stops the kernel's postinst hook): customise makes the one the
    // image boots with, after the overlays and hooks.
    env: { ...options.env, EMI_DEBS: input.debs, INITRD: 'No' },
    input: renderDeb822Sources(input.recipe.sources, input.recipe.keyring),
    label: 'mmdebstrap',
  });
}

/**
 * After mmdebstrap: the image's own sources (deb822, one file named after the distribution) in
 * place of mmdebstrap's, the no-daemons policy for the rest of the build, and the recipe's removed
 * packages purged.
 */
export async function finishPackageSet(root: ImageRoot, recipe: ResolvedRecipe): Promise<void> {
  // The root is mmdebstrap's own output here, so writing from the host is safe; still refuse links.
  await assertRealDirectory(root.path, 'usr/sbin');
  await assertRealDirectory(root.path, 'etc/apt/sources.list.d');
  await writeFile(
    join(root.path, policyRcD),
    '#!/bin/sh\n# emi build: no daemon starts in the image while it is built\nexit 101\n',
    {
      mode: 0o755,
    },
  );
  await assertRealDirectory(root.path, 'etc/dpkg/dpkg.cfg.d');
  await rm(join(root.path, mmdebstrapDpkgConfig), { force: true });
  await rm(join(root.path, 'etc/apt/sources.list'), { force: true });
  // apt's download lock, left in the archives folder once the .deb cache was unmounted from it.
  await assertRealDirectory(root.path, 'var/cache/apt/archives');
  await rm(join(root.path, 'var/cache/apt/archives/lock'), { force: true });
  const listDir = join(root.path, 'etc/apt/sources.list.d');
  for (const name of await readdir(listDir)) {
    // mmdebstrap names its files NNNN<name>.list or .sources (0000main.sources for standard input).
    if (/^\d{4}.*\.(list|sources)$/.test(name)) await rm(join(listDir, name), { force: true });
  }
  await writeFile(
    join(root.path, sourcesFileName(recipe)),
    renderDeb822Sources(recipe.sources, recipe.keyring),
    {
      mode: 0o644,
    },
  );
  if (recipe.packages.remove.length > 0) {
    const apt = (args: string[]) =>
      inRoot(root, ['apt-get', ...aptOptions, ...args], {
        env: { INITRD: 'No' },
        label: `apt-get ${args.join(' ')} (in the image)`,
      });
    // mmdebstrap's cleanup removed the package lists; apt needs them to purge and autoremove.
    await apt(['update']);
    await apt(['purge', ...recipe.packages.remove]);
    await apt(['autoremove', '--purge']);
  }
}
