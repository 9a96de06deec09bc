/**
 * The customise step, in order: the overlays (recipes/common/overlay/ first, then the recipe's
 * own), the files the builder writes (/etc/image-id, fstab by label, DHCP on the first interface),
 * IMAGE_ID and IMAGE_VERSION in os-release, the units to enable (the overlays' own, networkd, the
 * recipe's), the recipe hooks, and last a fresh initramfs so that it matches the final image.
 */
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { UserError } from '../lib/errors.js';
import { commonOverlayDir } from '../recipes/load-recipes.js';
import { addImageFields, generatedFiles, overlayUnits } from './image-files.js';
import { copyIntoRoot, type ImageRoot, inRoot, readInRoot, writeInRoot } from './image-root.js';
import type { ImagePlan } from './plan-build.js';
import type { ResolvedRecipe } from './resolve-recipe.js';
import { assertRealDirectory, resolveInRoot } from './root-paths.js';

export interface CustomiseInput {
  root: ImageRoot;
  repoRoot: string;
  recipe: ResolvedRecipe;
  image: ImagePlan;
  /** A scratch folder of the build (the generated files are staged there). */
  workDir: string;
}

export interface CustomiseResult {
  overlays: string[];
  enabled: string[];
  hooks: string[];
}

/** Every file and symlink under a folder, relative to it, without following symlinks. */
async function listTree(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true })) as string[];
  const files: string[] = [];
  for (const name of names) {
    const info = await lstat(join(dir, name));
    if (!info.isDirectory()) files.push(name.split('\\').join('/'));
  }
  return files.sort();
}

async function isDirectory(path: string): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  return Boolean(info?.isDirectory());
}

async function applyOverlays(input: CustomiseInput): Promise<{ applied: string[]; files: string[] }> {
  const applied: string[] = [];
  const files: string[] = [];
  for (const overlay of input.recipe.overlays) {
    const hostDir = join(input.repoRoot, overlay);
    if (overlay === commonOverlayDir && !(await isDirectory(hostDir))) {
      input.root.log?.(`${commonOverlayDir}/ does not exist: no common files to install`);
      continue;
    }
    // The loader refused overlay paths through symlinks; check again now that it is read.
    await assertRealDirectory(input.repoRoot, overlay);
    await copyIntoRoot(input.root, hostDir);
    files.push(...(await listTree(hostDir)));
    applied.push(overlay);
  }
  return { applied, files };
}

async function writeGeneratedFiles(input: CustomiseInput): Promise<void> {
  const staging = join(input.workDir, 'generated');
  await mkdir(staging, { recursive: true, mode: 0o755 });
  for (const file of generatedFiles(input.image.record, input.recipe.filesystem)) {
    const path = join(staging, file.path);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    if (file.symlink !== undefined) await symlink(file.symlink, path);
    else await writeFile(path, file.content ?? '', { mode: file.mode });
  }
  await copyIntoRoot(input.root, staging);
}

async function hasFile(root: ImageRoot, path: string): Promise<boolean> {
  const resolved = await resolveInRoot(root.path, path);
  return resolved !== undefined && (await lstat(resolved)).isFile();
}

async function enableServices(input: CustomiseInput, overlayFiles: string[]): Promise<string[]> {
  const { root, recipe } = input;
  if (!(await hasFile(root, 'lib/systemd/systemd-networkd')))
    throw new UserError(
      'the image has no systemd-networkd, which the builder configures for DHCP on the first interface: add systemd to packages.add',
    );
  const units = new Set(overlayUnits(overlayFiles));
  units.add('systemd-networkd.service');
  if (await hasFile(root, 'lib/systemd/systemd-resolved')) units.add('systemd-resolved.service');
  for (const unit of recipe.services.enable) units.add(unit);
  const enabled = [...units];
  await inRoot(root, ['systemctl', 'enable', ...enabled]);
  if (recipe.services.disable.length > 0)
    await inRoot(root, ['systemctl', 'disable', ...recipe.services.disable]);
  return enabled;
}

/** Runs a hook inside the image: copied to the image's private /tmp, run with no stdin, removed. */
const hookRunner = `f=$(mktemp /tmp/emi-hook.XXXXXX) && cat > "$f" && chmod 0700 "$f" || exit 1
"$f" < /dev/null
status=$?
rm -f "$f"
exit "$status"`;

async function runHooks(input: CustomiseInput): Promise<string[]> {
  const { record } = input.image;
  for (const hook of input.recipe.hooks) {
    const info = await lstat(join(input.repoRoot, hook));
    if (!info.isFile()) throw new UserError(`hook ${hook} is not a regular file`);
    input.root.log?.(`running hook ${hook}`);
    await inRoot(input.root, ['sh', '-c', hookRunner, relative(`recipes/${input.recipe.name}`, hook)], {
      label: `hook ${hook} (in the image)`,
      input: await readFile(join(input.repoRoot, hook)),
      env: {
        EMI_IMAGE_NAME: record.image_name,
        EMI_IMAGE_ARCH: record.image_arch,
        EMI_IMAGE_VERSION: record.image_version,
        EMI_RECIPE: record.recipe_name,
      },
    });
  }
  return input.recipe.hooks;
}

/** One initramfs per installed kernel, made now that the image is final (the package stage made none). */
async function makeInitramfs(root: ImageRoot): Promise<void> {
  await assertRealDirectory(root.path, 'boot');
  const boot = await readdir(join(root.path, 'boot'));
  for (const name of boot) {
    const version = /^vmlinuz-(.+)$/.exec(name)?.[1];
    if (!version) continue;
    const mode = boot.includes(`initrd.img-${version}`) ? '-u' : '-c';
    await inRoot(root, ['update-initramfs', mode, '-k', version]);
  }
}

export async function customise(input: CustomiseInput): Promise<CustomiseResult> {
  const { root } = input;
  // Each part logs its time ("initramfs: 3.1 s"), so a slow rebuild shows where it goes.
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    root.log?.(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  const overlays = await timed('overlays and generated files', async () => {
    const applied = await applyOverlays(input);
    await writeGeneratedFiles(input);
    const osRelease = await readInRoot(root, '/etc/os-release');
    await writeInRoot(root, '/etc/os-release', addImageFields(osRelease, input.image.record));
    return applied;
  });
  const enabled = await timed('units enabled', () => enableServices(input, overlays.files));
  const hooks = await timed('hooks', () => runHooks(input));
  if (await hasFile(root, 'usr/sbin/update-initramfs')) await timed('initramfs', () => makeInitramfs(root));
  return { overlays: overlays.applied, enabled, hooks };
}
