/**
 * `emi plan --refresh`: does the archive have a newer version of any package in the image? Reads
 * the recipe's suites from the mirror the builder would use, the way apt does: InRelease (or
 * Release with Release.gpg) verified with gpgv against the archive keyring, then each Packages
 * index checked against the size and SHA256 the signed Release lists. Anything unreadable,
 * unsigned or inconsistent is an error for the line, never a silent "up to date".
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packagesPath } from '../catalog/record-files.js';
import { compareDebianVersions } from '../lib/debian-version.js';
import { UserError } from '../lib/errors.js';
import { runCommand } from '../lib/exec.js';
import type { AptSource } from './apt-sources.js';
import { parsePackageManifest } from './package-manifest.js';
import type { PackageUpdate, RefreshLine } from './plan-rebuilds.js';
import { debianArch, resolveRecipe } from './resolve-recipe.js';

export interface ArchiveOptions {
  /** --mirror */
  mirror?: string;
  /** --keyring: the keyring gpgv checks Release files with (default: the distribution's). */
  keyring?: string;
  env: Record<string, string | undefined>;
  hostSources: readonly AptSource[];
  timeoutMs?: number;
}

/** The newest version of each package of one suite (all its components), for one arch. */
export type SuiteIndex = Map<string, string>;

/** Hides a password in a URL before it is shown. */
function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//…@');
}

async function download(url: string, timeoutMs: number, missingOk = false): Promise<Buffer | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UserError(
      `cannot read ${redact(url)}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  if (response.status === 404 && missingOk) return undefined;
  if (!response.ok) throw new UserError(`cannot read ${redact(url)}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The Release text, verified with gpgv against the keyring (InRelease first, as apt does). */
export async function fetchVerifiedRelease(
  base: string,
  suite: string,
  keyring: string,
  timeoutMs: number,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'emi-release-'));
  try {
    const inRelease = await download(`${base}/dists/${suite}/InRelease`, timeoutMs, true);
    let args: string[];
    if (inRelease) {
      await writeFile(join(dir, 'InRelease'), inRelease);
      args = ['--keyring', keyring, '--output', join(dir, 'Release'), join(dir, 'InRelease')];
    } else {
      const release = await download(`${base}/dists/${suite}/Release`, timeoutMs);
      const signature = await download(`${base}/dists/${suite}/Release.gpg`, timeoutMs);
      await writeFile(join(dir, 'Release'), release ?? '');
      await writeFile(join(dir, 'Release.gpg'), signature ?? '');
      args = ['--keyring', keyring, join(dir, 'Release.gpg'), join(dir, 'Release')];
    }
    const result = await runCommand('gpgv', args, { reject: false, env: { LC_ALL: 'C' } });
    if (result.exitCode !== 0) {
      const why = result.stderr.trim().split('\n').slice(-2).join('; ');
      throw new UserError(
        `the Release file of ${suite} at ${redact(base)} is not signed by a key of ${keyring}: ${why || `gpgv exited with ${result.exitCode}`}`,
      );
    }
    return await readFile(join(dir, 'Release'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `path → {sha256, size}` from the SHA256 field of a Release file. */
export function parseReleaseHashes(release: string): Map<string, { sha256: string; size: number }> {
  const hashes = new Map<string, { sha256: string; size: number }>();
  let inSha256 = false;
  for (const line of release.split('\n')) {
    if (/^\S/.test(line)) {
      inSha256 = /^SHA256:\s*$/.test(line);
      continue;
    }
    if (!inSha256) continue;
    const match = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (match) hashes.set(match[3] as string, { sha256: match[1] as string, size: Number(match[2]) });
  }
  return hashes;
}

function releaseField(release: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(release);
  return match?.[1]?.trim();
}

/** Package → version of a Packages index (the newest when a package is listed twice). */
export function parsePackagesIndex(text: string, into: SuiteIndex = new Map()): SuiteIndex {
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const version = /^Version:\s*(\S+)/m.exec(stanza)?.[1];
    if (!name || !version) continue;
    const known = into.get(name);
    if (known === undefined || compareDebianVersions(version, known) > 0) into.set(name, version);
  }
  return into;
}

async function decompress(path: string, bytes: Buffer): Promise<string> {
  if (path.endsWith('.gz')) return gunzipSync(bytes).toString('utf8');
  if (path.endsWith('.xz')) {
    const result = await runCommand('xz', ['-dc'], { input: bytes, binary: true });
    return Buffer.from(result.stdoutBytes ?? new Uint8Array()).toString('utf8');
  }
  return bytes.toString('utf8');
}

/** Every package of a suite for an arch, read and checked as described above. */
export async function readSuiteIndex(input: {
  base: string;
  suite: string;
  components: readonly string[];
  arch: string;
  keyring: string;
  timeoutMs: number;
}): Promise<SuiteIndex> {
  const { base, suite, timeoutMs } = input;
  const release = await fetchVerifiedRelease(base, suite, input.keyring, timeoutMs);
  const validUntil = releaseField(release, 'Valid-Until');
  if (validUntil && Date.parse(validUntil) < Date.now())
    throw new UserError(`the Release file of ${suite} at ${redact(base)} expired on ${validUntil}`);
  const hashes = parseReleaseHashes(release);
  const index: SuiteIndex = new Map();
  for (const component of input.components) {
    const stem = `${component}/binary-${input.arch}/Packages`;
    const path = [`${stem}.xz`, `${stem}.gz`, stem].find((candidate) => hashes.has(candidate));
    if (!path) throw new UserError(`the Release file of ${suite} at ${redact(base)} lists no ${stem} index`);
    const expected = hashes.get(path) as { sha256: string; size: number };
    const bytes = (await download(`${base}/dists/${suite}/${path}`, timeoutMs)) ?? Buffer.alloc(0);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== expected.size || sha256 !== expected.sha256)
      throw new UserError(
        `${redact(base)}/dists/${suite}/${path} does not match its Release file (${bytes.length} bytes, sha256 ${sha256.slice(0, 16)}…; listed: ${expected.size} bytes, ${expected.sha256.slice(0, 16)}…): the mirror is inconsistent or being updated`,
      );
    parsePackagesIndex(await decompress(path, bytes), index);
  }
  return index;
}

/** The packages of the image with a newer version in the suites, security suites first. */
export function findUpdates(
  installed: readonly { name: string; version: string }[],
  suites: readonly { suite: string; index: SuiteIndex }[],
): PackageUpdate[] {
  const updates: PackageUpdate[] = [];
  for (const pkg of installed) {
    const name = pkg.name.replace(/:[a-z0-9-]+$/, '');
    let best: { version: string; suite: string } | undefined;
    for (const { suite, index } of suites) {
      const version = index.get(name);
      if (version === undefined) continue;
      if (!best || compareDebianVersions(version, best.version) > 0) best = { version, suite };
    }
    if (best && compareDebianVersions(best.version, pkg.version) > 0)
      updates.push({ name: pkg.name, from: pkg.version, to: best.version, suite: best.suite });
  }
  const rank = (update: PackageUpdate) => (/-security$/.test(update.suite) ? 0 : 1);
  return updates.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The refresh step of the plan: one archive read per suite and arch, shared by every line. */
export function createArchiveRefresh(options: ArchiveOptions): RefreshLine {
  const cache = new Map<string, Promise<SuiteIndex>>();
  const timeoutMs = options.timeoutMs ?? 60_000;
  return async ({ recipe, line, arch, manifest }) => {
    const file = packagesPath({ image_name: line, image_arch: arch });
    if (manifest === undefined)
      throw new UserError(
        `${file} is missing: without the image's package list the archive cannot be compared (rebuild with --force)`,
      );
    const installed = parsePackageManifest(manifest);
    const resolved = resolveRecipe(recipe, {
      ...(options.mirror === undefined ? {} : { mirror: options.mirror }),
      env: options.env,
      hostSources: options.hostSources,
    });
    const keyring = options.keyring ?? resolved.keyring;
    const suites: { suite: string; index: SuiteIndex }[] = [];
    for (const source of resolved.sources) {
      for (const suite of source.suites) {
        const key = JSON.stringify([source.uri, suite, source.components, arch, keyring]);
        let pending = cache.get(key);
        if (!pending) {
          pending = readSuiteIndex({
            base: source.uri,
            suite,
            components: source.components,
            arch: debianArch(arch),
            keyring,
            timeoutMs,
          });
          pending.catch(() => {});
          cache.set(key, pending);
        }
        suites.push({ suite, index: await pending });
      }
    }
    return findUpdates(installed, suites);
  };
}
