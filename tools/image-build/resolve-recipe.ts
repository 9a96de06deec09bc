/**
 * A recipe with every default filled in and its package sources resolved: what a build actually
 * uses, and what `emi build --plan` shows as "recipe".
 */
import { UserError } from '../lib/errors.js';
import { commonOverlayDir, type LoadedRecipe } from '../recipes/load-recipes.js';
import { parseSize } from '../recipes/sizes.js';
import type { Arch, Recipe } from '../schemas/generated/recipe.js';
import { type AptSource, findMirror } from './apt-sources.js';

export interface PackageSource {
  uri: string;
  suites: string[];
  components: string[];
  /** Where the mirror came from: --mirror, EMI_MIRROR, the recipe, or the host's apt file. */
  from: string;
}

export interface ResolvedLine {
  image_name: string;
  arches: Arch[];
  rootfs_size: string;
  rootfs_bytes: number;
}

export interface ResolvedRecipe {
  name: string;
  description: string;
  distribution: Recipe['distribution'];
  release: string;
  variant: NonNullable<Recipe['variant']>;
  components: string[];
  /** The release's own source first (debootstrap uses it), then updates and security. */
  sources: PackageSource[];
  /** The archive keyring, on the host (debootstrap checks the Release file with it) and in the image. */
  keyring: string;
  lines: ResolvedLine[];
  packages: { add: string[]; remove: string[] };
  kernel: Partial<Record<Arch, string>>;
  filesystem: { type: 'ext4' | 'ext3' | 'ext2'; label: string };
  /** Repository paths of the overlay folders, in the order they are applied (common first). */
  overlays: string[];
  /** Repository paths of the hooks, in order. */
  hooks: string[];
  services: { enable: string[]; disable: string[] };
}

export interface MirrorOverrides {
  /** --mirror */
  mirror?: string;
  env: Record<string, string | undefined>;
  hostSources: readonly AptSource[];
}

export const defaultFilesystemLabel = 'emi-rootfs';
const mirrorPattern = /^https?:\/\/[^\s"'`$\\]+$/;

export const keyrings: Record<Recipe['distribution'], { path: string; package: string }> = {
  debian: { path: '/usr/share/keyrings/debian-archive-keyring.gpg', package: 'debian-archive-keyring' },
  ubuntu: { path: '/usr/share/keyrings/ubuntu-archive-keyring.gpg', package: 'ubuntu-keyring' },
};

function checkedMirror(value: string, what: string): string {
  if (!mirrorPattern.test(value)) throw new UserError(`${what} "${value}" is not an http(s) URL`);
  return value.replace(/\/+$/, '');
}

function pickMirror(
  suite: string,
  choices: { value: string | undefined; from: string }[],
  sources: readonly AptSource[],
  hint: string,
): { uri: string; from: string } {
  for (const choice of choices) {
    if (choice.value) return { uri: checkedMirror(choice.value, choice.from), from: choice.from };
  }
  const found = findMirror(sources, suite);
  if (found) return { uri: found.uri, from: found.file };
  throw new UserError(`no mirror for the suite ${suite}: the host's apt configuration has none; ${hint}`);
}

export function resolveRecipe(loaded: LoadedRecipe, overrides: MirrorOverrides): ResolvedRecipe {
  const { recipe, name } = loaded;
  const components = [...(recipe.components ?? ['main'])];
  const release = pickMirror(
    recipe.release,
    [
      { value: overrides.mirror, from: '--mirror' },
      { value: overrides.env.EMI_MIRROR, from: 'EMI_MIRROR' },
      { value: recipe.mirror, from: `${loaded.file} mirror` },
    ],
    overrides.hostSources,
    'pass --mirror URL, set EMI_MIRROR, or set mirror in the recipe',
  );
  const sources: PackageSource[] = [
    {
      uri: release.uri,
      suites: recipe.updates ? [recipe.release, `${recipe.release}-updates`] : [recipe.release],
      components,
      from: release.from,
    },
  ];
  if (recipe.updates) {
    const suite = `${recipe.release}-security`;
    const security = pickMirror(
      suite,
      [
        { value: overrides.env.EMI_SECURITY_MIRROR, from: 'EMI_SECURITY_MIRROR' },
        { value: recipe.security_mirror, from: `${loaded.file} security_mirror` },
      ],
      overrides.hostSources,
      'set EMI_SECURITY_MIRROR or security_mirror in the recipe',
    );
    sources.push({ uri: security.uri, suites: [suite], components, from: security.from });
  }
  return {
    name,
    description: recipe.description,
    distribution: recipe.distribution,
    release: recipe.release,
    variant: recipe.variant ?? 'minbase',
    components,
    sources,
    keyring: keyrings[recipe.distribution].path,
    lines: recipe.lines.map((line) => ({
      image_name: line.image_name,
      arches: [...line.arches],
      rootfs_size: line.rootfs_size,
      rootfs_bytes: parseSize(line.rootfs_size),
    })),
    packages: { add: [...(recipe.packages?.add ?? [])], remove: [...(recipe.packages?.remove ?? [])] },
    kernel: { ...recipe.kernel } as Partial<Record<Arch, string>>,
    filesystem: {
      type: recipe.filesystem?.type ?? 'ext4',
      label: recipe.filesystem?.label ?? defaultFilesystemLabel,
    },
    overlays: [
      commonOverlayDir,
      ...(recipe.overlays ?? []).map((overlay) => `recipes/${name}/${overlay.replace(/\/+$/, '')}`),
    ],
    hooks: (recipe.hooks ?? []).map((hook) => `recipes/${name}/${hook}`),
    services: {
      enable: [...(recipe.services?.enable ?? [])],
      disable: [...(recipe.services?.disable ?? [])],
    },
  };
}

/** Debian's name of an arch (what debootstrap and dpkg call it). */
export function debianArch(arch: Arch): string {
  return { x86_64: 'amd64', i386: 'i386', aarch64: 'arm64' }[arch];
}

/** The arch this machine runs, in the catalog's names. */
export function hostArch(nodeArch: string = process.arch): Arch | undefined {
  return ({ x64: 'x86_64', ia32: 'i386', arm64: 'aarch64' } as Record<string, Arch>)[nodeArch];
}
