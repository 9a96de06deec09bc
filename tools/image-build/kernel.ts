/**
 * The kernel step: the image's kernel and initrd, exported beside the image (Eucalyptus registers
 * them as the image's kernel and ramdisk; the boot check boots them with root= on a virtio disk).
 * The initrd must therefore hold, or the kernel have built in, the virtio disk and ext4 drivers.
 */
import { copyFile, lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../lib/errors.js';
import { type ImageRoot, inRoot } from './image-root.js';
import { assertRealDirectory, requireFileInRoot } from './root-paths.js';

/** Drivers the root disk needs before the root filesystem is mounted. */
export const requiredBootModules = ['virtio_blk', 'virtio_pci', 'ext4'];

export interface KernelFiles {
  version: string;
  /** Paths in the image. */
  kernel: string;
  initrd: string;
}

/** The one kernel version that has both /boot/vmlinuz-V and /boot/initrd.img-V. */
export function findKernel(bootFiles: readonly string[]): KernelFiles {
  const versions = bootFiles
    .map((name) => /^vmlinuz-(.+)$/.exec(name)?.[1])
    .filter((version): version is string => version !== undefined)
    .filter((version) => bootFiles.includes(`initrd.img-${version}`))
    .sort();
  if (versions.length === 0)
    throw new UserError(
      'the image has no /boot/vmlinuz-V with its /boot/initrd.img-V: is the kernel package installed?',
    );
  if (versions.length > 1)
    throw new UserError(
      `the image has several kernels (${versions.join(', ')}): the recipe must install exactly one`,
    );
  const version = versions[0] as string;
  return { version, kernel: `/boot/vmlinuz-${version}`, initrd: `/boot/initrd.img-${version}` };
}

/** Which of the modules are neither in the initrd listing (lsinitramfs) nor built into the kernel. */
export function missingBootModules(
  initrdListing: string,
  modulesBuiltin: string,
  modules: readonly string[] = requiredBootModules,
): string[] {
  const present = new Set<string>();
  for (const line of `${initrdListing}\n${modulesBuiltin}`.split('\n')) {
    const match = /(?:^|\/)([^/]+)\.ko(?:\.(?:xz|zst|gz))?$/.exec(line.trim());
    if (match?.[1]) present.add(match[1].replace(/-/g, '_'));
  }
  return modules.filter((module) => !present.has(module.replace(/-/g, '_')));
}

export interface ExportedKernel {
  version: string;
  /** Where in each listing the drivers were found: for the build manifest. */
  modules: { initrd: string[]; builtin: string[] };
}

export async function exportKernel(
  root: ImageRoot,
  target: { kernel: string; initrd: string },
): Promise<ExportedKernel> {
  await assertRealDirectory(root.path, 'boot');
  const bootFiles: string[] = [];
  for (const name of await readdir(join(root.path, 'boot'))) {
    if ((await lstat(join(root.path, 'boot', name))).isFile()) bootFiles.push(name);
  }
  const found = findKernel(bootFiles);
  const listing = (await inRoot(root, ['lsinitramfs', found.initrd], { onLine: () => {} })).stdout;
  const builtinPath = await requireFileInRoot(root.path, `lib/modules/${found.version}/modules.builtin`);
  const builtin = await readFile(builtinPath, 'utf8');
  const missing = missingBootModules(listing, builtin);
  if (missing.length > 0) {
    throw new UserError(
      `the initrd ${found.initrd} lacks ${missing.join(', ')} and the kernel has them not built in: the image could not mount its root disk`,
    );
  }
  await copyFile(await requireFileInRoot(root.path, found.kernel), target.kernel);
  await copyFile(await requireFileInRoot(root.path, found.initrd), target.initrd);
  const inList = (text: string) =>
    requiredBootModules.filter((module) => missingBootModules(text, '', [module]).length === 0);
  return { version: found.version, modules: { initrd: inList(listing), builtin: inList(builtin) } };
}
