import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { momentOf } from '../../tools/catalog/stamp.js';
import { parseDeb822Sources } from '../../tools/image-build/apt-sources.js';
import {
  imageOutputs,
  outputFiles,
  type PlanBuildInput,
  planBuild,
  planSummary,
} from '../../tools/image-build/plan-build.js';
import { type ResolvedRecipe, resolveRecipe } from '../../tools/image-build/resolve-recipe.js';
import type { LoadedRecipe } from '../../tools/recipes/load-recipes.js';
import { loadFixture } from '../helpers/build-fixtures.js';
import { makeRecord } from '../helpers/catalog-fixtures.js';
import type { TempRepo } from '../helpers/git-repo.js';

const epoch = 1_785_000_000; // 2026-07-25
const hostSources = parseDeb822Sources(
  'Types: deb\nURIs: http://h.example/debian\nSuites: bookworm bookworm-updates\n\nTypes: deb\nURIs: http://h.example/ds\nSuites: bookworm-security\n',
  'h.sources',
);

let repo: TempRepo;
let loaded: LoadedRecipe;
let recipe: ResolvedRecipe;
beforeAll(async () => {
  const fixture = await loadFixture();
  repo = fixture.repo;
  loaded = fixture.recipes.get('debian-based') as LoadedRecipe;
  recipe = resolveRecipe(loaded, { env: {}, hostSources });
});
afterAll(() => repo.cleanup());

function input(overrides: Partial<PlanBuildInput> = {}): PlanBuildInput {
  return {
    recipe,
    digest: `sha256:${'a'.repeat(64)}`,
    inputs: ['recipes/debian-based/recipe.yaml'],
    selection: {},
    hostArch: 'x86_64',
    epoch,
    outDir: '/srv/out/',
    withZst: false,
    recipes: new Map([['debian-based', loaded.recipe]]),
    currentRecords: new Map(),
    usedStamps: new Set(),
    ...overrides,
  };
}

describe('planBuild', () => {
  it("builds the recipe's first line on the host's arch by default, with the record new-emi would make", () => {
    const plan = planBuild(input());
    expect(plan.images).toHaveLength(1);
    const [image] = plan.images;
    const moment = momentOf(epoch);
    expect(image).toMatchObject({
      image_name: 'euca-debian-emi',
      image_arch: 'x86_64',
      rootfs_size: '1300M',
      rootfs_bytes: 1363148800,
      kernel_package: 'linux-image-cloud-amd64',
      record: {
        image_name: 'euca-debian-emi',
        image_version: moment.image_version,
        image_arch: 'x86_64',
        image_file: `euca-debian-${moment.image_version}-x86_64.img`,
        image_stamp: moment.image_stamp,
        image_date: moment.image_date,
        recipe_name: 'debian-based',
        recipe_digest: `sha256:${'a'.repeat(64)}`,
      },
    });
    expect(image?.previous_version).toBeUndefined();
    expect(image?.outputs).toEqual({
      dir: `/srv/out/euca-debian-${moment.image_version}-x86_64`,
      image: `euca-debian-${moment.image_version}-x86_64.img`,
      tarball: `euca-debian-${moment.image_version}-x86_64.tgz`,
      kernel: `euca-debian-${moment.image_version}-x86_64.vmlinuz`,
      initrd: `euca-debian-${moment.image_version}-x86_64.initrd`,
      packages: `euca-debian-${moment.image_version}-x86_64.packages`,
      verify: `euca-debian-${moment.image_version}-x86_64.verify.json`,
      manifest: 'build.json',
      checksums: 'SHA256SUMS',
    });
  });

  it('follows --line and --arch, and names the choices when they do not exist', () => {
    const plan = planBuild(input({ selection: { line: 'euca-large-debian-emi', arch: 'i386' } }));
    expect(
      plan.images.map((image) => [
        image.image_name,
        image.image_arch,
        image.rootfs_size,
        image.kernel_package,
      ]),
    ).toEqual([['euca-large-debian-emi', 'i386', '4500M', 'linux-image-686']]);
    expect(() => planBuild(input({ selection: { line: 'euca-tiny-emi' } }))).toThrow(
      'recipe debian-based has no line "euca-tiny-emi" for x86_64: its lines are euca-debian-emi, euca-large-debian-emi',
    );
    expect(() => planBuild(input({ selection: { arch: 'aarch64' } }))).toThrow(
      'recipe debian-based has no line for arch aarch64: its arches are i386, x86_64',
    );
    expect(() => planBuild(input({ hostArch: undefined }))).toThrow(/pass --arch/);
  });

  it('plans every line and arch with --all, each with its own stamp', () => {
    const plan = planBuild(input({ selection: { all: true }, withZst: true }));
    expect(plan.images.map((image) => `${image.image_name}.${image.image_arch}`)).toEqual([
      'euca-debian-emi.x86_64',
      'euca-debian-emi.i386',
      'euca-large-debian-emi.x86_64',
      'euca-large-debian-emi.i386',
    ]);
    expect(new Set(plan.images.map((image) => image.record.image_stamp)).size).toBe(4);
    expect(plan.images.every((image) => image.outputs.zst === `${image.outputs.image}.zst`)).toBe(true);
    expect(() => planBuild(input({ selection: { all: true, arch: 'i386' } }))).toThrow(
      /--all builds every line/,
    );
  });

  it('makes the next version of a line that has a record, and avoids used stamps', () => {
    const current = makeRecord({ epoch: epoch - 3600 });
    const path = 'EMI-IDs/euca-debian-emi.x86_64.yaml';
    const used = new Set([momentOf(epoch).image_stamp]);
    const plan = planBuild(input({ currentRecords: new Map([[path, current]]), usedStamps: used }));
    const [image] = plan.images;
    expect(image?.previous_version).toBe(current.image_version);
    expect(image?.record.image_version).toBe(`${current.image_version}.1`);
    expect(image?.record.image_stamp).toBe(momentOf(epoch + 1).image_stamp);
  });

  it('builds a given record (--record) as it is, with the digest, without old artifacts', () => {
    const given = {
      ...makeRecord({ epoch: epoch - 86400, name: 'euca-large-debian-emi', arch: 'i386' as const }),
      artifacts: [{ name: 'old.tgz', sha256: 'b'.repeat(64), size: 1 }],
    };
    const plan = planBuild(input({ selection: { record: given } }));
    const [image] = plan.images;
    expect(image?.image_name).toBe('euca-large-debian-emi');
    expect(image?.image_arch).toBe('i386');
    const { artifacts: _dropped, ...rest } = given;
    expect(image?.record).toEqual({ ...rest, recipe_digest: `sha256:${'a'.repeat(64)}` });
    expect(() => planBuild(input({ selection: { record: given, arch: 'x86_64' } }))).toThrow(
      '--arch x86_64 is not the arch of the record (i386)',
    );
    expect(() => planBuild(input({ selection: { record: { ...given, recipe_name: 'other' } } }))).toThrow(
      'the record is of recipe other, not debian-based',
    );
  });
});

describe('outputs', () => {
  it('names the folder and files after image_file', () => {
    const outputs = imageOutputs('/o', 'euca-debian-2026.07.25.1-i386.img', true);
    expect(outputs.dir).toBe('/o/euca-debian-2026.07.25.1-i386');
    expect(outputFiles(outputs)).toEqual([
      'euca-debian-2026.07.25.1-i386.img',
      'euca-debian-2026.07.25.1-i386.tgz',
      'euca-debian-2026.07.25.1-i386.img.zst',
      'euca-debian-2026.07.25.1-i386.vmlinuz',
      'euca-debian-2026.07.25.1-i386.initrd',
      'euca-debian-2026.07.25.1-i386.packages',
      'euca-debian-2026.07.25.1-i386.verify.json',
      'build.json',
      'SHA256SUMS',
    ]);
    expect(imageOutputs('/o', 'euca-centos-2011.07.02-i386.tgz', false).tarball).toBe(
      'euca-centos-2011.07.02-i386.tgz',
    );
  });

  it('summarises the plan in the --plan --json shape', () => {
    const summary = planSummary(planBuild(input())) as {
      images: { outputs: string[]; record: object }[];
      digest: string;
    };
    expect(Object.keys(summary)).toEqual(['recipe', 'digest', 'inputs', 'images']);
    expect(Object.keys(summary.images[0] ?? {})).toEqual([
      'image_name',
      'image_arch',
      'rootfs_size',
      'rootfs_bytes',
      'kernel_package',
      'record',
      'outputs',
    ]);
    expect(summary.images[0]?.outputs.every((path) => path.startsWith('/srv/out/euca-debian-'))).toBe(true);
  });
});
