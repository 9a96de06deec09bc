/**
 * `emi recipe new`: a new recipe folder, planned as files, checked as `emi validate` would check it
 * (in memory, beside the recipes already there), then written in one step: into a hidden folder
 * under recipes/ and renamed into place, so a failed or killed run leaves no half-made recipe.
 */
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError } from '../lib/errors.js';
import { recipesDir } from '../lib/paths.js';
import type { Problem } from '../lib/problems.js';
import type { TreeEntry, TreeReader } from '../lib/tree-reader.js';
import { loadRecipes, recipeNamePattern } from './load-recipes.js';

export interface PlannedRecipeFile {
  /** Repository path, recipes/<name>/… */
  path: string;
  content: Buffer;
  executable: boolean;
}

export interface RecipePlan {
  name: string;
  dir: string;
  line: string;
  arches: string[];
  from?: string;
  files: PlannedRecipeFile[];
}

export interface RecipeRequest {
  name: string;
  from?: string;
  line?: string;
  arches?: string[];
}

const imageNamePattern = /^[a-z0-9]([a-z0-9.]|-(?!-))*-emi$/;
const knownArches = ['x86_64', 'i386', 'aarch64'];
const kernels: Record<string, string> = {
  x86_64: 'linux-image-cloud-amd64',
  i386: 'linux-image-686',
  aarch64: 'linux-image-cloud-arm64',
};

/** The line a recipe gets when none is named: euca-<name>-emi, as the original catalog named them. */
export function defaultLineName(name: string): string {
  return `euca-${name.replace(/-based$/, '')}-emi`;
}

export function assertRecipeName(name: string): void {
  if (name.length === 0 || name.length > 64 || !recipeNamePattern.test(name) || name === 'common')
    throw new UserError(
      `"${name.slice(0, 80)}" is not a recipe name: use 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit (and not "common")`,
    );
}

function assertRequest(request: RecipeRequest): { line: string; arches: string[] } {
  assertRecipeName(request.name);
  const line = request.line ?? defaultLineName(request.name);
  if (!imageNamePattern.test(line) || line.length > 100)
    throw new UserError(
      `"${line.slice(0, 120)}" is not an image line name: lowercase letters, digits, . and single -, ending in -emi (e.g. euca-debian-emi)`,
    );
  const arches = [...new Set(request.arches?.length ? request.arches : ['x86_64'])];
  for (const arch of arches)
    if (!knownArches.includes(arch))
      throw new UserError(`unknown arch "${arch}": use one of ${knownArches.join(', ')}`);
  return { line, arches };
}

function templateRecipe(name: string, line: string, arches: string[]): string {
  const kernelLines = arches.map((arch) => `  ${arch}: ${kernels[arch]}`).join('\n');
  return `# The ${name} recipe, made by \`emi recipe new\`. Every field is described in
# docs/building-images.md; \`npm run validate -- recipes/${name}\` checks this file.
description: Debian 12 (bookworm), minimal, systemd, DHCP on the first interface, sshd and the EMI boot agent
# What debootstrap installs: debian or ubuntu, and the release (suite) of it.
distribution: debian
release: bookworm
# mirror: left out, so the build host's apt configuration decides (or --mirror / EMI_MIRROR).
# Also install from <release>-updates and <release>-security, so the image ships with current fixes.
updates: true
components: [main]
variant: minbase
# The image lines this recipe builds. Each becomes a record in EMI-IDs/ once it is built and
# passes the boot check; rootfs_size is the root filesystem's exact size (1300M standard, 4500M large).
lines:
  - image_name: ${line}
    arches: [${arches.join(', ')}]
    rootfs_size: 1300M
packages:
  # The same set as recipes/debian-based, so a build host's package cache serves both.
  add:
    # boot and services
    - systemd
    - systemd-sysv
    - systemd-resolved
    - udev
    - dbus
    - kmod
    - zstd
    # remote access
    - openssh-server
    - openssh-sftp-server
    # the boot agent fetches metadata with curl over http(s)
    - curl
    - ca-certificates
    # administration
    - iproute2
    - iputils-ping
    - netbase
    - procps
    - less
    - nano
  remove: []
# The kernel package of each arch; its vmlinuz and initrd are exported beside the image.
kernel:
${kernelLines}
filesystem:
  type: ext4
  label: emi-rootfs
# Folders copied over the image's root, after recipes/common/overlay (the boot agent, the udev rule).
overlays:
  - overlay
# Scripts run inside the image, in order, after the packages and overlays (POSIX sh, shellcheck-clean).
hooks:
  - hooks/customise.sh
services:
  enable:
    - ssh.service
`;
}

const templateHook = `#!/bin/sh
# Runs inside the image (as root, in a contained chroot) after its packages and overlays are in
# place. emi validate runs shellcheck over it.
set -eu
# Cloud instances keep UTC; the console and the logs then read the same as the metadata service.
ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime
echo Etc/UTC > /etc/timezone
`;

const templateSshd = `# Instances get their keys from the metadata service; passwords never open an ssh session.
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
`;

function templateMotd(line: string): string {
  return `This instance runs ${line}, a starter image built from a recipe in git.\n/etc/image-id says which version.\n`;
}

/** The files of a new recipe, from the template or from an existing recipe (--from). */
export async function planRecipe(reader: TreeReader, request: RecipeRequest): Promise<RecipePlan> {
  const { line, arches } = assertRequest(request);
  const dir = `${recipesDir}/${request.name}`;
  const existing = await reader.list(dir);
  if (existing.length > 0) throw new UserError(`${dir}/ already exists: choose another name`);
  const file = (path: string, content: string | Buffer, executable = false): PlannedRecipeFile => ({
    path: `${dir}/${path}`,
    content: Buffer.isBuffer(content) ? content : Buffer.from(content),
    executable,
  });
  if (request.from === undefined) {
    return {
      name: request.name,
      dir,
      line,
      arches,
      files: [
        file('recipe.yaml', templateRecipe(request.name, line, arches)),
        file('overlay/etc/motd', templateMotd(line)),
        file('overlay/etc/ssh/sshd_config.d/50-emi.conf', templateSshd),
        file('hooks/customise.sh', templateHook, true),
      ],
    };
  }
  assertRecipeName(request.from);
  const fromDir = `${recipesDir}/${request.from}`;
  const entries = await reader.list(fromDir, { modes: true });
  const recipeFile = `${fromDir}/recipe.yaml`;
  if (!entries.some((entry) => entry.path === recipeFile))
    throw new UserError(`recipe "${request.from}" not found (${recipeFile} does not exist)`);
  const symlink = entries.find((entry) => entry.kind === 'symlink');
  if (symlink) throw new UserError(`${symlink.path} is a symlink: copy the recipe by hand`);
  const contents = await reader.read(entries.map((entry) => entry.path));
  const files = entries.map((entry: TreeEntry) => {
    const relative = entry.path.slice(fromDir.length + 1);
    const content = contents.get(entry.path) ?? Buffer.alloc(0);
    if (entry.path !== recipeFile) return file(relative, content, entry.executable ?? false);
    return file(relative, withLine(content.toString('utf8'), recipeFile, line, arches));
  });
  return { name: request.name, dir, line, arches, from: request.from, files };
}

/** The recipe's text with its lines replaced by the one new line, comments kept. */
function withLine(text: string, file: string, line: string, arches: string[]): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UserError(`${file} does not parse: fix it before copying it`);
  const sizes = doc.getIn(['lines', 0, 'rootfs_size']);
  doc.setIn(['lines'], doc.createNode([{ image_name: line, arches, rootfs_size: sizes ?? '1300M' }]));
  const node = doc.getIn(['lines', 0, 'arches'], true) as { flow?: boolean } | undefined;
  if (node) node.flow = true;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** A reader of the repository as it will be once the planned files are written. */
export function plannedReader(base: TreeReader, files: readonly PlannedRecipeFile[]): TreeReader {
  const planned = new Map(files.map((file) => [file.path, file]));
  return {
    root: base.root,
    source: base.source,
    async list(dir, options) {
      const prefix = `${dir.replace(/\/+$/, '')}/`;
      const own = files
        .filter((file) => file.path.startsWith(prefix))
        .map((file) => ({
          path: file.path,
          kind: 'file' as const,
          ...(options?.modes ? { executable: file.executable } : {}),
        }));
      const rest = (await base.list(dir, options)).filter((entry) => !planned.has(entry.path));
      return [...rest, ...own].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(paths) {
      const result = await base.read(paths.filter((path) => !planned.has(path)));
      for (const path of paths) {
        const file = planned.get(path);
        if (file) result.set(path, file.content);
      }
      return result;
    },
  };
}

/** The problems `emi validate` would report for the new recipe (or its clash with another). */
export async function checkPlannedRecipe(reader: TreeReader, plan: RecipePlan): Promise<Problem[]> {
  const loaded = await loadRecipes(plannedReader(reader, plan.files));
  return loaded.problems.filter((problem) => problem.file.startsWith(`${plan.dir}/`));
}

/** Writes the planned recipe: into a hidden folder under recipes/, then renamed into place. */
export async function applyRecipe(root: string, plan: RecipePlan): Promise<void> {
  const parent = join(root, recipesDir);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.emi-new-${plan.name}-`));
  try {
    for (const file of plan.files) {
      const target = join(staging, file.path.slice(plan.dir.length + 1));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { flag: 'wx' });
      await chmod(target, file.executable ? 0o755 : 0o644);
    }
    await rename(staging, join(root, plan.dir)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST' || error.code === 'ENOTEMPTY')
        throw new UserError(`${plan.dir}/ appeared while it was being made: nothing was written`);
      throw error;
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
