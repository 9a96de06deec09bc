#!/usr/bin/env node
// Benchmark of publishing and fetching the standard x86_64 image through the local GitHub API of the
// tests (test/helpers/github-api: every request validated against GitHub's OpenAPI description,
// releases in memory, uploads and downloads on the same loopback server):
// - `emi release` of the image: wall time, bytes uploaded and requests, then the re-run (no writes);
// - `emi fetch` throughput in MB/s beside `curl` downloading the same tarball from the same server in
//   the same run (the anchor); emi's figure includes hashing and verifying against the record.
// Needs `npm run build` and a built standard image: the one of the tests (test-output/standard-image)
// or EMI_TEST_STANDARD_IMAGE=DIR (a folder with built.json).
//   node bench/release.bench.mjs [--runs N (3)]
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { report } from './lib/figures.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be 1 or more, not "${values.runs}"`);

const work = join(root, 'bench', 'output', 'release');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });

// The fake GitHub is TypeScript under test/: compile it (it imports only node and openapi-backend).
const tsc = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '--outDir',
    join(work, 'js'),
    '--rootDir',
    root,
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2023',
    '--skipLibCheck',
    '--types',
    'node',
    join(root, 'test', 'helpers', 'github-api', 'fake-github.ts'),
  ],
  { encoding: 'utf8' },
);
if (tsc.status !== 0) throw new Error(`compiling the fake GitHub failed:\n${tsc.stdout}${tsc.stderr}`);
const { startFakeGitHub } = await import(
  pathToFileURL(join(work, 'js', 'test', 'helpers', 'github-api', 'fake-github.js')).href
);

const shared = process.env.EMI_TEST_STANDARD_IMAGE;
const builtJson = shared
  ? join(shared, 'built.json')
  : join(root, 'test-output', 'standard-image', 'built.json');
const built = JSON.parse(await readFile(builtJson, 'utf8').catch(() => 'null'));
if (!built?.image)
  throw new Error(
    `no standard image at ${builtJson}: run test/github/release-standard-image.test.ts as root first, or set EMI_TEST_STANDARD_IMAGE`,
  );
const image = built.image;

// The record committed in a copy of the catalog it was built from (the record job's commit).
const catalog = join(work, 'catalog');
await cp(image.catalog, catalog, { recursive: true, verbatimSymlinks: true });
const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
};
for (const args of [
  ['add', 'EMI-IDs', 'image-ids'],
  [
    'commit',
    '--quiet',
    '--allow-empty',
    '--no-verify',
    '-m',
    'euca-debian-emi x86_64\n\nThe standard image.\n',
  ],
])
  spawnSync('git', args, { cwd: catalog, env: gitEnv, stdio: 'inherit' });

const token = 'ghs_BenchToken0123456789abcdefABCDEF0123';
const fake = await startFakeGitHub({ tokens: { [token]: 'write' } });
const env = {
  ...process.env,
  CI: 'true',
  GITHUB_ACTIONS: '',
  GITHUB_API_URL: fake.apiUrl,
  GITHUB_SERVER_URL: fake.apiUrl,
  GITHUB_REPOSITORY: `${fake.owner}/${fake.repo}`,
  GITHUB_TOKEN: token,
  GH_TOKEN: '',
};
// Asynchronous: the API answers from this process, so it must not block while emi runs.
const runProcess = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
const emi = async (args, extraEnv = {}) => {
  const started = performance.now();
  const result = await runProcess(process.execPath, [join(root, 'bin', 'emi.js'), ...args], {
    cwd: catalog,
    env: { ...env, ...extraEnv },
  });
  if (result.status !== 0)
    throw new Error(`emi ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return { ms: performance.now() - started, stdout: result.stdout };
};
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const byOperation = (requests) => {
  const counts = new Map();
  for (const request of requests) counts.set(request.operationId, (counts.get(request.operationId) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${op.replace(/^repos\//, '')} ${n}`).join(', ');
};

try {
  const releaseArgs = [
    'release',
    '--line',
    'euca-debian-emi',
    '--arch',
    'x86_64',
    '--from',
    image.outDir,
    '--json',
  ];
  const first = await emi(releaseArgs);
  const firstRequests = [...fake.requests];
  const uploaded = firstRequests.reduce((sum, request) => sum + request.bytes, 0);
  const mark = fake.requests.length;
  const again = await emi(releaseArgs);
  const againRequests = fake.requests.slice(mark);
  const writes = againRequests.filter((request) => request.method !== 'GET').length;
  if (fake.violations.length > 0)
    throw new Error(`the API saw invalid requests:\n${fake.violations.join('\n')}`);

  // The tarball, as emi fetch downloads it: the asset's API URL redirects to the storage URL.
  const release = fake.releases[0];
  const tarballName = image.record.image_file.replace(/\.img$/, '.tgz');
  const tarball = release.assets.find((asset) => asset.name === tarballName);
  const curlRates = [];
  const curlSeconds = [];
  const fetchSeconds = [];
  const fetchRates = [];
  const fetchAllRates = [];
  for (let run = 0; run < runs; run++) {
    const target = join(work, `curl-${run}`);
    const curl = await runProcess('curl', [
      '--silent',
      '--show-error',
      '--fail',
      '--location',
      '--header',
      'Accept: application/octet-stream',
      '--output',
      target,
      '--write-out',
      '%{size_download} %{time_total}',
      `${fake.apiUrl}/repos/${fake.owner}/${fake.repo}/releases/assets/${tarball.id}`,
    ]);
    if (curl.status !== 0) throw new Error(`curl failed: ${curl.stderr}`);
    const [bytes, seconds] = curl.stdout.trim().split(' ').map(Number);
    if (bytes !== tarball.bytes.length) throw new Error(`curl got ${bytes} bytes of ${tarball.bytes.length}`);
    curlRates.push(bytes / seconds / 1e6);
    curlSeconds.push(seconds);
    await rm(target, { force: true });

    const to = join(work, `fetch-${run}`);
    const fetched = JSON.parse(
      (
        await emi(['fetch', 'euca-debian-emi', '--arch', 'x86_64', '--to', to, '--json'], {
          GITHUB_TOKEN: '',
        })
      ).stdout,
    );
    const file = fetched.files.find((f) => f.name === tarballName);
    fetchRates.push(file.size / file.ms / 1e3);
    fetchSeconds.push(file.ms / 1000);
    fetchAllRates.push(fetched.bytes / fetched.ms / 1e3);
    await rm(to, { recursive: true, force: true });
  }

  console.log(
    `release and fetch of ${image.record.image_file.replace(/\.img$/, '')} (raw .img not an asset) against the local GitHub API, ${runs} fetch runs`,
  );
  console.log('');
  console.log('emi release                 time      uploaded    requests');
  console.log(
    `  first run (publish)     ${(first.ms / 1000).toFixed(1).padStart(6)} s  ${mb(uploaded).padStart(7)} MB  ${String(firstRequests.length).padStart(4)}  (${byOperation(firstRequests)})`,
  );
  console.log(
    `  re-run (nothing to do)  ${(again.ms / 1000).toFixed(1).padStart(6)} s  ${mb(0).padStart(7)} MB  ${String(againRequests.length).padStart(4)}  (${writes} writes)`,
  );
  console.log('');
  console.log(
    `download of ${tarballName} (${mb(tarball.bytes.length)} MB), same loopback server, median of ${runs}`,
  );
  console.log(`  curl (anchor)                       ${median(curlRates).toFixed(0).padStart(5)} MB/s`);
  console.log(`  emi fetch (download + sha256 check) ${median(fetchRates).toFixed(0).padStart(5)} MB/s`);
  console.log(
    `  emi fetch, whole release (${fake.releases[0].assets.length} files)  ${median(fetchAllRates).toFixed(0).padStart(5)} MB/s (incl. API lookups, git read)`,
  );
  report('release', [
    {
      id: 'release.publish',
      label: 'emi release of the standard image (local GitHub API)',
      unit: 's',
      samples: [first.ms / 1000],
      target: { none: true, why: 'no target set' },
      note: `${mb(uploaded)} MB uploaded in ${firstRequests.length} requests; the re-run took ${(again.ms / 1000).toFixed(1)} s with ${writes} writes`,
    },
    {
      id: 'release.fetch',
      label: `emi fetch of the ${mb(tarball.bytes.length)} MB tarball (download + sha256)`,
      unit: 's',
      samples: fetchSeconds,
      anchor: { label: 'curl, same server', samples: curlSeconds },
      target: { none: true, why: 'compared with curl; no target set' },
    },
  ]);
} finally {
  await fake.close();
  await rm(work, { recursive: true, force: true });
}
