/**
 * The recipe's package set, installed into a fresh debootstrap root with the image's own apt: the
 * image's sources, then update, upgrade (fixes from -updates and -security), install of the added
 * packages and the kernel, purge of the removed ones. Downloads go to the shared .deb cache.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderDeb822Sources } from './apt-sources.js';
import { type ImageRoot, inRoot } from './image-root.js';
import type { ResolvedRecipe } from './resolve-recipe.js';
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

export interface InstallPackagesInput {
  root: ImageRoot;
  recipe: ResolvedRecipe;
  kernel: string;
  /** Host folder of downloaded .debs, mounted as the image's /var/cache/apt/archives. */
  debs: string;
}

export function sourcesFileName(recipe: Pick<ResolvedRecipe, 'distribution'>): string {
  return `etc/apt/sources.list.d/${recipe.distribution}.sources`;
}

export async function installPackages(input: InstallPackagesInput): Promise<void> {
  const { root, recipe } = input;
  // The root is debootstrap's own output here, so writing from the host is safe; still refuse links.
  await assertRealDirectory(root.path, 'usr/sbin');
  await assertRealDirectory(root.path, 'etc/apt/sources.list.d');
  await writeFile(
    join(root.path, policyRcD),
    '#!/bin/sh\n# emi build: no daemon starts in the image while it is built\nexit 101\n',
    {
      mode: 0o755,
    },
  );
  await rm(join(root.path, 'etc/apt/sources.list'), { force: true });
  await writeFile(
    join(root.path, sourcesFileName(recipe)),
    renderDeb822Sources(recipe.sources, recipe.keyring),
    {
      mode: 0o644,
    },
  );
  await mkdir(join(input.debs, 'partial'), { recursive: true });
  const binds = [{ source: input.debs, target: 'var/cache/apt/archives' }];
  // No initramfs yet (INITRD=No stops the kernel's postinst hook): customise makes the one the
  // image boots with, after the overlays and hooks.
  const apt = (args: string[]) =>
    inRoot(root, ['apt-get', ...aptOptions, ...args], {
      binds,
      env: { INITRD: 'No' },
      label: `apt-get ${args.join(' ')} (in the image)`,
    });
  await apt(['update']);
  await apt(['dist-upgrade']);
  await apt(['install', ...recipe.packages.add, input.kernel]);
  if (recipe.packages.remove.length > 0) await apt(['purge', ...recipe.packages.remove]);
  await apt(['autoremove', '--purge']);
}
