/**
 * One image, step by step: bootstrap, customise, clean, manifest, kernel, filesystem, pack, then the
 * verify hook (the boot check plugs in here), publish and record. Everything is made in a work
 * folder and appears in the output folder only when complete; the record is written last.
 */
import { rm, writeFile } from 'node:fs/promises';
import { release as kernelRelease } from 'node:os';
import { join } from 'node:path';
import { type ImageRecord, packagesHeader } from '../catalog/record-files.js';
import { epochOfImageDate } from '../catalog/stamp.js';
import { UserError } from '../lib/errors.js';
import { bootstrap } from './bootstrap.js';
import { renderBuildManifest } from './build-manifest.js';
import { describeArtifacts, renderSha256Sums } from './checksums.js';
import { clean } from './clean.js';
import { customise } from './customise.js';
import { type Artifact, type BuildEvent, type Emit, imageKey, runStep, type StepName } from './events.js';
import { makeFilesystem } from './filesystem.js';
import { type ImageRoot, inRoot } from './image-root.js';
import { exportKernel } from './kernel.js';
import { createWorkDir, publish } from './outputs.js';
import { pack } from './pack.js';
import { parsePackageManifest, renderPackageManifest } from './package-manifest.js';
import type { ImagePlan } from './plan-build.js';
import type { ResolvedRecipe } from './resolve-recipe.js';
import { writeRecord } from './write-record.js';

/**
 * What the verify hook gets: the finished artifact folder (build.json and SHA256SUMS included),
 * still in the work folder; it is published only when the hook returns.
 */
export interface BuiltImage {
  plan: ImagePlan;
  record: ImageRecord;
  /** The folder that holds the artifacts (becomes outputs.dir when published). */
  dir: string;
  image: string;
  kernel: string;
  initrd: string;
  /** Where a passing check writes its report (<dir>/<base>.verify.json): the record lists it. */
  report: string;
}

/**
 * Boots and checks a built image; throws to fail the build (nothing is published or recorded then).
 * A pass writes its report to `image.report`.
 */
export type VerifyImage = (
  image: BuiltImage,
  options: { signal?: AbortSignal; log: (line: string) => void },
) => Promise<string | undefined>;

export interface BuildImageOptions {
  plan: ImagePlan;
  recipe: ResolvedRecipe;
  digest: string;
  inputs: string[];
  repoRoot: string;
  outDir: string;
  cacheDir: string;
  env: Record<string, string>;
  epoch: number;
  pigz: boolean;
  tools: Record<string, string>;
  writeRecord: boolean;
  verify?: VerifyImage;
  signal?: AbortSignal;
  emit: Emit;
}

export interface BuildImageResult {
  dir: string;
  artifacts: Artifact[];
  recordFiles: string[];
  steps: { step: StepName; ms: number }[];
}

const packageCount = (manifest: string) =>
  manifest.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;

export async function buildImage(options: BuildImageOptions): Promise<BuildImageResult> {
  const { plan, recipe, env, signal } = options;
  const key = imageKey(plan);
  const started = new Date();
  const steps: { step: StepName; ms: number }[] = [];
  const emit: Emit = (event: BuildEvent) => {
    if (event.type === 'step' && event.state === 'done') steps.push({ step: event.step, ms: event.ms });
    options.emit(event);
  };
  const step = <T>(
    name: StepName,
    work: (log: (line: string) => void) => Promise<T>,
    detail?: (result: T) => string | undefined,
  ) =>
    runStep(
      emit,
      name,
      key,
      async (log) => {
        signal?.throwIfAborted();
        return work(log);
      },
      detail,
    );
  const work = await createWorkDir(options.outDir);
  const out = plan.outputs;
  const staged = (name: string) => join(work.staging, name);
  try {
    const boot = await step(
      'bootstrap',
      (log) =>
        bootstrap({
          recipe,
          arch: plan.image_arch,
          kernel: plan.kernel_package,
          root: work.root,
          cacheDir: options.cacheDir,
          env,
          log,
          ...(signal ? { signal } : {}),
        }),
      (result) =>
        `${result.cache === 'hit' ? 'package set from the cache' : 'mmdebstrap: base, packages and kernel'}, ${result.execution.mode === 'native' ? 'native' : 'through qemu'}`,
    );
    const root = (log: (line: string) => void): ImageRoot => ({
      path: work.root,
      execution: boot.execution,
      env,
      log,
      ...(signal ? { signal } : {}),
    });
    const custom = await step(
      'customise',
      (log) =>
        customise({
          root: root(log),
          repoRoot: options.repoRoot,
          recipe,
          image: plan,
          workDir: work.scratch,
        }),
      (result) =>
        `${result.overlays.length} overlays, ${result.enabled.length} units enabled, ${result.hooks.length} hooks`,
    );
    await step('clean', (log) => clean(root(log)));
    const packages = await step(
      'manifest',
      async (log) => {
        const { stdout } = await inRoot(root(log), ['dpkg-query', '-W'], { onLine: () => {} });
        // The header ties the manifest to this build's record (validate and the changelog check it).
        const text = packagesHeader(plan.record) + renderPackageManifest(parsePackageManifest(stdout));
        await writeFile(staged(out.packages), text, { mode: 0o644 });
        return text;
      },
      (text) => `${packageCount(text)} packages`,
    );
    const kernel = await step(
      'kernel',
      (log) => exportKernel(root(log), { kernel: staged(out.kernel), initrd: staged(out.initrd) }),
      (result) => result.version,
    );
    const filesystem = await step('filesystem', () =>
      makeFilesystem({
        tree: work.root,
        image: staged(out.image),
        bytes: plan.rootfs_bytes,
        size: plan.rootfs_size,
        type: recipe.filesystem.type,
        label: recipe.filesystem.label,
        seed: `${plan.record.image_name}.${plan.record.image_arch}.${plan.record.image_stamp}`,
        env,
        ...(signal ? { signal } : {}),
      }),
    );
    // The tree is in the image now: free its disk space before packing.
    await rm(work.root, { recursive: true, force: true });
    const packed = await step('pack', (log) =>
      pack({
        log,
        image: staged(out.image),
        imageName: out.image,
        kernelVersion: kernel.version,
        kernel: staged(out.kernel),
        initrd: staged(out.initrd),
        tarball: staged(out.tarball),
        ...(out.zst ? { zst: staged(out.zst) } : {}),
        layoutDir: join(work.scratch, 'tarball'),
        epoch: epochOfImageDate(plan.record.image_date) ?? options.epoch,
        pigz: options.pigz,
        // mke2fs -d just made the filesystem in a new sparse file: a free block was never written,
        // so it is a hole and reads as zeros; zerofree would read all of them to change nothing.
        skipZerofree: true,
        env,
        ...(signal ? { signal } : {}),
      }),
    );
    const names = [
      out.image,
      out.tarball,
      ...(out.zst ? [out.zst] : []),
      out.kernel,
      out.initrd,
      out.packages,
    ];
    const artifacts = await describeArtifacts(work.staging, names);
    await writeFile(
      staged(out.manifest),
      renderBuildManifest({
        record: plan.record,
        recipe,
        digest: options.digest,
        inputs: options.inputs,
        bootstrap: { cache: boot.cache, key: boot.key, suites: boot.suites, execution: boot.execution.mode },
        customise: custom,
        kernel: { package: plan.kernel_package, ...kernel },
        filesystem: {
          type: recipe.filesystem.type,
          label: recipe.filesystem.label,
          bytes: plan.rootfs_bytes,
          ...filesystem,
        },
        sizes: {
          imageAllocatedBefore: packed.allocatedBefore,
          imageAllocated: packed.allocatedAfter,
          tarball: packed.tarballBytes,
          ...(packed.zstBytes === undefined ? {} : { zst: packed.zstBytes }),
        },
        packages: packageCount(packages),
        artifacts,
        tools: options.tools,
        steps: [...steps],
        started: started.toISOString(),
        finished: new Date().toISOString(),
        host: { arch: process.arch, kernel: kernelRelease() },
      }),
      { mode: 0o644 },
    );
    const withManifest = [...artifacts, ...(await describeArtifacts(work.staging, [out.manifest]))];
    await writeFile(staged(out.checksums), renderSha256Sums(withManifest), { mode: 0o644 });

    const built: BuiltImage = {
      plan,
      record: plan.record,
      dir: work.staging,
      image: staged(out.image),
      kernel: staged(out.kernel),
      initrd: staged(out.initrd),
      report: staged(out.verify),
    };
    // A record is the claim that the image works: only a boot-checked build may make one.
    if (options.writeRecord && !options.verify)
      throw new UserError(
        'a record is written only for a boot-checked image: build with a boot check, or write no record',
      );
    let recordArtifacts: Artifact[] = artifacts;
    let published = withManifest;
    if (options.verify) {
      const verify = options.verify;
      await step(
        'verify',
        (log) => verify(built, { log, ...(signal ? { signal } : {}) }),
        (detail) => detail,
      );
      const report = await describeArtifacts(work.staging, [out.verify]).catch(() => undefined);
      if (report === undefined) {
        if (options.writeRecord)
          throw new UserError(
            `the boot check passed but left no report ${out.verify}: the record is not written`,
          );
      } else {
        // The report is evidence like the image: checksummed in SHA256SUMS and listed in the record.
        recordArtifacts = [...artifacts, ...report];
        published = [...withManifest, ...report];
        await writeFile(staged(out.checksums), renderSha256Sums(published), { mode: 0o644 });
      }
    } else {
      emit({
        type: 'step',
        step: 'verify',
        image: key,
        state: 'skipped',
        detail: 'no boot check configured',
      });
    }

    await step(
      'publish',
      async () => publish(work.staging, out.dir),
      () => out.dir,
    );
    emit({ type: 'image', image: key, dir: out.dir, artifacts: published });
    let recordFiles: string[] = [];
    if (options.writeRecord) {
      const written = await step('record', () =>
        writeRecord({
          root: options.repoRoot,
          record: plan.record,
          previousVersion: plan.previous_version,
          artifacts: recordArtifacts,
          packages,
        }),
      );
      recordFiles = written.files.map((file) => file.path);
      emit({ type: 'record', image: key, files: recordFiles });
    } else {
      emit({ type: 'step', step: 'record', image: key, state: 'skipped', detail: '--no-record' });
    }
    return { dir: out.dir, artifacts: published, recordFiles, steps };
  } finally {
    await rm(work.path, { recursive: true, force: true });
  }
}
