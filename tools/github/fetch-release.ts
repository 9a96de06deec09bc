/**
 * Downloads a recorded image's published release and verifies every file against the record read
 * from git (the record's artifacts by size and sha256; SHA256SUMS by its lines, which must equal the
 * record; build.json by its SHA256SUMS line). Files are staged in a hidden folder inside the
 * destination and renamed into place only when all are verified: a mismatch, an error or Ctrl-C
 * removes the stage, and a stage left by a killed run is removed by the next one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageRecord } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import type { GitHubClient, RepositoryRef } from './github-api.js';
import {
  artifactBase,
  checksumsFile,
  type ExpectedAsset,
  manifestFile,
  parseSha256Sums,
  recordAssets,
  reportAssetName,
} from './release-assets.js';
import { releaseTag } from './release-tag.js';

export const fetchStagePrefix = '.emi-fetch-';

export type FetchEvent =
  | { type: 'file'; name: string; size: number; state: 'start' }
  | { type: 'progress'; name: string; bytes: number; size: number }
  | { type: 'file'; name: string; size: number; state: 'verified'; sha256: string; ms: number };

export interface FetchOptions {
  client: GitHubClient;
  repo: RepositoryRef;
  record: ImageRecord;
  /** The folder to download into; the image's files go to <to>/<image_file without .img>/. */
  to: string;
  signal?: AbortSignal;
  onEvent?: (event: FetchEvent) => void;
}

export interface FetchResult {
  tag: string;
  dir: string;
  /** Each verified file, with the time its download and check took (ms). */
  files: { name: string; size: number; sha256: string; ms: number }[];
  bytes: number;
  ms: number;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes stages of fetches that no longer run (killed with SIGKILL, or the machine went down). */
export async function removeStaleStages(to: string): Promise<void> {
  for (const name of await readdir(to).catch(() => [] as string[])) {
    const match = new RegExp(`^${fetchStagePrefix.replace('.', '\\.')}(\\d+)-[0-9a-f]+$`).exec(name);
    if (match && !isAlive(Number(match[1]))) await rm(join(to, name), { recursive: true, force: true });
  }
}

export async function fetchRelease(options: FetchOptions): Promise<FetchResult> {
  const { client, repo, record } = options;
  const started = performance.now();
  const tag = releaseTag(record);
  const expected = recordAssets(record);
  const release = await client.getReleaseByTag(repo, tag);
  if (!release)
    throw new UserError(
      `${repo.owner}/${repo.name} has no published release ${tag}: the image is recorded but not released yet (emi release)`,
    );
  const byName = new Map(release.assets.map((asset) => [asset.name, asset]));
  for (const name of [checksumsFile, manifestFile, ...expected.map((a) => a.name)])
    if (byName.get(name)?.state !== 'uploaded')
      throw new UserError(`release ${tag} has no ${name}: it does not match the record`);

  // What GitHub says about each file, checked before any byte is downloaded.
  for (const want of expected) {
    const asset = byName.get(want.name);
    if (
      asset &&
      (asset.size !== want.size || (asset.digest !== null && asset.digest !== `sha256:${want.sha256}`))
    )
      throw new UserError(
        `release ${tag}: ${want.name} is ${asset.size} bytes with digest ${asset.digest ?? 'none'}; the record says ${want.size} bytes and sha256:${want.sha256}: refused, nothing downloaded`,
      );
  }

  // The first folder this makes, if any: removed again on failure, so nothing is left behind.
  const made = await mkdir(options.to, { recursive: true });
  await removeStaleStages(options.to);
  const stage = join(options.to, `${fetchStagePrefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(stage);
  const files: FetchResult['files'] = [];
  try {
    const download = async (want: ExpectedAsset) => {
      const asset = byName.get(want.name);
      if (!asset) throw new UserError(`release ${tag} has no ${want.name}`);
      const fileStarted = performance.now();
      options.onEvent?.({ type: 'file', name: want.name, size: want.size, state: 'start' });
      const { body } = await client.downloadAsset(asset, options.signal);
      const hash = createHash('sha256');
      let bytes = 0;
      let lastReport = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          if (bytes > want.size)
            return done(new UserError(`${want.name}: the download is longer than ${want.size} bytes`));
          const now = performance.now();
          if (now - lastReport > 100) {
            lastReport = now;
            options.onEvent?.({ type: 'progress', name: want.name, bytes, size: want.size });
          }
          done(null, chunk);
        },
      });
      await pipeline(body, meter, createWriteStream(join(stage, want.name), { flags: 'wx', mode: 0o644 }), {
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const sha256 = hash.digest('hex');
      if (bytes !== want.size || sha256 !== want.sha256)
        throw new UserError(
          `${want.name} from release ${tag} is ${bytes} bytes with sha256 ${sha256}; the record says ${want.size} bytes and ${want.sha256}: refused, nothing kept`,
        );
      const ms = performance.now() - fileStarted;
      options.onEvent?.({ type: 'file', name: want.name, size: bytes, state: 'verified', sha256, ms });
      files.push({ name: want.name, size: bytes, sha256, ms: Math.round(ms * 10) / 10 });
    };

    // SHA256SUMS first: its lines must equal the record, and it vouches for build.json. Its own
    // size and sha256 come from GitHub's listing and are checked against its content below.
    const sumsAsset = byName.get(checksumsFile);
    const sumsDigest = sumsAsset?.digest?.replace(/^sha256:/, '');
    const sumsPath = join(stage, checksumsFile);
    const sumsStarted = performance.now();
    {
      const { body } = await client.downloadAsset(sumsAsset as NonNullable<typeof sumsAsset>, options.signal);
      await pipeline(body, createWriteStream(sumsPath, { flags: 'wx', mode: 0o644 }), {
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    const sumsText = await readFile(sumsPath);
    const sumsSha = createHash('sha256').update(sumsText).digest('hex');
    if (sumsDigest && sumsDigest !== sumsSha)
      throw new UserError(
        `${checksumsFile} of release ${tag} does not match GitHub's digest: refused, nothing kept`,
      );
    const sums = parseSha256Sums(sumsText.toString('utf8'), `${checksumsFile} of release ${tag}`);
    const reportName = reportAssetName(record);
    for (const artifact of record.artifacts ?? []) {
      const listed = sums.get(artifact.name);
      // The boot report is made after SHA256SUMS; the record vouches for it, a line is optional.
      if (listed === undefined && artifact.name === reportName) continue;
      if (listed !== artifact.sha256)
        throw new UserError(
          `${checksumsFile} of release ${tag} disagrees with the record about ${artifact.name}: refused, nothing kept`,
        );
    }
    files.push({
      name: checksumsFile,
      size: sumsText.length,
      sha256: sumsSha,
      ms: Math.round((performance.now() - sumsStarted) * 10) / 10,
    });
    const manifestSha = sums.get(manifestFile);
    const manifestAsset = byName.get(manifestFile);
    if (!manifestSha)
      throw new UserError(`${checksumsFile} of release ${tag} has no line for ${manifestFile}`);
    for (const want of [
      ...expected,
      { name: manifestFile, sha256: manifestSha, size: manifestAsset?.size ?? 0 },
    ])
      await download(want);

    const dir = join(options.to, artifactBase(record));
    const existing = await stat(dir).catch(() => undefined);
    if (existing) {
      const aside = join(options.to, `${fetchStagePrefix}${process.pid}-${randomBytes(4).toString('hex')}`);
      await rename(dir, aside);
      await rename(stage, dir);
      await rm(aside, { recursive: true, force: true });
    } else await rename(stage, dir);
    return {
      tag,
      dir,
      files,
      bytes: files.reduce((sum, file) => sum + file.size, 0),
      ms: performance.now() - started,
    };
  } catch (error) {
    await rm(stage, { recursive: true, force: true });
    if (made !== undefined) await rm(made, { recursive: true, force: true });
    throw error;
  }
}
