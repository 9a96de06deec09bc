/**
 * The standard image the suite builds, registered in Debian's glance-api on loopback: three images,
 * linked, with the record as properties, sizes and SHA-512 equal to the artifacts. The build folder
 * is only read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseRecord } from '../../tools/catalog/parse-record.js';
import { recordPath } from '../../tools/catalog/record-files.js';
import { GlanceClient, type GlanceImage } from '../../tools/cloud/glance-client.js';
import { recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { createRepo, createTempDir, type TempRepo } from '../helpers/git-repo.js';
import { type GlanceServer, startGlance } from '../helpers/glance.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { runEmi } from '../helpers/run-emi.js';
import { beforeAllStandardImage, type StandardImage } from '../helpers/standard-image.js';

async function sha512File(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describeAsRoot('emi register: the standard image in a local Glance', () => {
  let image: StandardImage;
  let glance: GlanceServer;
  let repo: TempRepo;
  let work: string;
  beforeAllStandardImage((built) => {
    image = built;
  });
  beforeAll(async () => {
    glance = await startGlance();
    work = await createTempDir('emi-register-std-');
    await writeFile(
      join(work, 'clouds.yaml'),
      `clouds:\n  local:\n    auth_type: none\n    image_endpoint_override: ${glance.url}\n`,
    );
    repo = await createRepo(recipeFiles);
    await repo.commit(recordFiles(image.record), { message: 'release\n\nthe standard image\n' });
  }, 300_000);
  afterAll(async () => {
    await glance?.stop();
    await repo?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it(
    'uploads kernel, ramdisk and root filesystem as linked aki/ari/ami images equal to the artifacts',
    async () => {
      const run = await runEmi(
        ['register', 'euca-debian-emi.x86_64', '--cloud', 'local', '--from', image.dir],
        {
          cwd: repo.dir,
          env: { OS_CLIENT_CONFIG_FILE: join(work, 'clouds.yaml') },
          timeoutMs: 15 * 60 * 1000,
        },
      );
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);

      const client = new GlanceClient({ endpoint: glance.url });
      const images = await client.listImages({ image_name: 'euca-debian-emi', image_arch: 'x86_64' });
      expect(images).toHaveLength(3);
      const find = (format: string) => images.find((entry) => entry.disk_format === format) as GlanceImage;
      const [kernel, ramdisk, machine] = [find('aki'), find('ari'), find('ami')];
      expect(machine.kernel_id).toBe(kernel.id);
      expect(machine.ramdisk_id).toBe(ramdisk.id);
      const stem = image.record.image_file.replace(/\.img$/, '');
      for (const [entry, suffix] of [
        [kernel, 'vmlinuz'],
        [ramdisk, 'initrd'],
        [machine, 'img'],
      ] as const) {
        const name = `${stem}.${suffix}`;
        const artifact = image.record.artifacts?.find((candidate) => candidate.name === name);
        expect(entry.name).toBe(name);
        expect(entry.status).toBe('active');
        expect(entry.size).toBe(artifact?.size);
        expect(entry.os_hash_value).toBe(await sha512File(join(image.dir, name)));
        for (const field of [
          'image_name',
          'image_version',
          'image_arch',
          'image_stamp',
          'image_date',
          'recipe_name',
          'recipe_digest',
        ] as const)
          expect(entry[field], field).toBe(image.record[field]);
      }
      expect(machine).toMatchObject({ os_distro: 'debian', os_version: '12', architecture: 'x86_64' });
      const path = recordPath(image.record);
      const parsed = parseRecord(path, await readFile(join(repo.dir, path)));
      expect(parsed.ok && parsed.value.record.registrations?.[0]).toMatchObject({
        cloud: 'local',
        image_id: machine.id,
        kernel_id: kernel.id,
        ramdisk_id: ramdisk.id,
      });
    },
    20 * 60 * 1000,
  );
});
