/**
 * Reads the history of EMI-IDs/ from one `git log -p` run (readRecordLog in lib/git.ts): for every commit, which
 * record files it added, changed, renamed or deleted, and each file's fields after the commit. The
 * context is wider than any record, so each patch holds the whole new file; a pure rename or a mode
 * change has no patch and keeps the fields the file had. Pure.
 */
import { parse as parseYaml } from 'yaml';
import { parseRecordScalars } from '../catalog/history.js';
import type { CommitPathChanges, PathChange } from '../lib/git.js';
import type { RecordArtifact } from '../schemas/generated/changelog.js';

export interface RecordLog {
  /** Oldest first, as traceLines reads it. */
  commits: CommitPathChanges[];
  /** `commit:path` → the record's top-level fields after that commit. */
  fields: Map<string, Record<string, string>>;
  /** `commit:path` → the record's artifacts after that commit, for records that list them. */
  artifacts: Map<string, RecordArtifact[]>;
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/**
 * The `artifacts:` list of a record's text: the items with a name, a sha256 and a size. Only text
 * with an `artifacts:` line is parsed as YAML; a record that does not parse has none here (the
 * catalog's validate reports it).
 */
export function parseRecordArtifacts(lines: readonly string[]): RecordArtifact[] {
  if (!lines.some((line) => line.startsWith('artifacts:'))) return [];
  let document: unknown;
  try {
    document = parseYaml(lines.join('\n'));
  } catch {
    return [];
  }
  const list = (document as { artifacts?: unknown } | null)?.artifacts;
  if (!Array.isArray(list)) return [];
  const artifacts: RecordArtifact[] = [];
  for (const item of list as unknown[]) {
    const { name, sha256, size } = (item ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof sha256 !== 'string' || !sha256Pattern.test(sha256)) continue;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) continue;
    artifacts.push({ name, sha256, size });
  }
  return artifacts;
}

const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** A path as git prints it: C-quoted (with octal bytes) when it holds unusual characters. */
export function unquotePath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return text;
  const bytes: number[] = [];
  const inner = Buffer.from(text.slice(1, -1), 'utf8');
  for (let i = 0; i < inner.length; i++) {
    const byte = inner[i] as number;
    if (byte !== 92) {
      bytes.push(byte);
      continue;
    }
    const next = String.fromCharCode(inner[i + 1] ?? 0);
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(inner.subarray(i + 1, i + 4).toString('latin1'), 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? (inner[i + 1] as number));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const stripPrefix = (path: string, prefix: string) => {
  const plain = unquotePath(path);
  return plain.startsWith(prefix) ? plain.slice(prefix.length) : plain;
};

interface Section {
  header: string;
  from?: string;
  to?: string;
  renameFrom?: string;
  renameTo?: string;
  created: boolean;
  deleted: boolean;
  oid?: string;
  content: string[];
  hasHunk: boolean;
}

export function parseRecordLog(log: string): RecordLog {
  const commits: CommitPathChanges[] = [];
  const fields = new Map<string, Record<string, string>>();
  const artifacts = new Map<string, RecordArtifact[]>();
  // The fields each path has now, for patches that carry none (pure renames, mode changes).
  const current = new Map<string, Record<string, string>>();
  const currentArtifacts = new Map<string, RecordArtifact[]>();
  for (const chunk of log.split('\0commit ').slice(1)) {
    const lines = chunk.split('\n');
    const commit = (lines[0] ?? '').trim();
    const sections: Section[] = [];
    let section: Section | undefined;
    let inHunk = false;
    for (const line of lines.slice(1)) {
      if (line.startsWith('diff --git ')) {
        section = {
          header: line.slice('diff --git '.length),
          created: false,
          deleted: false,
          content: [],
          hasHunk: false,
        };
        sections.push(section);
        inHunk = false;
      } else if (!section) {
      } else if (inHunk) {
        if (line.startsWith(' ') || line.startsWith('+')) section.content.push(line.slice(1));
      } else if (line.startsWith('@@')) {
        inHunk = true;
        section.hasHunk = true;
      } else if (line.startsWith('--- ')) {
        if (line !== '--- /dev/null') section.from = stripPrefix(line.slice(4), 'a/');
      } else if (line.startsWith('+++ ')) {
        if (line !== '+++ /dev/null') section.to = stripPrefix(line.slice(4), 'b/');
      } else if (line.startsWith('rename from ')) section.renameFrom = unquotePath(line.slice(12));
      else if (line.startsWith('rename to ')) section.renameTo = unquotePath(line.slice(10));
      else if (line.startsWith('new file mode')) section.created = true;
      else if (line.startsWith('deleted file mode')) section.deleted = true;
      else if (line.startsWith('index ')) {
        const match = /^index [0-9a-f]+\.\.([0-9a-f]+)/.exec(line);
        if (match) section.oid = match[1];
      }
    }
    const changes: PathChange[] = [];
    for (const part of sections) {
      // Without ---/+++ lines (mode change) both halves of the header name the same path.
      const half = part.header.slice(0, (part.header.length - 1) / 2);
      const headerPath = stripPrefix(half, 'a/');
      const from = part.renameFrom ?? part.from ?? headerPath;
      const path = part.renameTo ?? part.to ?? (part.deleted ? from : headerPath);
      const oid = part.oid && !/^0+$/.test(part.oid) ? { oid: part.oid } : {};
      if (part.deleted) {
        changes.push({ status: 'D', path: from });
        current.delete(from);
        currentArtifacts.delete(from);
        continue;
      }
      const renamed = part.renameFrom !== undefined && part.renameTo !== undefined;
      const after = part.hasHunk ? parseRecordScalars(part.content) : (current.get(from) ?? {});
      const listed = part.hasHunk ? parseRecordArtifacts(part.content) : (currentArtifacts.get(from) ?? []);
      if (renamed) {
        changes.push({ status: 'R', from, path, ...oid });
        current.delete(from);
        currentArtifacts.delete(from);
      } else changes.push({ status: part.created ? 'A' : 'M', path, ...oid });
      current.set(path, after);
      currentArtifacts.set(path, listed);
      fields.set(`${commit}:${path}`, after);
      if (listed.length > 0) artifacts.set(`${commit}:${path}`, listed);
    }
    commits.push({ commit, changes });
  }
  return { commits, fields, artifacts };
}
