/**
 * Parses a YAML file from untrusted input into plain data while keeping source positions, so that
 * every later problem (schema, rules) can be reported as file:line:column.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Problem, Result } from './problems.js';

/** Records are a few hundred bytes and recipes a few KiB: anything this big is a mistake. */
export const maxYamlBytes = 1024 * 1024;

export interface YamlSource {
  file: string;
  value: unknown;
  /** The 1-based line and column of the node at `path`, or of its nearest existing parent. */
  locate(path: readonly (string | number)[], which?: 'value' | 'key'): { line: number; column: number };
}

export function isBinary(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

export function parseYamlSource(file: string, input: string | Uint8Array): Result<YamlSource> {
  const problem = (message: string, line = 1, column = 1): Result<YamlSource> => ({
    ok: false,
    problems: [{ file, line, column, path: '', message }],
  });
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.length > maxYamlBytes) {
    const mib = (bytes.length / (1024 * 1024)).toFixed(1);
    return problem(`file is ${mib} MiB: far too large for this format (limit ${maxYamlBytes / 1024} KiB)`);
  }
  if (isBinary(bytes)) return problem('file is binary (NUL bytes or invalid UTF-8), not YAML text');
  const text = typeof input === 'string' ? input : Buffer.from(bytes).toString('utf8');
  if (text.trim() === '') return problem('file is empty');

  const flat = parseFlatQuotedMapping(file, text);
  if (flat) return { ok: true, value: flat };

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    schema: 'core',
    strict: true,
  });
  const parseProblems: Problem[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0]);
    const message =
      error.code === 'DUPLICATE_KEY' ? 'duplicate key: each field may appear once' : firstLine(error.message);
    return { file, line: pos.line, column: pos.col, path: '', message: `YAML: ${message}` };
  });
  if (parseProblems.length > 0) return { ok: false, problems: parseProblems };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return problem(`YAML: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return problem('expected a mapping of field: value lines at the top level');
  }

  const position = (node: Node | null | undefined) => {
    const offset = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const locate: YamlSource['locate'] = (path, which = 'value') => {
    let node: unknown = doc.contents;
    let best = position(doc.contents as Node);
    for (const [index, part] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === part);
        if (!pair) return best;
        if (index === path.length - 1 && which === 'key') return position(pair.key as Node);
        node = pair.value;
        best = position((pair.value as Node | null) ?? (pair.key as Node));
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part];
        if (!item) return best;
        node = item;
        best = position(item as Node);
      } else {
        return best;
      }
    }
    return best;
  };
  return { ok: true, value: { file, value, locate } };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: lines with control characters take the full parser
const flatLine = /^([A-Za-z_][A-Za-z0-9_]*): "([^"\\\x00-\x1f]*)"$/;

/**
 * The fast path for the files our own tools write (records): nothing but `key: "value"` lines with
 * unique keys and no escapes. Such text means exactly this to any YAML parser, so it is read with a
 * line split instead of a full parse: a catalog of ten thousand records validates in a fraction of
 * the time. Anything else (comments, lists, escapes, duplicates) returns undefined: full parse.
 */
function parseFlatQuotedMapping(file: string, text: string): YamlSource | undefined {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const value: Record<string, string> = {};
  const positions = new Map<string, number>();
  for (const [index, line] of lines.entries()) {
    const match = flatLine.exec(line);
    if (!match) return undefined;
    const key = match[1] as string;
    if (positions.has(key)) return undefined;
    value[key] = match[2] as string;
    positions.set(key, index + 1);
  }
  const locate: YamlSource['locate'] = (path, which = 'value') => {
    const key = path[0];
    const line = typeof key === 'string' ? positions.get(key) : undefined;
    if (typeof key !== 'string' || line === undefined || path.length > 1) return { line: 1, column: 1 };
    return { line, column: which === 'key' ? 1 : key.length + 3 };
  };
  return { file, value, locate };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
