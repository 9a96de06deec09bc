/**
 * Small synthetic releases for `emi register` tests: a kernel, an initrd and a root filesystem of
 * random bytes (a few MB, so uploads take milliseconds), the Eucalyptus-layout sparse tarball of
 * them, and a record that lists all four with their sizes and SHA-256, as a build would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ImageRecord } from '../../tools/catalog/record-files.js';
import { runCommand } from '../../tools/lib/exec.js';
import { makeRecord } from './catalog-fixtures.js';

export interface SyntheticRelease {
  record: ImageRecord;
  /** The artifact folder: <base>.img, .tgz, .vmlinuz, .initrd. */
  dir: string;
  files: { kernel: string; ramdisk: string; machine: string; tarball: string };
}

export const sha512Of = async (path: string) =>
  createHash('sha512')
    .update(await readFile(path))
    .digest('hex');
const sha256Of = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

export async function makeSyntheticRelease(
  parent: string,
  options: { name?: string; arch?: ImageRecord['image_arch']; epoch: number; machineBytes?: number },
): Promise<SyntheticRelease> {
  const base = makeRecord({
    epoch: options.epoch,
    ...(options.name ? { name: options.name } : {}),
    ...(options.arch ? { arch: options.arch } : {}),
  });
  const stem = base.image_file.replace(/\.img$/, '');
  const dir = join(parent, stem);
  const layout = join(parent, `${stem}.layout`);
  await mkdir(join(layout, 'kvm-kernel'), { recursive: true });
  await mkdir(dir, { recursive: true });
  const files = {
    kernel: join(dir, `${stem}.vmlinuz`),
    ramdisk: join(dir, `${stem}.initrd`),
    machine: join(dir, `${stem}.img`),
    tarball: join(dir, `${stem}.tgz`),
    // A built record lists its boot check's report (validate requires it); register does not read it.
    report: join(dir, `${stem}.verify.json`),
  };
  const kernel = randomBytes(300 * 1024);
  const initrd = randomBytes(500 * 1024);
  // Random data with a run of zeros in the middle, as a filesystem image has: the tarball stores it sparse.
  const size = options.machineBytes ?? 6 * 1024 * 1024;
  const machine = Buffer.alloc(size);
  randomBytes(Math.floor(size / 3)).copy(machine, 0);
  randomBytes(Math.floor(size / 3)).copy(machine, size - Math.floor(size / 3));
  await writeFile(files.kernel, kernel);
  await writeFile(files.ramdisk, initrd);
  await writeFile(files.machine, machine);
  await writeFile(files.report, `${JSON.stringify({ ok: true, checks: [] })}\n`);
  await writeFile(join(layout, 'kvm-kernel', 'vmlinuz-6.1.0-test-amd64'), kernel);
  await writeFile(join(layout, 'kvm-kernel', 'initrd.img-6.1.0-test-amd64'), initrd);
  await writeFile(join(layout, base.image_file), machine);
  await runCommand('tar', [
    '--create',
    `--file=${files.tarball}`,
    '--gzip',
    '--format=gnu',
    '--sparse',
    `--directory=${layout}`,
    'kvm-kernel',
    base.image_file,
  ]);
  const artifacts = [];
  for (const path of [files.machine, files.tarball, files.kernel, files.ramdisk, files.report]) {
    const name = path.slice(dir.length + 1);
    artifacts.push({ name, sha256: await sha256Of(path), size: (await readFile(path)).length });
  }
  const record: ImageRecord = {
    ...base,
    recipe_digest: `sha256:${createHash('sha256').update(String(options.epoch)).digest('hex')}`,
    artifacts,
  };
  return { record, dir, files };
}

export interface AssetServer {
  url: string;
  paths: string[];
  /** Send this many bytes of a .img asset, then nothing more (the connection stays open). */
  stallAfter: number | undefined;
  stalled: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves a release's files at /acme/catalog/releases/download/<tag>/<asset>, as github.com does
 * (GITHUB_REPOSITORY acme/catalog); `stallAfter` makes a download of a .img stop midway.
 */
export async function startAssetServer(dir: string): Promise<AssetServer> {
  let markStalled: () => void = () => {};
  const state = {
    paths: [] as string[],
    stallAfter: undefined as number | undefined,
    stalled: new Promise<void>((resolve) => {
      markStalled = resolve;
    }),
  };
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    state.paths.push(path);
    const match = /^\/acme\/catalog\/releases\/download\/[^/]+\/([A-Za-z0-9._-]+)$/.exec(path);
    if (!match) {
      response.writeHead(404).end('Not Found');
      return;
    }
    readFile(join(dir, match[1] as string)).then(
      (content) => {
        response.writeHead(200, {
          'content-length': content.length,
          'content-type': 'application/octet-stream',
        });
        if (state.stallAfter !== undefined && path.endsWith('.img')) {
          response.write(content.subarray(0, state.stallAfter), () => markStalled());
          return;
        }
        response.end(content);
      },
      () => response.writeHead(404).end('Not Found'),
    );
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
