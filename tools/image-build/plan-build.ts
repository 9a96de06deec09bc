/**
 * The plan step (pure): which images a build makes, the record each one gets (the one new-emi would
 * make, or a given one), and every output file. Nothing runs and nothing is written here.
 */
import { planNewRecord } from '../catalog/plan-new-record.js';
import { type ImageRecord, recordPath } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import type { Recipe } from '../recipes/load-recipes.js';
import type { Arch } from '../schemas/generated/recipe.js';
import type { ResolvedLine, ResolvedRecipe } from './resolve-recipe.js';

export interface ImageOutputs {
  /** The folder the image's artifacts are published in: <out>/<image_file without .img>. */
  dir: string;
  image: string;
  tarball: string;
  zst?: string;
  kernel: string;
  initrd: string;
  packages: string;
  /** The passing boot check's report, `<base>.verify.json`: a record artifact, the evidence. */
  verify: string;
  manifest: string;
  checksums: string;
}

export interface ImagePlan {
  image_name: string;
  image_arch: Arch;
  rootfs_size: string;
  rootfs_bytes: number;
  kernel_package: string;
  /** The record the image is built for; recipe_digest set, artifacts added once it is built. */
  record: ImageRecord;
  /** The version of the line's record when the build was planned (undefined: no record yet). */
  previous_version?: string;
  outputs: ImageOutputs;
}

export interface BuildPlan {
  recipe: ResolvedRecipe;
  digest: string;
  /** The repository files that went into the digest. */
  inputs: string[];
  images: ImagePlan[];
}

export interface Selection {
  line?: string;
  arch?: string;
  all?: boolean;
  /** --record FILE: build this release instead of planning a new one. */
  record?: ImageRecord;
}

export interface PlanBuildInput {
  recipe: ResolvedRecipe;
  digest: string;
  inputs: string[];
  selection: Selection;
  hostArch: Arch | undefined;
  epoch: number;
  outDir: string;
  withZst: boolean;
  /** Every recipe of the catalog (new-emi checks the line against them). */
  recipes: ReadonlyMap<string, Recipe>;
  /** The current record of each line, by record path. */
  currentRecords: ReadonlyMap<string, ImageRecord>;
  usedStamps: ReadonlySet<string>;
}

function pick(recipe: ResolvedRecipe, selection: Selection, host: Arch | undefined): [ResolvedLine, Arch][] {
  if (selection.all) {
    if (selection.line || selection.arch || selection.record)
      throw new UserError('--all builds every line and arch: give it without --line, --arch or --record');
    return recipe.lines.flatMap((line) => line.arches.map((arch) => [line, arch] as [ResolvedLine, Arch]));
  }
  const wanted = selection.record?.image_name ?? selection.line;
  const arch = (selection.record?.image_arch ?? selection.arch ?? host) as Arch | undefined;
  if (selection.record) {
    if (selection.line && selection.line !== selection.record.image_name)
      throw new UserError(
        `--line ${selection.line} is not the line of the record (${selection.record.image_name})`,
      );
    if (selection.arch && selection.arch !== selection.record.image_arch)
      throw new UserError(
        `--arch ${selection.arch} is not the arch of the record (${selection.record.image_arch})`,
      );
  }
  if (arch === undefined)
    throw new UserError(`cannot tell this machine's arch (${process.arch}): pass --arch`);
  const lines = recipe.lines.filter((line) => line.arches.includes(arch));
  if (lines.length === 0) {
    const arches = [...new Set(recipe.lines.flatMap((line) => line.arches))].sort();
    throw new UserError(
      `recipe ${recipe.name} has no line for arch ${arch}: its arches are ${arches.join(', ')}`,
    );
  }
  const line = wanted === undefined ? lines[0] : lines.find((candidate) => candidate.image_name === wanted);
  if (!line) {
    throw new UserError(
      `recipe ${recipe.name} has no line "${wanted}" for ${arch}: its lines are ${lines.map((l) => l.image_name).join(', ')}`,
    );
  }
  return [[line, arch]];
}

/** `<out>/<base>/` and the names of its files, base being image_file without .img. */
export function imageOutputs(outDir: string, imageFile: string, withZst: boolean): ImageOutputs {
  const base = imageFile.replace(/\.(img|tgz)$/, '');
  const dir = `${outDir.replace(/\/+$/, '')}/${base}`;
  return {
    dir,
    image: `${base}.img`,
    tarball: `${base}.tgz`,
    ...(withZst ? { zst: `${base}.img.zst` } : {}),
    kernel: `${base}.vmlinuz`,
    initrd: `${base}.initrd`,
    packages: `${base}.packages`,
    verify: `${base}.verify.json`,
    manifest: 'build.json',
    checksums: 'SHA256SUMS',
  };
}

/** Every file name of the outputs, in a stable order. */
export function outputFiles(outputs: ImageOutputs): string[] {
  return [
    outputs.image,
    outputs.tarball,
    ...(outputs.zst ? [outputs.zst] : []),
    outputs.kernel,
    outputs.initrd,
    outputs.packages,
    outputs.verify,
    outputs.manifest,
    outputs.checksums,
  ];
}

export function planBuild(input: PlanBuildInput): BuildPlan {
  const { recipe } = input;
  const usedStamps = new Set(input.usedStamps);
  const images: ImagePlan[] = [];
  for (const [line, arch] of pick(recipe, input.selection, input.hostArch)) {
    const kernelPackage = recipe.kernel[arch];
    if (!kernelPackage) throw new UserError(`recipe ${recipe.name} has no kernel package for ${arch}`);
    const path = recordPath({ image_name: line.image_name, image_arch: arch });
    const current = input.currentRecords.get(path);
    let record: ImageRecord;
    if (input.selection.record) {
      if (input.selection.record.recipe_name !== recipe.name)
        throw new UserError(
          `the record is of recipe ${input.selection.record.recipe_name}, not ${recipe.name}`,
        );
      record = { ...input.selection.record };
      delete record.artifacts;
    } else {
      record = planNewRecord({
        recipeName: recipe.name,
        arch,
        name: line.image_name,
        epoch: input.epoch,
        recipes: input.recipes,
        usedStamps,
        ...(current ? { current } : {}),
      }).record;
      usedStamps.add(record.image_stamp);
    }
    record.recipe_digest = input.digest;
    images.push({
      image_name: line.image_name,
      image_arch: arch,
      rootfs_size: line.rootfs_size,
      rootfs_bytes: line.rootfs_bytes,
      kernel_package: kernelPackage,
      record,
      ...(current ? { previous_version: current.image_version } : {}),
      outputs: imageOutputs(input.outDir, record.image_file, input.withZst),
    });
  }
  const dirs = new Set<string>();
  for (const image of images) {
    if (dirs.has(image.outputs.dir))
      throw new UserError(`two images would be written to ${image.outputs.dir}`);
    dirs.add(image.outputs.dir);
  }
  return { recipe, digest: input.digest, inputs: input.inputs, images };
}

/** What `emi build --plan --json` prints. */
export function planSummary(plan: BuildPlan): object {
  return {
    recipe: plan.recipe,
    digest: plan.digest,
    inputs: plan.inputs,
    images: plan.images.map((image) => ({
      image_name: image.image_name,
      image_arch: image.image_arch,
      rootfs_size: image.rootfs_size,
      rootfs_bytes: image.rootfs_bytes,
      kernel_package: image.kernel_package,
      record: image.record,
      outputs: outputFiles(image.outputs).map((name) => `${image.outputs.dir}/${name}`),
    })),
  };
}
