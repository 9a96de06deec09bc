#!/usr/bin/env node
// Benchmark of emi register against Debian's glance-api on loopback (SQLite, file store, no auth):
// the upload throughput of our streamed PUT /v2/images/{id}/file (with the SHA-512 and SHA-256 it
// computes on the way and the check against os_hash_value) beside `curl --data-binary @file` of the
// same file to the same endpoint in the same run (the anchor), and the wall time of a whole
// `emi register` of the standard image (kernel, ramdisk, root filesystem, record write).
//   node bench/register.bench.mjs [--image DIR] [--runs N (3)]
// DIR is an artifact folder of the standard image (default: $EMI_TEST_STANDARD_IMAGE's built.json,
// else test-output/standard-image/built.json, as the tests leave it). Needs `npm run build`.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startGlance } from '../test/helpers/glance-server.mjs';
import { report } from './lib/figures.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => import(join(root, 'dist', path));
const { GlanceClient } = await dist('tools/cloud/glance-client.js');
const { localParts } = await dist('tools/cloud/image-sources.js');
const { uploadPart } = await dist('tools/cloud/upload-part.js');
const { renderRecord, recordPath } = await dist('tools/catalog/record-files.js');

const { values } = parseArgs({
  options: { image: { type: 'string' }, runs: { type: 'string', default: '3' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be 1 or more, not "${values.runs}"`);

async function findImage() {
  const candidates = [
    process.env.EMI_TEST_STANDARD_IMAGE && join(process.env.EMI_TEST_STANDARD_IMAGE, 'built.json'),
    join(root, 'test-output', 'standard-image', 'built.json'),
  ].filter(Boolean);
  for (const file of candidates) {
    const built = await readFile(file, 'utf8').catch(() => undefined);
    if (built) return JSON.parse(built).image;
  }
  throw new Error(
    'no standard image: give --image DIR, or run the root tests (or set EMI_TEST_STANDARD_IMAGE)',
  );
}

const image = await findImage();
const dir = values.image ?? image.dir;
const record = image.record;
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const glance = await startGlance();
const work = await mkdtemp(join(tmpdir(), 'emi-register-bench-'));
try {
  const client = new GlanceClient({ endpoint: glance.url });
  const parts = await localParts(record, dir);
  const fields = (name) => ({ name, disk_format: 'raw', container_format: 'bare' });
  // curl --data-binary reads the file into memory and refuses one over 1 GB, so it gets the tarball
  // (130 MB); the 1.4 GB image is compared with curl -T (curl's streamed upload) instead.
  const files = [
    { path: join(dir, `${record.image_file.replace(/\.img$/, '')}.tgz`), curl: '--data-binary' },
    { path: parts.machine.origin, curl: '--upload-file' },
  ];
  const rows = [];
  for (const file of files) {
    const bytes = (await stat(file.path)).size;
    const part = {
      role: 'machine',
      file: file.path.split('/').pop(),
      origin: file.path,
      open: async () => ({ stream: createReadStream(file.path), size: bytes }),
    };
    const ours = [];
    const curl = [];
    for (let index = 0; index < runs; index++) {
      // Alternate which goes first, so neither always meets a warm page cache.
      for (const which of index % 2 === 0 ? ['ours', 'curl'] : ['curl', 'ours']) {
        if (which === 'ours') {
          const result = await uploadPart(client, part, fields('bench-ours'));
          ours.push(result.ms / 1000);
          await client.deleteImage(result.image.id);
        } else {
          const created = await client.createImage(fields('bench-curl'));
          const started = process.hrtime.bigint();
          const body =
            file.curl === '--data-binary' ? ['--data-binary', `@${file.path}`] : ['--upload-file', file.path];
          await run('curl', [
            '--silent',
            '--fail',
            '--request',
            'PUT',
            '--header',
            'Content-Type: application/octet-stream',
            ...body,
            `${glance.url}/v2/images/${created.id}/file`,
          ]);
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          curl.push(ms / 1000);
          await client.deleteImage(created.id);
        }
      }
    }
    // Seconds per upload (the figures compare times); MB/s for the lines printed below.
    const rate = (seconds) => bytes / 1e6 / seconds;
    rows.push({
      file: part.file,
      bytes,
      curlOption: file.curl,
      ours: ours.map(rate),
      curl: curl.map(rate),
      seconds: { ours, curl },
    });
  }

  // A whole registration, through the CLI, in a catalog made for the purpose.
  const catalog = join(work, 'catalog');
  await mkdir(join(catalog, 'EMI-IDs'), { recursive: true });
  await cp(join(root, 'recipes'), join(catalog, 'recipes'), { recursive: true });
  await writeFile(join(catalog, recordPath(record)), renderRecord(record));
  const git = (args) => run('git', args, { cwd: catalog, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  await git(['init', '--quiet', '--initial-branch=main']);
  await git(['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'add', '--all']);
  await git([
    '-c',
    'user.name=bench',
    '-c',
    'user.email=bench@example.invalid',
    '-c',
    'core.hooksPath=/dev/null',
    'commit',
    '--quiet',
    '-m',
    'bench\n\nthe standard record\n',
  ]);
  const clouds = join(work, 'clouds.yaml');
  await writeFile(
    clouds,
    `clouds:\n  bench:\n    auth_type: none\n    image_endpoint_override: ${glance.url}\n`,
  );
  const started = process.hrtime.bigint();
  await run(
    process.execPath,
    [
      join(root, 'bin', 'emi.js'),
      'register',
      `${record.image_name}.${record.image_arch}`,
      '--cloud',
      'bench',
      '--from',
      dir,
    ],
    { cwd: catalog, env: { ...process.env, OS_CLIENT_CONFIG_FILE: clouds, CI: 'true' } },
  );
  const registerSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  let allBytes = 0;
  for (const role of ['kernel', 'ramdisk', 'machine']) allBytes += (await stat(parts[role].origin)).size;

  const mb = (value) => `${value.toFixed(0)} MB/s`;
  console.log(
    `glance-api ${glance.url} (file store in ${tmpdir()}), load average ${loadavg()[0].toFixed(1)}`,
  );
  for (const row of rows) {
    console.log(
      `upload of ${row.file} (${(row.bytes / 1e6).toFixed(0)} MB) to the same endpoint, median of ${runs}:`,
    );
    console.log(
      `  emi (streamed PUT, sha512 + sha256, os_hash_value check)  ${mb(median(row.ours))}   runs: ${row.ours.map(mb).join(', ')}`,
    );
    console.log(
      `  ${`curl ${row.curlOption === '--data-binary' ? '--data-binary @file' : '--upload-file file'} (anchor)`.padEnd(57)}${mb(median(row.curl))}   runs: ${row.curl.map(mb).join(', ')}`,
    );
    console.log(
      `  emi / curl                                               ${(median(row.ours) / median(row.curl)).toFixed(2)}`,
    );
  }
  console.log(
    `emi register of the standard image (3 images, ${(allBytes / 1e6).toFixed(0)} MB, record written): ${registerSeconds.toFixed(1)} s`,
  );
  report('register', [
    ...rows.map((row, index) => ({
      id: `register.upload-${index}`,
      label: `upload of ${row.file} (${(row.bytes / 1e6).toFixed(0)} MB) to Glance`,
      unit: 's',
      samples: row.seconds.ours,
      anchor: {
        label: `curl ${row.curlOption === '--data-binary' ? '--data-binary' : '--upload-file'}`,
        samples: row.seconds.curl,
      },
      target: { none: true, why: 'compared with curl; no target set' },
    })),
    {
      id: 'register.standard',
      label: `emi register of the standard image (3 images, ${(allBytes / 1e6).toFixed(0)} MB)`,
      unit: 's',
      samples: [registerSeconds],
      target: { none: true, why: 'no target set' },
    },
  ]);
} finally {
  await glance.stop();
  await rm(work, { recursive: true, force: true });
}
