/**
 * The files of a release, taken from an artifact folder and checked against the record before
 * anything is sent: the tarball, the .img.zst when built, the kernel, the initrd, the .packages
 * manifest and the boot check's report (each with the record's name, size and sha256), build.json
 * (its record and its SHA256SUMS line) and SHA256SUMS (a line for every record artifact, equal to
 * the record). The raw .img is not a release asset (the large image's is 4.5 GB); a file at or over
 * GitHub's per-asset limit is an error here, before any release is created.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecord } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';

/** "Each file included in a release must be under 2 GiB" (GitHub, About releases). */
export const assetSizeLimit = 2 * 1024 ** 3;

export interface LocalAsset {
  name: string;
  path: string;
  size: number;
  sha256: string;
  /** What vouches for the expected checksum. */
  checkedAgainst: 'record' | 'SHA256SUMS' | 'boot report';
}

export interface ExpectedAsset {
  name: string;
  size: number;
  sha256: string;
}

export const checksumsFile = 'SHA256SUMS';
export const manifestFile = 'build.json';
/** Where the boot check leaves its report today; i13a makes it `<base>.verify.json`, a record artifact. */
export const legacyReportFile = 'verify.json';

/** image_file without .img (or .tgz): the stem of every artifact name and the folder's name. */
export function artifactBase(record: Pick<ImageRecord, 'image_file'>): string {
  return record.image_file.replace(/\.(img|tgz)$/, '');
}

export function reportAssetName(record: Pick<ImageRecord, 'image_file'>): string {
  return `${artifactBase(record)}.verify.json`;
}

/** The record's artifacts that are release assets: all but the raw image. */
export function recordAssets(record: ImageRecord): ExpectedAsset[] {
  if (!record.artifacts || record.artifacts.length === 0)
    throw new UserError(
      `the record of ${record.image_name} ${record.image_arch} ${record.image_version} lists no artifacts: only an image built by emi build can be released`,
    );
  const raw = `${artifactBase(record)}.img`;
  return record.artifacts.filter((artifact) => artifact.name !== raw);
}

export async function sha256Of(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, {
    highWaterMark: 4 * 1024 * 1024,
    ...(signal ? { signal } : {}),
  }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `<hex>  <name>` lines (sha256sum's format, `*` for binary mode allowed). */
export function parseSha256Sums(text: string, file: string): Map<string, string> {
  const sums = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new UserError(`${file}:${index + 1}: not a "<sha256>  <name>" line`);
    sums.set(match[2] as string, match[1] as string);
  });
  return sums;
}

async function fileFacts(dir: string, name: string): Promise<{ path: string; size: number } | undefined> {
  const path = join(dir, name);
  const facts = await lstat(path).catch(() => undefined);
  if (!facts) return undefined;
  if (!facts.isFile()) throw new UserError(`${path} is not a regular file`);
  return { path, size: facts.size };
}

function assertUnderLimit(path: string, size: number): void {
  if (size >= assetSizeLimit)
    throw new UserError(
      `${path} is ${size} bytes: GitHub takes release assets under 2 GiB (${assetSizeLimit} bytes), so it cannot be released`,
    );
}

/** The release's files in upload order (SHA256SUMS last), every one checked; throws on the first defect. */
export async function collectReleaseAssets(
  dir: string,
  record: ImageRecord,
  signal?: AbortSignal,
): Promise<LocalAsset[]> {
  const expected = recordAssets(record);
  const assets: LocalAsset[] = [];
  const found = new Map<string, { path: string; size: number }>();
  // Sizes first, so a file over the limit or a missing one stops us before any hashing.
  for (const name of [...expected.map((artifact) => artifact.name), manifestFile, checksumsFile]) {
    const facts = await fileFacts(dir, name);
    if (!facts) throw new UserError(`${join(dir, name)} is missing: the artifact folder is incomplete`);
    assertUnderLimit(facts.path, facts.size);
    found.set(name, facts);
  }
  const reportName = reportAssetName(record);
  const listsReport = expected.some((artifact) => artifact.name === reportName);
  const legacyReport = listsReport ? undefined : await fileFacts(dir, legacyReportFile);
  if (legacyReport) assertUnderLimit(legacyReport.path, legacyReport.size);

  for (const artifact of expected) {
    const facts = found.get(artifact.name) as { path: string; size: number };
    if (facts.size !== artifact.size)
      throw new UserError(
        `${facts.path} is ${facts.size} bytes, the record says ${artifact.size}: it is not the recorded file`,
      );
    const sha256 = await sha256Of(facts.path, signal);
    if (sha256 !== artifact.sha256)
      throw new UserError(`${facts.path} has sha256 ${sha256}, the record says ${artifact.sha256}`);
    assets.push({ name: artifact.name, ...facts, sha256, checkedAgainst: 'record' });
  }

  if (legacyReport) {
    const text = await readFile(legacyReport.path, 'utf8');
    let report: { ok?: unknown; image_file?: unknown };
    try {
      report = JSON.parse(text) as typeof report;
    } catch {
      throw new UserError(`${legacyReport.path} is not JSON: it is not a boot check report`);
    }
    if (report.image_file !== record.image_file)
      throw new UserError(
        `${legacyReport.path} reports on ${String(report.image_file)}, not ${record.image_file}`,
      );
    if (report.ok !== true) throw new UserError(`${legacyReport.path} says the boot check did not pass`);
    const sha256 = createHash('sha256').update(text).digest('hex');
    assets.push({
      name: reportName,
      path: legacyReport.path,
      size: Buffer.byteLength(text),
      sha256,
      checkedAgainst: 'boot report',
    });
  }

  const sumsFacts = found.get(checksumsFile) as { path: string; size: number };
  const sums = parseSha256Sums(await readFile(sumsFacts.path, 'utf8'), sumsFacts.path);
  for (const artifact of record.artifacts ?? []) {
    const listed = sums.get(artifact.name);
    // The boot report is made after SHA256SUMS; the record vouches for it, a line is optional.
    if (listed === undefined && artifact.name === reportName) continue;
    if (listed !== artifact.sha256)
      throw new UserError(
        listed === undefined
          ? `${sumsFacts.path} has no line for ${artifact.name}`
          : `${sumsFacts.path}: ${artifact.name} has ${listed}, the record says ${artifact.sha256}`,
      );
  }

  const manifestFacts = found.get(manifestFile) as { path: string; size: number };
  const manifestText = await readFile(manifestFacts.path);
  let manifest: { record?: Partial<Record<string, unknown>> };
  try {
    manifest = JSON.parse(manifestText.toString('utf8')) as typeof manifest;
  } catch {
    throw new UserError(`${manifestFacts.path} is not JSON`);
  }
  for (const field of [
    'image_name',
    'image_version',
    'image_arch',
    'image_file',
    'image_stamp',
    'image_date',
  ] as const)
    if (manifest.record?.[field] !== record[field])
      throw new UserError(
        `${manifestFacts.path}: record.${field} is ${JSON.stringify(manifest.record?.[field])}, the record says ${JSON.stringify(record[field])}`,
      );
  const manifestSha = createHash('sha256').update(manifestText).digest('hex');
  const listedManifest = sums.get(manifestFile);
  if (listedManifest !== undefined && listedManifest !== manifestSha)
    throw new UserError(
      `${manifestFacts.path} has sha256 ${manifestSha}, ${sumsFacts.path} says ${listedManifest}`,
    );
  assets.push({
    name: manifestFile,
    ...manifestFacts,
    sha256: manifestSha,
    checkedAgainst: listedManifest === undefined ? 'record' : 'SHA256SUMS',
  });
  assets.push({
    name: checksumsFile,
    ...sumsFacts,
    sha256: await sha256Of(sumsFacts.path, signal),
    checkedAgainst: 'record',
  });
  return assets;
}
