/**
 * Records as git has them (the source of truth): the current record of a line at HEAD, a given
 * version of it from the record file's history, or every current record.
 */
import { parseRecord } from '../catalog/parse-record.js';
import { type ImageRecord, isRecordPath, recordPath } from '../catalog/record-files.js';
import { UsageError, UserError } from '../lib/errors.js';
import { listCommitsTouching, listTreeFiles, readBlobs } from '../lib/git.js';
import { recordsDir } from '../lib/paths.js';
import { formatProblem } from '../lib/problems.js';

const linePattern = /^[a-z0-9]([a-z0-9.]|-(?!-))*-emi$/;

function parsed(path: string, content: Buffer | undefined, where: string): ImageRecord {
  if (!content) throw new UserError(`${where} has no ${path}`);
  const result = parseRecord(path, content);
  if (!result.ok)
    throw new UserError(
      `${path} at ${where} is not a valid record:\n${result.problems.map(formatProblem).join('\n')}`,
    );
  return result.value.record;
}

/** The record files at HEAD. */
export async function listRecordPaths(root: string): Promise<string[]> {
  return (await listTreeFiles(root, 'HEAD', recordsDir)).filter(isRecordPath).sort();
}

export async function currentRecords(root: string): Promise<ImageRecord[]> {
  const paths = await listRecordPaths(root);
  const blobs = await readBlobs(
    root,
    paths.map((path) => `HEAD:${path}`),
  );
  return paths.map((path) => parsed(path, blobs.get(`HEAD:${path}`), 'HEAD'));
}

/** LINE as `<image_name>` or `<image_name>.<arch>`, with --arch; the arch is asked for when ambiguous. */
export async function resolveLine(
  root: string,
  line: string,
  arch: string | undefined,
): Promise<{ image_name: string; image_arch: string }> {
  let name = line;
  let lineArch = arch;
  const dotted = /^(.+-emi)\.([a-z0-9_]+)$/.exec(line);
  if (dotted) {
    name = dotted[1] as string;
    if (arch !== undefined && arch !== dotted[2])
      throw new UsageError(`${line} names arch ${dotted[2]}, but --arch is ${arch}`);
    lineArch = dotted[2];
  }
  if (!linePattern.test(name))
    throw new UsageError(`"${line}" is not an image line (<image_name>, ending in -emi)`);
  const paths = await listRecordPaths(root);
  const arches = paths
    .map((path) => path.slice(recordsDir.length + 1, -'.yaml'.length))
    .filter((id) => id.startsWith(`${name}.`) && !id.slice(name.length + 1).includes('.'))
    .map((id) => id.slice(name.length + 1));
  if (arches.length === 0) throw new UserError(`there is no record of ${name} in ${recordsDir}/ at HEAD`);
  if (lineArch === undefined) {
    if (arches.length > 1) throw new UsageError(`${name} has records for ${arches.join(', ')}: pass --arch`);
    lineArch = arches[0] as string;
  }
  if (!arches.includes(lineArch))
    throw new UserError(`${name} has no record for ${lineArch}: its arches are ${arches.join(', ')}`);
  return { image_name: name, image_arch: lineArch };
}

/** The record of a line at HEAD, or the version asked for from the record file's history. */
export async function recordOf(
  root: string,
  line: { image_name: string; image_arch: string },
  version: string | undefined,
): Promise<ImageRecord> {
  const path = recordPath(line);
  if (version === undefined)
    return parsed(path, (await readBlobs(root, [`HEAD:${path}`])).get(`HEAD:${path}`), 'HEAD');
  const commits = await listCommitsTouching(root, path);
  const blobs = await readBlobs(
    root,
    commits.map((commit) => `${commit}:${path}`),
  );
  const seen: string[] = [];
  for (const commit of commits) {
    const content = blobs.get(`${commit}:${path}`);
    if (!content) continue;
    const result = parseRecord(path, content);
    if (!result.ok) continue;
    if (result.value.record.image_version === version) return result.value.record;
    seen.push(result.value.record.image_version);
  }
  throw new UserError(
    `${line.image_name} ${line.image_arch} has no version ${version} in the history of ${path}${seen.length ? `: it has ${[...new Set(seen)].join(', ')}` : ''}`,
  );
}
