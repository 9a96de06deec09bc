/**
 * build.json, the build manifest beside the artifacts: the record, the recipe digest and inputs,
 * where the packages came from, the tools and their versions, sizes and step timings. Enough to
 * tell what an image is made of and how long each part took, without opening it.
 */
import type { ImageRecord } from '../catalog/record-files.js';
import { runCommand } from '../lib/exec.js';
import { redactDeep } from '../lib/redact.js';
import type { Artifact } from './events.js';
import type { SuiteDigest } from './package-cache.js';
import type { ResolvedRecipe } from './resolve-recipe.js';

export const buildManifestFormat = 1;

/** The host packages whose versions a build records. */
export const recordedTools = [
  'mmdebstrap',
  'e2fsprogs',
  'zerofree',
  'tar',
  'gzip',
  'pigz',
  'zstd',
  'util-linux',
  'qemu-user-static',
];

export interface BuildManifestInput {
  record: ImageRecord;
  recipe: ResolvedRecipe;
  digest: string;
  inputs: string[];
  bootstrap: { cache: 'hit' | 'miss'; key: string; suites: SuiteDigest[]; execution: string };
  customise: { overlays: string[]; enabled: string[]; hooks: string[] };
  kernel: { package: string; version: string; modules: { initrd: string[]; builtin: string[] } };
  filesystem: {
    type: string;
    label: string;
    uuid: string;
    bytes: number;
    blockSize: number;
    blockCount: number;
    freeBlocks: number;
  };
  sizes: { imageAllocatedBefore: number; imageAllocated: number; tarball: number; zst?: number };
  packages: number;
  artifacts: Artifact[];
  tools: Record<string, string>;
  steps: { step: string; ms: number }[];
  started: string;
  finished: string;
  host: { arch: string; kernel: string };
}

export function renderBuildManifest(input: BuildManifestInput): string {
  const manifest = {
    format: buildManifestFormat,
    record: input.record,
    recipe: {
      name: input.recipe.name,
      digest: input.digest,
      inputs: input.inputs,
      // Published beside the image: a mirror's credentials stay out.
      resolved: redactDeep(input.recipe),
    },
    bootstrap: input.bootstrap,
    customise: input.customise,
    kernel: input.kernel,
    filesystem: input.filesystem,
    sizes: {
      image_bytes: input.filesystem.bytes,
      image_allocated_before_pack: input.sizes.imageAllocatedBefore,
      image_allocated: input.sizes.imageAllocated,
      tarball_bytes: input.sizes.tarball,
      ...(input.sizes.zst === undefined ? {} : { zst_bytes: input.sizes.zst }),
    },
    packages: input.packages,
    artifacts: input.artifacts,
    tools: input.tools,
    steps: input.steps,
    started: input.started,
    finished: input.finished,
    host: input.host,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Versions of the host's build tools, from dpkg (tools that are not installed are left out). */
export async function readToolVersions(env: Record<string, string>): Promise<Record<string, string>> {
  const result = await runCommand(
    'dpkg-query',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
    ['-W', '-f', '${Package}\\t${Version}\\n', ...recordedTools],
    {
      env,
      extendEnv: false,
      reject: false,
    },
  );
  const versions: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const [name, version] = line.split('\t');
    if (name && version) versions[name] = version;
  }
  return versions;
}
