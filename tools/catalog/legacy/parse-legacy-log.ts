/**
 * Reads the log of the original catalog's commits (`git log` output saved as git-log.txt): for each
 * commit its id, author, date and message, with the line it starts on. Both the default date format
 * and ISO 8601 are understood; messages may be indented (as git log prints them) or not. Pure.
 */
import type { Problem } from '../../lib/problems.js';

export interface LegacyLogEntry {
  commit: string;
  author: string;
  /** Empty when the log shows no address (the saved log of the original catalog has none). */
  email: string;
  /** ISO 8601 with the original offset, e.g. 2012-01-14T16:12:36-08:00. */
  date: string;
  /** Seconds since the epoch. */
  time: number;
  /** The message exactly as it was, ending with a newline. */
  message: string;
  line: number;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number | string, width = 2) => String(value).padStart(width, '0');

/** The date in ISO 8601 with its offset, and its epoch; undefined when not understood. */
export function parseLogDate(text: string): { date: string; time: number } | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2}) ?(Z|[+-]\d{2}:?\d{2})$/.exec(text.trim());
  const long = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) ([+-]\d{4})$/.exec(
    text.trim(),
  );
  let parts: [number, number, number, string, string, string, string] | undefined;
  if (iso) {
    const [, year, month, day, hour, minute, second, zone] = iso as unknown as string[];
    parts = [
      Number(year),
      Number(month),
      Number(day),
      hour as string,
      minute as string,
      second as string,
      zone as string,
    ];
  } else if (long) {
    const [, month, day, hour, minute, second, year, zone] = long as unknown as string[];
    const index = months.indexOf(month as string);
    if (index < 0) return undefined;
    parts = [
      Number(year),
      index + 1,
      Number(day),
      hour as string,
      minute as string,
      second as string,
      zone as string,
    ];
  }
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second, zone] = parts;
  const offset = zone === 'Z' ? '+00:00' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${hour}:${minute}:${second}${offset}`;
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2011-02-30 over to March: refuse dates that are not real.
  const sign = offset.startsWith('-') ? -1 : 1;
  const local = new Date(ms + sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000);
  if (local.getUTCDate() !== day || local.getUTCMonth() + 1 !== month) return undefined;
  return { date, time: ms / 1000 };
}

export function parseLegacyLog(
  file: string,
  text: string,
): { entries: LegacyLogEntry[]; problems: Problem[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const entries: LegacyLogEntry[] = [];
  const problems: Problem[] = [];
  const problem = (line: number, path: string, message: string) =>
    problems.push({ file, line, column: 1, path, message });
  let i = 0;
  while (i < lines.length) {
    const start = /^commit ([0-9a-f]{7,64})\b/.exec(lines[i] as string);
    if (!start) {
      if ((lines[i] as string).trim() !== '')
        problem(i + 1, '', `expected "commit <id>", found "${(lines[i] as string).slice(0, 60)}"`);
      i++;
      continue;
    }
    const line = i + 1;
    const commit = start[1] as string;
    let author: string | undefined;
    let email = '';
    let date: { date: string; time: number } | undefined;
    i++;
    for (; i < lines.length && (lines[i] as string).trim() !== ''; i++) {
      const header = /^([A-Za-z]+):\s*(.*)$/.exec(lines[i] as string);
      if (!header) {
        problem(i + 1, '', `not a header line: "${(lines[i] as string).slice(0, 60)}"`);
        continue;
      }
      const [, key, value = ''] = header;
      if (key === 'Author') {
        const address = /^(.*?)\s*<([^>]*)>\s*$/.exec(value);
        author = (address ? address[1] : value)?.trim();
        email = address ? (address[2] as string) : '';
      } else if (key === 'Date') {
        date = parseLogDate(value);
        if (!date) problem(i + 1, 'Date', `"${value}" is not a date (ISO 8601 or git's default format)`);
      }
    }
    const body: string[] = [];
    i++;
    while (i < lines.length && !/^commit [0-9a-f]{7,64}\b/.test(lines[i] as string))
      body.push(lines[i++] as string);
    while (body.length > 0 && (body.at(-1) as string).trim() === '') body.pop();
    const indented = body.every((text) => text.trim() === '' || text.startsWith('    '));
    const message = body.map((text) => (indented ? text.slice(4) : text).trimEnd()).join('\n');
    if (!author) problem(line, 'Author', `commit ${commit} has no Author line`);
    if (!date) problem(line, 'Date', `commit ${commit} has no usable Date line`);
    if (message.trim() === '') problem(line, 'message', `commit ${commit} has no message`);
    if (author && date && message.trim() !== '')
      entries.push({
        commit,
        author,
        email,
        date: date.date,
        time: date.time,
        message: `${message}\n`,
        line,
      });
  }
  return { entries, problems };
}
