/**
 * Markdown from untrusted text: every character that could start markup is escaped with a
 * backslash (CommonMark lets any ASCII punctuation be escaped), so a commit message shows as the
 * words it holds, never as HTML, links, headings or code. Pure.
 */
import type { NoteBlock } from './notes.js';
import { cleanText } from './text.js';

const inlineSpecials = /[\\`*_[\]<>&|~]/g;

/** One line of plain text as Markdown inline content. */
/** Printable characters that mean nothing to Markdown inside a line (no control characters). */
const quiet = "[!-%'-)+-;=?-Z^a-{}\\u00a0-\\ud7ff\\ue000-\\ufdcf\\ufdf0-\\ufffd]";
/** Words of such characters, one space apart, starting with a letter or digit: safe as they are. */
const plain = new RegExp(`^[A-Za-z0-9(]${quiet}*(?: ${quiet}+)*$`);
/** An ordered list marker: up to nine digits, `.` or `)`, then a space or the end. */
const listMarker = /^(\d{1,9})([.)])(?=\s|$)/;

export function markdownText(text: string): string {
  // Most text is plain words: nothing to escape, nothing to fold.
  if (plain.test(text) && !listMarker.test(text)) return text;
  const line = cleanText(text).replace(/\s+/g, ' ').trim();
  const escaped = line.replace(inlineSpecials, (char) => `\\${char}`);
  // What only means something at the start of a line: headings, quotes, lists, breaks, tables.
  return escaped.replace(/^([#>+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A code span that holds the text exactly, whatever backticks it contains. */
const plainCode = new RegExp(`^${quiet}+$`);

export function markdownCode(text: string): string {
  if (plainCode.test(text)) return `\`${text}\``;
  const line = cleanText(text).replace(/\s+/g, ' ');
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || line.startsWith(' ') ? ' ' : '';
  return line === '' ? "''" : `${fence}${pad}${line}${pad}${fence}`;
}

export function markdownLink(text: string, url: string | null): string {
  const label = markdownText(text);
  return url ? `[${label}](<${url.replace(/[<>\s]/g, encodeURIComponent)}>)` : label;
}

/** The notes' blocks as Markdown, each separated by a blank line. */
export function markdownBlocks(blocks: readonly NoteBlock[]): string[] {
  return blocks.map((block) => {
    if (block.kind === 'paragraph') return markdownText(block.text);
    if (block.kind === 'list')
      return block.items
        .map((item, index) => `${block.ordered ? `${index + 1}.` : '-'} ${markdownText(item)}`)
        .join('\n');
    const text = cleanText(block.text);
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
    const fence = '`'.repeat(longest + 1);
    return `${fence}text\n${text}\n${fence}`;
  });
}
