/**
 * The verify step, where the boot check plugs in: it sees the complete artifact folder before it is
 * published, a failure publishes and records nothing, a success lets the build go on.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { VerifyImage } from '../../tools/image-build/build-image.js';
import { buildRecipe } from '../../tools/image-build/build-recipe.js';
import type { BuildEvent } from '../../tools/image-build/events.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import {
  beforeAllStandardImage,
  makeCatalog,
  type StandardImage,
  testOutput,
} from '../helpers/standard-image.js';

let built: StandardImage;
// The standard image's build fills the package cache these builds reuse.
beforeAllStandardImage((image) => {
  built = image;
});

describeAsRoot('the verify step', () => {
  const run = async (verify: VerifyImage) => {
    const dir = await mkdtemp(join(testOutput, 'verify-'));
    const catalog = join(dir, 'catalog');
    await makeCatalog(catalog);
    const events: BuildEvent[] = [];
    const result = await buildRecipe({
      cwd: catalog,
      recipeName: 'debian-based',
      line: 'euca-debian-emi',
      arch: 'x86_64',
      outDir: join(dir, 'out'),
      cacheDir: built.cacheDir,
      epoch: Math.floor(Date.now() / 1000),
      withZst: false,
      writeRecord: true,
      planOnly: false,
      env: process.env,
      isRoot: true,
      verify,
      emit: (event) => events.push(event),
    }).catch((error: Error) => error);
    return { dir, catalog, events, result };
  };

  it(
    'gets the complete artifact folder before it is published, and a failure publishes and records nothing',
    async () => {
      let seen: string[] = [];
      const { dir, catalog, events, result } = await run(async (image) => {
        seen = (await readdir(image.dir)).sort();
        expect(image.dir).not.toBe(image.plan.outputs.dir);
        throw new Error('the image did not answer on ssh');
      });
      try {
        expect(result).toBeInstanceOf(Error);
        expect(seen).toContain('build.json');
        expect(seen).toContain('SHA256SUMS');
        expect(seen.filter((name) => /\.(img|tgz|vmlinuz|initrd|packages)$/.test(name))).toHaveLength(5);
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'step',
            step: 'verify',
            state: 'failed',
            error: 'the image did not answer on ssh',
          }),
        );
        expect(await readdir(join(dir, 'out'))).toEqual([]);
        expect(await readdir(catalog)).not.toContain('EMI-IDs');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    10 * 60 * 1000,
  );

  it(
    'lets the build publish and record when it passes',
    async () => {
      const { dir, catalog, events, result } = await run(async (image) => {
        await writeFile(image.report, '{"ok":true}\n');
        return 'booted, ssh ok';
      });
      try {
        expect(result).not.toBeInstanceOf(Error);
        expect(events).toContainEqual(
          expect.objectContaining({ type: 'step', step: 'verify', state: 'done', detail: 'booted, ssh ok' }),
        );
        const steps = events
          .filter((event) => event.type === 'step' && event.state === 'done')
          .map((event) => (event as { step: string }).step);
        expect(steps.slice(-3)).toEqual(['verify', 'publish', 'record']);
        expect(await readdir(join(catalog, 'EMI-IDs'))).toEqual(['euca-debian-emi.x86_64.yaml']);
        // The report is the evidence: an artifact of the record, with its checksum.
        const record = await readFile(join(catalog, 'EMI-IDs', 'euca-debian-emi.x86_64.yaml'), 'utf8');
        expect(record).toMatch(
          /- name: "euca-debian-[0-9.]+-x86_64\.verify\.json"\n {4}sha256: "[0-9a-f]{64}"\n {4}size: 12\n/,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    10 * 60 * 1000,
  );
});
