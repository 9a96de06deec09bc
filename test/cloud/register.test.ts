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
import { recordFiles, testRecipe } from '../helpers/catalog-fixtures.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { createRepo, createTempDir, type TempRepo } from '../helpers/git-repo.js';
import { type GlanceServer, hasGlance, startGlance } from '../helpers/glance.js';
import {
  makeSyntheticRelease,
  type SyntheticRelease,
  sha512Of,
  startAssetServer,
} from '../helpers/register-fixtures.js';
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
    // The large line on i386 too: some tests register it (validate refuses a record of a line and
    // arch its recipe does not build).
    repo = await createRepo({
      'recipes/debian-based/recipe.yaml': testRecipe.replace(
        'arches: [x86_64]\n    rootfs_size: 4500M',
        'arches: [x86_64, i386]\n    rootfs_size: 4500M',
      ),
    });
    await repo.commit({}, { message: 'recipes\n\nthe test recipe\n' });
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await glance?.stop();
    await repo?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  let first: SyntheticRelease;
  /** The release the line's record holds now. */
  let latest: SyntheticRelease;

  it('registers kernel (aki), ramdisk (ari) and machine image (ami), linked, with the record as properties', async () => {
    first = await makeSyntheticRelease(work, { epoch: 1_790_000_000 });
    latest = first;
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
  it('streams the root filesystem out of the sparse tarball when the folder has no .img', async () => {
    const release = await makeSyntheticRelease(work, { name: 'euca-large-debian-emi', epoch: 1_790_000_011 });
    const expected = await sha512Of(release.files.machine);
    const kernelHash = await sha512Of(release.files.kernel);
    for (const path of [release.files.machine, release.files.kernel, release.files.ramdisk]) await rm(path);
    await repo.commit(recordFiles(release.record), { message: 'release\n\nlarge line\n' });
    const run = await register(['euca-large-debian-emi.x86_64', '--cloud', 'local', '--from', release.dir]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/\.tgz \(euca-large-debian-.*\.img\)/);
    const images = await lineImages(release.record);
    expect(byFormat(images, 'ami')[0]?.os_hash_value).toBe(expected);
    expect(byFormat(images, 'aki')[0]?.os_hash_value).toBe(kernelHash);
  });

  it('an upload killed midway leaves a leftover that the next run deletes before it completes', async () => {
    const release = await makeSyntheticRelease(work, {
      arch: 'i386',
      epoch: 1_790_000_023,
      machineBytes: 24 << 20,
    });
    // The release lists no tarball: the machine image is the .img asset itself.
    const record: ImageRecord = {
      ...release.record,
      artifacts: release.record.artifacts?.filter((artifact) => !artifact.name.endsWith('.tgz')),
    };
    await repo.commit(recordFiles(record), { message: 'release\n\ni386\n' });
    const assets = await startAssetServer(release.dir);
    const args = [
      'register',
      'euca-debian-emi.i386',
      '--cloud',
      'local',
      '--repo',
      'acme/catalog',
      '--server-url',
      assets.url,
    ];
    try {
      assets.stallAfter = 8 << 20;
      const child: ChildProcess = spawn(process.execPath, [emiBin, ...args], {
        cwd: repo.dir,
        env: { ...process.env, ...env(), OS_CLOUD: '', CI: 'true' },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await assets.stalled;
      // Glance has the image in `saving` while the bytes arrive.
      await waitFor(async () =>
        byFormat(await lineImages(record), 'ami').some((image) => image.status === 'saving'),
      );
      child.kill('SIGKILL');
      await exited;
      const leftovers = byFormat(await lineImages(record), 'ami');
      expect(leftovers).toHaveLength(1);
      expect(leftovers[0]?.status).not.toBe('active');

      assets.stallAfter = undefined;
      const run = await register(args.slice(1));
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`deleted the machine image ${leftovers[0]?.id}`);
      expect(run.stdout).toMatch(/reused the kernel image/);
      const after = byFormat(await lineImages(record), 'ami');
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({
        status: 'active',
        os_hash_value: await sha512Of(release.files.machine),
      });
      expect(
        assets.paths.some(
          (path) =>
            path ===
            `/acme/catalog/releases/download/euca-debian-emi.i386-${record.image_version}/${record.image_file}`,
        ),
      ).toBe(true);
    } finally {
      await assets.close();
    }
  });

  it('Ctrl-C during an upload deletes the image it was uploading and exits 130', async () => {
    const release = await makeSyntheticRelease(work, {
      name: 'euca-large-debian-emi',
      epoch: 1_790_000_011 + day,
      machineBytes: 24 << 20,
    });
    const record: ImageRecord = {
      ...release.record,
      artifacts: release.record.artifacts?.filter((artifact) => !artifact.name.endsWith('.tgz')),
    };
    await repo.commit(recordFiles(record), { message: 'release\n\nlarge, second\n' });
    const assets = await startAssetServer(release.dir);
    try {
      assets.stallAfter = 8 << 20;
      const child = spawn(
        process.execPath,
        [
          emiBin,
          'register',
          'euca-large-debian-emi.x86_64',
          '--cloud',
          'local',
          '--repo',
          'acme/catalog',
          '--server-url',
          assets.url,
        ],
        {
          cwd: repo.dir,
          env: { ...process.env, ...env(), OS_CLOUD: '', CI: 'true' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await assets.stalled;
      await waitFor(async () =>
        byFormat(await lineImages(record), 'ami').some((image) => image.status === 'saving'),
      );
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toMatch(/interrupted/);
      expect(byFormat(await lineImages(record), 'ami')).toEqual([]);
    } finally {
      await assets.close();
    }
  });

  it('a corruption on the way is caught by comparing with os_hash_value: the image is deleted and the run fails', async () => {
    const release = await makeSyntheticRelease(work, {
      name: 'euca-large-debian-emi',
      arch: 'i386',
      epoch: 1_790_000_037,
    });
    await repo.commit(recordFiles(release.record), { message: 'release\n\nlarge i386\n' });
    proxy.tamperUploads = true;
    try {
      const run = await register(['euca-large-debian-emi.i386', '--cloud', 'local', '--from', release.dir]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(
        /Glance's sha512 [0-9a-f]{128} differs from the [0-9a-f]{128} of the bytes sent/,
      );
    } finally {
      proxy.tamperUploads = false;
    }
    expect(await lineImages(release.record)).toEqual([]);
    expect((await readRecord(release.record)).registrations).toBeUndefined();
  });

  it('data that differs from the record is refused and deleted', async () => {
    const release = await makeSyntheticRelease(work, {
      name: 'euca-large-debian-emi',
      arch: 'i386',
      epoch: 1_790_000_041 + day,
    });
    await repo.commit(recordFiles(release.record), { message: 'release\n\nlarge i386 again\n' });
    const bytes = await readFile(release.files.kernel);
    bytes[10] = (bytes[10] as number) ^ 1;
    await writeFile(release.files.kernel, bytes);
    const run = await register(['euca-large-debian-emi.i386', '--cloud', 'local', '--from', release.dir]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/\.vmlinuz .* is not what the record lists/);
    expect(await lineImages(release.record)).toEqual([]);
  });

  it('a new version hides the previous one; a deprecated record hides its own', async () => {
    const old = await lineImages(first.record);
    const second = await makeSyntheticRelease(work, { epoch: 1_790_000_000 + day });
    latest = second;
    await repo.commit(recordFiles(second.record), { message: 'release\n\nsecond release\n' });
    const run = await register(['euca-debian-emi.x86_64', '--cloud', 'local', '--from', second.dir]);
    expect(run.exitCode).toBe(0);
    for (const image of old) expect((await client.getImage(image.id)).os_hidden).toBe(true);
    const listed = await client.listImages({ image_name: 'euca-debian-emi', image_arch: 'x86_64' });
    expect(listed.map((image) => image.image_version)).toEqual(Array(3).fill(second.record.image_version));
    const recorded = await readRecord(second.record);
    expect(recorded.registrations?.map((entry) => entry.image_id)).toEqual([byFormat(listed, 'ami')[0]?.id]);

    // Deprecation: the record's status changes, its images leave the default listing (by PATCH only).
    await repo.commit({ [recordPath(recorded)]: renderRecord({ ...recorded, status: 'deprecated' }) });
    proxy.requests.length = 0;
    const again = await register(['euca-debian-emi.x86_64', '--cloud', 'local', '--from', second.dir]);
    expect(again.exitCode).toBe(0);
    expect(proxy.writes().map((request) => request.method)).toEqual(['PATCH', 'PATCH', 'PATCH']);
    expect(await client.listImages({ image_name: 'euca-debian-emi', image_arch: 'x86_64' })).toEqual([]);
    expect(await readFile(join(repo.dir, recordPath(recorded)), 'utf8')).toContain('status: "deprecated"');
  });

  it('a record with registrations validates; a malformed one gets a located problem', async () => {
    const valid = await runEmi(['validate'], { cwd: repo.dir });
    expect(valid.stdout + valid.stderr).not.toMatch(/registrations/);
    expect(valid.exitCode).toBe(0);
    const path = recordPath(first.record);
    const text = await readFile(join(repo.dir, path), 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((line) => line.includes('registered_at'));
    lines[at] = '    registered_at: "last tuesday"';
    await writeFile(join(repo.dir, path), lines.join('\n'));
    const invalid = await runEmi(['validate', path], { cwd: repo.dir });
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stdout + invalid.stderr).toContain(`${path}:${at + 1}:`);
    expect(invalid.stdout + invalid.stderr).toMatch(/registrations\[0\]\.registered_at/);
    await writeFile(join(repo.dir, path), text);
  });

  it('--record-from records what --no-record --json runs printed, without the cloud', async () => {
    const path = recordPath(latest.record);
    const withIds = await readRecord(latest.record);
    await repo.commit({ [path]: renderRecord({ ...withIds, registrations: undefined }) });
    const run = await register([
      'euca-debian-emi.x86_64',
      '--cloud',
      'local',
      '--from',
      latest.dir,
      '--no-record',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    expect((await readRecord(latest.record)).registrations).toBeUndefined();
    const results = join(work, 'results.jsonl');
    await writeFile(results, run.stdout);
    const recorded = await runEmi(['register', '--record-from', results], {
      cwd: repo.dir,
      env: { OS_CLIENT_CONFIG_FILE: '/nonexistent' },
    });
    expect(recorded.stderr).toBe('');
    expect(recorded.exitCode).toBe(0);
    expect((await readRecord(latest.record)).registrations).toEqual(withIds.registrations);
  });

  it('answers a malformed command line with a usage error (exit 2) before it reads anything', async () => {
    const cases: [string[], RegExp][] = [
      [['bad/line', '--cloud', 'local'], /is not an image line/],
      [
        ['euca-debian-emi', '--arch', '../x', '--cloud', 'local'],
        /--arch \.\.\/x: one of x86_64, i386, aarch64/,
      ],
      [['euca-debian-emi.x86_64', '--arch', 'i386', '--cloud', 'local'], /is not on --arch i386/],
      [['euca-debian-emi.x86_64', '--cloud', 'local', '--from', latest.dir, '--release'], /two sources/],
      [['euca-debian-emi.x86_64', '--cloud', 'local', '--visibility', 'everyone'], /--visibility everyone/],
      [['--record-from', 'x.jsonl', 'euca-debian-emi.x86_64'], /takes no LINE or --cloud/],
      [[], /which image line\?/],
    ];
    for (const [args, message] of cases) {
      const run = await register(args);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.exitCode, args.join(' ')).toBe(2);
    }
    const missing = await register(['euca-debian-emi.x86_64', '--cloud', 'nowhere', '--from', latest.dir]);
    expect(missing.stderr).toMatch(/no cloud named "nowhere" \(clouds: local\)/);
    expect(missing.exitCode).toBe(1);
  });

  it('never prints a secret: not from the environment, not from Keystone, not in errors', async () => {
    const password = 'Pa55-word-from-the-environment';
    const token = 'gAAAAAB-keystone-token-0123456789';
    const keystone = await startKeystone(token, proxy.url);
    try {
      const file = join(work, 'clouds-keystone.yaml');
      await writeFile(
        file,
        [
          'clouds:',
          '  private:',
          '    auth_type: password',
          '    auth:',
          `      auth_url: ${keystone.url}/v3`,
          '      username: builder',
          '      project_name: images',
          '      user_domain_name: Default',
          '      project_domain_name: Default',
          '',
        ].join('\n'),
      );
      const secretsEnv = { OS_CLIENT_CONFIG_FILE: file, OS_PASSWORD: password };
      keystone.refuse = true;
      const refused = await runEmi(
        ['register', 'euca-debian-emi.x86_64', '--cloud', 'private', '--from', latest.dir],
        {
          cwd: repo.dir,
          env: secretsEnv,
        },
      );
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/Keystone: POST \/v3\/auth\/tokens failed with HTTP 401/);
      // The stand-in echoes the request body (the password) in its error: we must not pass it on.
      expect(keystone.bodies.at(-1)).toContain(password);

      keystone.refuse = false;
      for (const extra of [['--dry-run', '--json'], []]) {
        const run = await runEmi(
          ['register', 'euca-debian-emi.x86_64', '--cloud', 'private', '--from', latest.dir, ...extra],
          {
            cwd: repo.dir,
            env: { ...secretsEnv, OS_TOKEN: 'unused-token-from-env' },
          },
        );
        expect(run.exitCode).toBe(0);
        for (const output of [run.stdout, run.stderr, refused.stdout, refused.stderr]) {
          expect(output).not.toContain(password);
          expect(output).not.toContain(token);
          expect(output).not.toContain('unused-token-from-env');
        }
      }
      const request = JSON.parse(keystone.bodies.at(-1) ?? '{}');
      expect(request.auth.identity.password.user).toEqual({
        name: 'builder',
        domain: { name: 'Default' },
        password,
      });
    } finally {
      await keystone.close();
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface KeystoneStandIn {
  url: string;
  bodies: string[];
  refuse: boolean;
  close(): Promise<void>;
}

/**
 * Answers POST /v3/auth/tokens as the Identity API v3 reference shows (201, X-Subject-Token, a
 * catalog with an image endpoint), or refuses with 401 and, carelessly, the request echoed back.
 * Only for the secrets test: it proves nothing about real Keystone beyond the documented shapes.
 */
async function startKeystone(token: string, imageEndpoint: string): Promise<KeystoneStandIn> {
  const state = { bodies: [] as string[], refuse: false };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      state.bodies.push(body);
      if (request.method !== 'POST' || request.url !== '/v3/auth/tokens') {
        response.writeHead(404).end();
        return;
      }
      if (state.refuse) {
        response.writeHead(401, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              code: 401,
              title: 'Unauthorized',
              message: `The request you have made requires authentication: ${body}`,
            },
          }),
        );
        return;
      }
      const catalog = [
        {
          type: 'identity',
          endpoints: [{ interface: 'public', region_id: 'RegionOne', url: 'http://127.0.0.1:5000/v3' }],
        },
        {
          type: 'image',
          endpoints: [
            { interface: 'internal', region_id: 'RegionOne', url: 'http://127.0.0.1:1' },
            { interface: 'public', region_id: 'RegionOne', url: imageEndpoint },
          ],
        },
      ];
      response.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': token }).end(
        JSON.stringify({
          token: { methods: ['password'], expires_at: '2099-01-01T00:00:00.000000Z', catalog },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
