// Debian's glance-api (OpenStack's real image service) on loopback, for the tests
// (test/helpers/glance.ts) and the register benchmark (bench/register.bench.mjs): SQLite database
// (glance-manage db_sync, done once per installed version into a template under test-output/glance/
// and copied), a file store in a temp folder, no authentication (the empty paste_deploy flavor: its
// pipeline sets an unauthenticated context), a free port. Nothing is read from /etc/glance (its
// files are root:glance 0640): the config and paste files are written to the temp folder, so a
// plain user can run it too. Plain JavaScript so that the benchmark, which runs without a
// TypeScript loader, shares it; glance-server.d.mts gives the tests its types.
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const toolkit = fileURLToPath(new URL('../..', import.meta.url));

/** The default (no auth, no cache) pipeline of Debian's glance-api-paste.ini. */
const pasteIni = `[pipeline:glance-api]
pipeline = cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler unauthenticated-context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:healthcheck]
paste.filter_factory = oslo_middleware:Healthcheck.factory
backends = disable_by_file
disable_by_file_path = /nonexistent/healthcheck_disable

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:unauthenticated-context]
paste.filter_factory = glance.api.middleware.context:UnauthenticatedContextMiddleware.factory

[filter:osprofiler]
paste.filter_factory = osprofiler.web:WsgiMiddleware.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = glance
oslo_config_program = glance-api

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory
`;

function apiConf(dir, port, database) {
  return `[DEFAULT]
bind_host = 127.0.0.1
bind_port = ${port}
workers = 0
enabled_backends = file:file
use_stderr = false
log_file = ${join(dir, 'glance-api.log')}
debug = false
[database]
connection = sqlite:///${database}
[paste_deploy]
flavor =
config_file = ${join(dir, 'glance-api-paste.ini')}
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = ${join(dir, 'store')}
[os_glance_staging_store]
filesystem_store_datadir = ${join(dir, 'staging')}
[os_glance_tasks_store]
filesystem_store_datadir = ${join(dir, 'tasks')}
[oslo_concurrency]
lock_path = ${join(dir, 'lock')}
`;
}

export async function hasGlance() {
  return (await stat('/usr/bin/glance-api').catch(() => undefined)) !== undefined;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** glance-manage db_sync runs ~60 migrations (half a minute on a busy machine): once per version. */
async function templateDatabase() {
  // `dpkg-query -W` prints "glance-api<TAB>version".
  const listed = await run('dpkg-query', ['-W', 'glance-api']).then(
    (result) => result.stdout,
    () => '',
  );
  const version = (listed.trim().split('\t')[1] ?? '').replace(/[^A-Za-z0-9.+~-]/g, '_');
  const home = join(toolkit, 'test-output', 'glance');
  await mkdir(home, { recursive: true });
  const template = join(home, `template-${version || 'unknown'}.sqlite`);
  if (await stat(template).catch(() => undefined)) return template;
  const lock = `${template}.lock`;
  for (let waited = 0; ; waited += 500) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch {
      if (await stat(template).catch(() => undefined)) return template;
      if (waited > 5 * 60 * 1000) await rm(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    const work = await mkdtemp(join(tmpdir(), 'emi-glance-db-'));
    const database = join(work, 'glance.sqlite');
    await writeFile(join(work, 'glance-api.conf'), apiConf(work, 9292, database));
    await run('glance-manage', ['--config-file', join(work, 'glance-api.conf'), 'db_sync'], {
      timeout: 10 * 60 * 1000,
    });
    await copyFile(database, `${template}.tmp`);
    await rename(`${template}.tmp`, template);
    await rm(work, { recursive: true, force: true });
    return template;
  } finally {
    await rm(lock, { force: true });
  }
}

async function waitUntilUp(url, child, logFile) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`glance-api exited (${child.exitCode ?? child.signalCode}):\n${log.slice(-3000)}`);
    }
    try {
      const response = await fetch(`${url}/v2/images?limit=1`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`glance-api did not answer on ${url} within 90 s`);
}

export async function startGlance() {
  const template = await templateDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'emi-glance-'));
  for (const sub of ['store', 'staging', 'tasks', 'lock']) await mkdir(join(dir, sub));
  const database = join(dir, 'glance.sqlite');
  await copyFile(template, database);
  await writeFile(join(dir, 'glance-api-paste.ini'), pasteIni);
  const logFile = join(dir, 'glance-api.log');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    await writeFile(join(dir, 'glance-api.conf'), apiConf(dir, port, database));
    const output = await open(join(dir, 'glance-api.out'), 'a');
    const child = spawn('glance-api', ['--config-file', join(dir, 'glance-api.conf')], {
      stdio: ['ignore', output.fd, output.fd],
    });
    await output.close();
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilUp(url, child, logFile);
    } catch (error) {
      child.kill('SIGKILL');
      if (attempt < 2 && /Address already in use|EADDRINUSE/.test(String(error))) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    };
    return { url, port, dir, storeDir: join(dir, 'store'), logFile, stop };
  }
}
