/**
 * Splits a commit message body (the release notes) into paragraphs, lists and preformatted blocks,
 * so each renderer can show it natively (HTML, Markdown, Atom) without interpreting anything else
 * in it: no HTML, links or emphasis from git ever become markup. Pure.
 */

export type NoteBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'code'; text: string };

const fencePattern = /^ {0,3}(`{3,}|~{3,})/;
const listPattern = /^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const isBlank = (line: string) => line.trim() === '';
const isIndented = (line: string) => /^( {4}|\t)/.test(line);

function dedent(lines: string[]): string {
  const widths = lines.filter((line) => !isBlank(line)).map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const cut = Math.min(...widths);
  return lines.map((line) => line.slice(Math.min(cut, line.length))).join('\n');
}

const parsed = new Map<string, NoteBlock[]>();

/** parseNotes, once per distinct body: every format shows the same notes. */
export function notesOf(body: string): NoteBlock[] {
  let blocks = parsed.get(body);
  if (!blocks) {
    blocks = parseNotes(body);
    // Bounded: a long-running process must not keep every body it ever rendered.
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(body, blocks);
  }
  return blocks;
}

export function parseNotes(body: string): NoteBlock[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const blocks: NoteBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = fencePattern.exec(line);
    if (fence) {
      const marker = fence[1] as string;
      const inner: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] as string).trimStart().startsWith(marker))
        inner.push(lines[i++] as string);
      i++;
      blocks.push({ kind: 'code', text: inner.join('\n') });
      continue;
    }
    if (isIndented(line)) {
      const inner: string[] = [];
      while (i < lines.length && (isIndented(lines[i] as string) || isBlank(lines[i] as string)))
        inner.push(lines[i++] as string);
      while (inner.length > 0 && isBlank(inner.at(-1) as string)) inner.pop();
      blocks.push({ kind: 'code', text: dedent(inner) });
      continue;
    }
    const item = listPattern.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1] as string);
      const items: string[] = [];
      while (i < lines.length) {
        const current = lines[i] as string;
        const next = listPattern.exec(current);
        if (next && /\d/.test(next[1] as string) === ordered) items.push((next[2] as string).trim());
        else if (next || isBlank(current) || fencePattern.test(current)) {
          // A blank line ends the list unless the list goes on right after it.
          if (!isBlank(current)) break;
          let ahead = i + 1;
          while (ahead < lines.length && isBlank(lines[ahead] as string)) ahead++;
          const resumed = listPattern.exec(lines[ahead] ?? '');
          if (!resumed || /\d/.test(resumed[1] as string) !== ordered) break;
          i = ahead;
          continue;
        } else items[items.length - 1] = `${items.at(-1)} ${current.trim()}`;
        i++;
      }
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    const text: string[] = [];
    while (
      i < lines.length &&
      !isBlank(lines[i] as string) &&
      !listPattern.test(lines[i] as string) &&
      !fencePattern.test(lines[i] as string)
    )
      text.push((lines[i++] as string).trim());
    blocks.push({ kind: 'paragraph', text: text.join(' ') });
  }
  return blocks;
}
