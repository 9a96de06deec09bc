/**
 * The standard x86_64 debian-based image, built once per test run with the real builder and shared
 * by every test that needs it (the builder's end-to-end test, the boot check). It is built from a
 * catalog repository made for the purpose under test-output/ (this repository's recipes, no
 * records), with the package cache in test-output/build-cache/, shared by every build of the run.
 * A later run reuses the image while the recipes and the builder's sources are unchanged.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { parseRecord } from '../../tools/catalog/parse-record.js';
import type { ImageRecord } from '../../tools/catalog/record-files.js';
import type { BuildEvent } from '../../tools/image-build/events.js';
import { runCommand } from '../../tools/lib/exec.js';
import { toolkitPath } from '../../tools/lib/paths.js';
import { isolatedGitEnv } from './git-repo.js';
import { skipRootTests } from './root-tests.js';
import { emiBin } from './run-emi.js';

export const testOutput = toolkitPath('test-output');
export const buildCache = join(testOutput, 'build-cache');
const home = join(testOutput, 'standard-image');

export interface StandardImage {
  /** The catalog repository the image was built from; its EMI-IDs/ holds the record. */
  catalog: string;
  outDir: string;
  cacheDir: string;
  /** The artifact folder, <outDir>/<image_file without .img>. */
  dir: string;
  record: ImageRecord;
  events: BuildEvent[];
  /** Wall time of the build, ms. */
  buildMs: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true }).catch(() => [])) as string[];
  const files: string[] = [];
  for (const name of names.sort()) if ((await stat(join(dir, name))).isFile()) files.push(join(dir, name));
  return files;
}

/** Changes when the recipes or the builder change, so a stale image is never reused. */
async function sourceKey(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['recipes', 'tools', 'scripts']) {
    for (const file of await filesUnder(toolkitPath(dir))) {
      hash.update(`${file}\0${(await stat(file)).mode & 0o111}\0`);
      hash.update(await readFile(file));
    }
  }
  return hash.digest('hex');
}

/** Waits for an exclusive lock file; vitest runs test files in parallel processes. */
async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60 * 60 * 1000;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      let alive = false;
      try {
        if (owner > 0) alive = process.kill(owner, 0);
      } catch {}
      if (owner > 0 && !alive) await rm(path, { force: true });
      else if (Date.now() > deadline) throw new Error(`${path} is still held by pid ${owner}`);
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

/** A catalog repository with this repository's recipes (modes kept) and no records. */
export async function makeCatalog(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(toolkitPath('recipes'), join(dir, 'recipes'), { recursive: true, verbatimSymlinks: true });
  const env = isolatedGitEnv(dir);
  const git = (args: string[]) => runCommand('git', args, { cwd: dir, env });
  await git(['init', '--quiet', '--initial-branch=main']);
  await git(['config', 'core.hooksPath', '/dev/null']);
  await git(['config', 'commit.gpgsign', 'false']);
  await git(['add', '--all']);
  await git(['commit', '--quiet', '-m', 'recipes\n\nthe recipes of the toolkit, for the test build\n']);
}

export function parseEvents(stdout: string): { events: BuildEvent[]; result?: unknown } {
  const events: BuildEvent[] = [];
  let result: unknown;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { type: string };
    if (parsed.type === 'result') result = parsed;
    else events.push(parsed as BuildEvent);
  }
  return { events, result };
}

/**
 * Before a file's tests, when root tests run: builds (or reuses) the standard image and hands it to
 * `use`. Elsewhere describeAsRoot says why the tests need root, or skips them.
 */
export function beforeAllStandardImage(use: (image: StandardImage) => void | Promise<void>): void {
  beforeAll(
    async () => {
      if (process.getuid?.() !== 0 || skipRootTests) return;
      await use(await standardImage());
    },
    60 * 60 * 1000,
  );
}

/** Builds the standard image (or reuses this run's or an identical earlier one). */
export async function standardImage(): Promise<StandardImage> {
  // A development shortcut: reuse a standard image built elsewhere (its folder holds built.json),
  // whatever the sources now, e.g. one image shared by several working copies. Never set in CI.
  const shared = process.env.EMI_TEST_STANDARD_IMAGE;
  if (shared && !process.env.CI) {
    const built = JSON.parse(await readFile(join(shared, 'built.json'), 'utf8')) as { image: StandardImage };
    return built.image;
  }
  await mkdir(home, { recursive: true });
  return withLock(join(testOutput, 'standard-image.lock'), async () => {
    const key = await sourceKey();
    const marker = join(home, 'built.json');
    const previous = JSON.parse(await readFile(marker, 'utf8').catch(() => '{}')) as {
      key?: string;
      image?: StandardImage;
    };
    if (previous.key === key && previous.image && (await stat(previous.image.dir).catch(() => undefined)))
      return previous.image;

    await rm(marker, { force: true });
    const catalog = join(home, 'catalog');
    const outDir = join(home, 'out');
    await rm(outDir, { recursive: true, force: true });
    await makeCatalog(catalog);
    const started = Date.now();
    const args = ['build', 'debian-based', '--line', 'euca-debian-emi', '--arch', 'x86_64'];
    const run = await runCommand(
      process.execPath,
      [emiBin, ...args, '--out', outDir, '--cache', buildCache, '--json'],
      {
        cwd: catalog,
        reject: false,
        env: { CI: 'true', GITHUB_ACTIONS: undefined },
        timeoutMs: 40 * 60 * 1000,
      },
    );
    const buildMs = Date.now() - started;
    if (run.exitCode !== 0)
      throw new Error(
        `emi ${args.join(' ')} failed (${run.exitCode}):\n${run.stderr}\n${run.stdout.slice(-4000)}`,
      );
    const { events } = parseEvents(run.stdout);
    const built = events.find((event) => event.type === 'image');
    if (built?.type !== 'image') throw new Error('the build reported no image');
    const recordFile = 'EMI-IDs/euca-debian-emi.x86_64.yaml';
    const parsed = parseRecord(recordFile, await readFile(join(catalog, recordFile)));
    if (!parsed.ok) throw new Error(`the build wrote an invalid record: ${JSON.stringify(parsed.problems)}`);
    const image: StandardImage = {
      catalog,
      outDir,
      cacheDir: buildCache,
      dir: built.dir,
      record: parsed.value.record,
      events,
      buildMs,
    };
    await writeFile(marker, `${JSON.stringify({ key, image }, null, 2)}\n`);
    return image;
  });
}
