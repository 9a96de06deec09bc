/**
 * The releases recorded in the git history of EMI-IDs/: for each commit that touched a record file,
 * the file's fields after that commit. Read with one `git log -p` whose context is large enough to
 * hold whole record files, then parsed here (pure).
 */

/** Context lines for `git log -p`: more than any record file has, so each hunk shows the whole file. */
export const historyContextLines = 400;

export interface RecordRevision {
  commit: string;
  /** Committer time, seconds since the epoch. */
  time: number;
  file: string;
  deleted: boolean;
  /** The record's top-level scalar fields after this commit (empty when deleted). */
  fields: Record<string, string>;
}

export const historyLogArgs = [
  '--reverse',
  '--no-renames',
  '--no-color',
  '--no-ext-diff',
  '--format=%x00commit %H %ct',
  '-p',
  `-U${historyContextLines}`,
];

const scalarLine =
  /^([A-Za-z_][A-Za-z0-9_]*):[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^#\s][^#]*?))?[ \t]*(?:#.*)?$/;

function parseScalar(line: string): [string, string] | undefined {
  const match = scalarLine.exec(line);
  if (!match) return undefined;
  const [, key, doubled, single, plain] = match;
  if (doubled !== undefined) {
    try {
      return [key as string, JSON.parse(`"${doubled}"`) as string];
    } catch {
      return [key as string, doubled];
    }
  }
  return [key as string, single ?? plain ?? ''];
}

/**
 * The top-level scalar fields of a record file as renderRecord writes it (one `key: "value"` per
 * line), without a YAML parser: fast enough for every revision in a long history.
 */
export function parseRecordScalars(text: string | readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of typeof text === 'string' ? text.split('\n') : text) {
    // Only a line that starts with a key can be a top-level scalar.
    if (!/^[A-Za-z_]/.test(line)) continue;
    const scalar = parseScalar(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (scalar) fields[scalar[0]] = scalar[1];
  }
  return fields;
}

/** Parses the output of `git log <historyLogArgs> -- EMI-IDs/` into revisions, oldest first. */
export function parseRecordHistory(log: string): RecordRevision[] {
  const revisions: RecordRevision[] = [];
  for (const chunk of log.split('\0commit ').slice(1)) {
    const newline = chunk.indexOf('\n');
    const [commit = '', time = '0'] = (newline < 0 ? chunk : chunk.slice(0, newline)).split(' ');
    const body = newline < 0 ? '' : chunk.slice(newline + 1);
    for (const section of body.split(/^diff --git /m).slice(1)) {
      const lines = section.split('\n');
      const header = lines[0] ?? '';
      // "a/EMI-IDs/x.yaml b/EMI-IDs/x.yaml": without renames both sides are the same path.
      const half = header.slice(0, header.length / 2).trim();
      const file = (half.startsWith('"') ? (JSON.parse(half) as string) : half).replace(/^a\//, '');
      const deleted = lines.some((line) => line.startsWith('deleted file mode'));
      const fields: Record<string, string> = {};
      if (!deleted) {
        let inHunk = false;
        for (const line of lines) {
          if (line.startsWith('@@')) {
            inHunk = true;
            continue;
          }
          if (!inHunk || !(line.startsWith(' ') || line.startsWith('+'))) continue;
          const scalar = parseScalar(line.slice(1));
          if (scalar) fields[scalar[0]] = scalar[1];
        }
      }
      revisions.push({ commit, time: Number(time), file, deleted, fields });
    }
  }
  return revisions;
}

export interface Release {
  file: string;
  version: string;
  commit: string;
}

export interface HistoryIndex {
  /** Every (file, version) a stamp was recorded with. */
  stampReleases: Map<string, Release[]>;
  /** Each record file's version after each commit that changed it, oldest first. */
  versionsByFile: Map<string, { commit: string; version: string }[]>;
}

export function indexHistory(revisions: readonly RecordRevision[]): HistoryIndex {
  const stampReleases = new Map<string, Release[]>();
  const versionsByFile = new Map<string, { commit: string; version: string }[]>();
  for (const revision of revisions) {
    if (revision.deleted) continue;
    const { image_stamp: stamp, image_version: version } = revision.fields;
    if (version !== undefined) {
      const versions = versionsByFile.get(revision.file) ?? [];
      if (versions.at(-1)?.version !== version) versions.push({ commit: revision.commit, version });
      versionsByFile.set(revision.file, versions);
    }
    if (stamp !== undefined) {
      const releases = stampReleases.get(stamp) ?? [];
      const release = { file: revision.file, version: version ?? '', commit: revision.commit };
      if (!releases.some((r) => r.file === release.file && r.version === release.version))
        releases.push(release);
      stampReleases.set(stamp, releases);
    }
  }
  return { stampReleases, versionsByFile };
}
