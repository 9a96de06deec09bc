/**
 * The releases recorded in the git history of EMI-IDs/: for each commit that touched a record file,
 * the file's fields after that commit. Read with one `git log -p --unified=0`, oldest first, and
 * replayed here (pure): each file's fields are carried from revision to revision, and only the
 * lines a commit added or removed change them. That keeps the log small for large catalogs.
 */

export interface RecordRevision {
  commit: string;
  /** Committer time, seconds since the epoch. */
  time: number;
  file: string;
  deleted: boolean;
  /** The record's top-level scalar fields after this commit (empty when deleted). */
  fields: Record<string, string>;
}

const scalarLine =
  /^([A-Za-z_][A-Za-z0-9_]*):[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^#\s][^#]*?))?[ \t]*(?:#.*)?$/;

const quotedValue = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseScalar(line: string): [string, string] | undefined {
  // Most lines are `key: "value"` as our tools write them: read those without the full pattern.
  const colon = line.indexOf(': "');
  if (
    colon > 0 &&
    line.endsWith('"') &&
    line.indexOf('"', colon + 3) === line.length - 1 &&
    !line.includes('\\')
  ) {
    const key = line.slice(0, colon);
    if (quotedValue.test(key)) return [key, line.slice(colon + 3, -1)];
  }
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

/**
 * Parses the output of readRecordHistoryLog (lib/git.ts) into revisions, oldest first.
 * `state` holds each file's fields before the first commit of the log (empty for a whole history)
 * and is updated to the fields after the last one.
 */
export function parseRecordHistory(
  log: string,
  state: Map<string, Record<string, string>> = new Map(),
): RecordRevision[] {
  // One pass over the lines (a 10,000-record history is some 500,000 of them): no splitting into
  // commits and sections first, and nothing allocated for a line that is not a changed field.
  const revisions: RecordRevision[] = [];
  let commit = '';
  let time = 0;
  let file: string | undefined;
  let deleted = false;
  let created = false;
  let inHunk = false;
  // A changed line shows as "-old" and "+new": a key only disappears when nothing re-adds it.
  const removed = new Set<string>();
  const added = new Map<string, string>();
  const finishFile = () => {
    if (file === undefined) return;
    const fields: Record<string, string> = deleted || created ? {} : { ...state.get(file) };
    if (!deleted) {
      for (const key of removed) if (!added.has(key)) delete fields[key];
      for (const [key, value] of added) fields[key] = value;
    }
    if (deleted) state.delete(file);
    else state.set(file, fields);
    revisions.push({ commit, time, file, deleted, fields });
    file = undefined;
  };
  let pos = log.indexOf('\0commit ');
  if (pos < 0) return revisions;
  const length = log.length;
  while (pos < length) {
    let end = log.indexOf('\n', pos);
    if (end < 0) end = length;
    const first = log.charCodeAt(pos);
    if (first === 43 /* + */ || first === 45 /* - */) {
      if (file !== undefined && inHunk && !deleted) {
        const scalar = parseScalar(log.slice(pos + 1, end));
        if (scalar) {
          if (first === 45) removed.add(scalar[0]);
          else added.set(scalar[0], scalar[1]);
        }
      }
    } else if (first === 0 && log.startsWith('\0commit ', pos)) {
      finishFile();
      const [hash = '', seconds = '0'] = log.slice(pos + 8, end).split(' ');
      commit = hash;
      time = Number(seconds);
    } else if (first === 100 /* d */ && log.startsWith('diff --git ', pos)) {
      finishFile();
      // "a/EMI-IDs/x.yaml b/EMI-IDs/x.yaml": without renames both sides are the same path.
      const header = log.slice(pos + 11, end);
      const half = header.slice(0, header.length / 2).trim();
      file = (half.startsWith('"') ? (JSON.parse(half) as string) : half).replace(/^a\//, '');
      deleted = false;
      created = false;
      inHunk = false;
      removed.clear();
      added.clear();
    } else if (file !== undefined) {
      if (first === 64 /* @ */ && log.startsWith('@@', pos)) inHunk = true;
      else if (!inHunk) {
        if (log.startsWith('deleted file mode', pos)) deleted = true;
        else if (log.startsWith('new file mode', pos)) created = true;
      }
    }
    pos = end + 1;
  }
  finishFile();
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

/** Indexes revisions (oldest first), adding to `base` when given: history read in parts. */
export function indexHistory(revisions: readonly RecordRevision[], base?: HistoryIndex): HistoryIndex {
  const stampReleases = base?.stampReleases ?? new Map<string, Release[]>();
  const versionsByFile = base?.versionsByFile ?? new Map<string, { commit: string; version: string }[]>();
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
