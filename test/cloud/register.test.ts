/**
 * `emi register` against Debian's real glance-api on loopback (SQLite, file store, no auth), with
 * small synthetic releases; every request goes through a counting proxy so a test can say which
 * writes a run sent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../tools/catalog/parse-record.js';
import { type ImageRecord, recordPath, renderRecord } from '../../tools/catalog/record-files.js';
import { GlanceClient, type GlanceImage } from '../../tools/cloud/glance-client.js';
import { recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { createRepo, createTempDir, type TempRepo } from '../helpers/git-repo.js';
import { type GlanceServer, hasGlance, startGlance } from '../helpers/glance.js';
import { makeSyntheticRelease, type SyntheticRelease, sha512Of } from '../helpers/register-fixtures.js';
import { emiBin, runEmi } from '../helpers/run-emi.js';

const available = await hasGlance();
const day = 86_400;

describe.skipIf(!available && !process.env.CI)('emi register against a local Glance', () => {
  let glance: GlanceServer;
  let proxy: CountingProxy;
  let client: GlanceClient;
  let work: string;
  let repo: TempRepo;
  let cloudsFile: string;

  const env = () => ({ OS_CLIENT_CONFIG_FILE: cloudsFile, OS_CLOUD: undefined });
  const register = (args: string[], more: Record<string, string | undefined> = {}) =>
    runEmi(['register', ...args], { cwd: repo.dir, env: { ...env(), ...more }, timeoutMs: 120_000 });
  const readRecord = async (record: ImageRecord) => {
    const parsed = parseRecord(recordPath(record), await readFile(join(repo.dir, recordPath(record))));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return parsed.value.record;
  };
  const lineImages = async (record: ImageRecord, version = record.image_version) => {
    const filters = { image_name: record.image_name, image_arch: record.image_arch, image_version: version };
    return [
      ...(await client.listImages({ ...filters, os_hidden: 'false' })),
      ...(await client.listImages({ ...filters, os_hidden: 'true' })),
    ];
  };
  const byFormat = (images: GlanceImage[], format: string) =>
    images.filter((image) => image.disk_format === format);

  beforeAll(async () => {
    if (!available)
      throw new Error('glance-api is not installed: apt-get install glance-api (scripts/host-packages.txt)');
    glance = await startGlance();
    proxy = await startCountingProxy(glance.url);
    client = new GlanceClient({ endpoint: glance.url });
    work = await createTempDir('emi-register-');
    cloudsFile = join(work, 'clouds.yaml');
    await writeFile(
      cloudsFile,
      `clouds:\n  local:\n    auth_type: none\n    image_endpoint_override: ${proxy.url}\n`,
    );
    repo = await createRepo(recipeFiles);
    await repo.commit({}, { message: 'recipes\n\nthe test recipe\n' });
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await glance?.stop();
    await repo?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  let first: SyntheticRelease;

  it('registers kernel (aki), ramdisk (ari) and machine image (ami), linked, with the record as properties', async () => {
    first = await makeSyntheticRelease(work, { epoch: 1_790_000_000 });
    await repo.commit(recordFiles(first.record), { message: 'release\n\nfirst release\n' });
    const run = await register(['euca-debian-emi.x86_64', '--cloud', 'local', '--from', first.dir]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/uploaded the machine image .* sha512 verified/);

    const images = await lineImages(first.record);
    expect(images).toHaveLength(3);
    const [kernel] = byFormat(images, 'aki');
    const [ramdisk] = byFormat(images, 'ari');
    const [machine] = byFormat(images, 'ami');
    if (!kernel || !ramdisk || !machine) throw new Error('a part is missing');
    expect([kernel.container_format, ramdisk.container_format, machine.container_format]).toEqual([
      'aki',
      'ari',
      'ami',
    ]);
    expect(machine.kernel_id).toBe(kernel.id);
    expect(machine.ramdisk_id).toBe(ramdisk.id);
    const stem = first.record.image_file.replace(/\.img$/, '');
    expect([kernel.name, ramdisk.name, machine.name]).toEqual([
      `${stem}.vmlinuz`,
      `${stem}.initrd`,
      `${stem}.img`,
    ]);
    for (const image of [kernel, ramdisk, machine]) {
      expect(image.status).toBe('active');
      expect(image.os_hidden).toBe(false);
      for (const field of [
        'image_name',
        'image_version',
        'image_arch',
        'image_stamp',
        'image_date',
        'recipe_name',
        'recipe_digest',
      ] as const)
        expect(image[field], field).toBe(first.record[field]);
      expect(image.architecture).toBe('x86_64');
    }
    expect(machine).toMatchObject({
      os_distro: 'debian',
      os_version: '12',
      hw_disk_bus: 'virtio',
      os_type: 'linux',
    });
    for (const [image, path] of [
      [kernel, first.files.kernel],
      [ramdisk, first.files.ramdisk],
      [machine, first.files.machine],
    ] as const) {
      const artifact = first.record.artifacts?.find((entry) => path.endsWith(entry.name));
      expect(image.size).toBe(artifact?.size);
      expect(image.os_hash_algo).toBe('sha512');
      expect(image.os_hash_value).toBe(await sha512Of(path));
    }

    const recorded = await readRecord(first.record);
    expect(recorded.registrations).toEqual([
      {
        cloud: 'local',
        image_id: machine.id,
        kernel_id: kernel.id,
        ramdisk_id: ramdisk.id,
        registered_at: `${machine.created_at.slice(0, 19)}Z`,
      },
    ]);
  });

  it('a second run reuses every image and sends no write', async () => {
    const before = await readFile(join(repo.dir, recordPath(first.record)), 'utf8');
    proxy.requests.length = 0;
    const run = await register([
      'euca-debian-emi',
      '--arch',
      'x86_64',
      '--cloud',
      'local',
      '--from',
      first.dir,
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.writes()).toEqual([]);
    const result = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; wrote_to_cloud?: boolean; record_written?: boolean })
      .find((event) => event.type === 'result');
    expect(result).toMatchObject({ wrote_to_cloud: false, record_written: false });
    expect(await readFile(join(repo.dir, recordPath(first.record)), 'utf8')).toBe(before);
  });
});
