/**
 * Reads a raw commit object (what `git cat-file commit` prints): parents, author and committer with
 * their own time zones, and the message split into subject and body. Pure; no format string can be
 * confused by what a message holds, since the object's layout is fixed.
 */

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  time: number;
  /** ISO 8601 in the signature's own offset, as `git log --format=%aI` prints it. */
  date: string;
}

export interface CommitInfo {
  oid: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  subject: string;
  body: string;
}

const unknownSignature: Signature = { name: '', email: '', time: 0, date: '1970-01-01T00:00:00+00:00' };

/** `1326586356 -0800` → `2012-01-14T16:12:36-08:00`. */
export function isoDateOf(time: number, offset: string): string {
  const match = /^([+-])(\d{2})(\d{2})$/.exec(offset);
  const sign = match?.[1] === '-' ? -1 : 1;
  const minutes = match ? sign * (Number(match[2]) * 60 + Number(match[3])) : 0;
  const local = new Date((time + minutes * 60) * 1000);
  if (Number.isNaN(local.getTime())) return unknownSignature.date;
  const zone = match ? `${match[1]}${match[2]}:${match[3]}` : '+00:00';
  return `${local.toISOString().slice(0, 19)}${zone}`;
}

export function parseSignature(value: string): Signature {
  const open = value.lastIndexOf(' <');
  const close = value.lastIndexOf('> ');
  if (open < 0 || close < open) {
    const bare = value.indexOf('<');
    return { ...unknownSignature, name: (bare < 0 ? value : value.slice(0, bare)).trim() };
  }
  const [time = '0', offset = '+0000'] = value
    .slice(close + 2)
    .trim()
    .split(' ');
  const seconds = Number(time);
  const safe = Number.isSafeInteger(seconds) ? seconds : 0;
  return {
    name: value.slice(0, open).trim(),
    email: value.slice(open + 2, close),
    time: safe,
    date: isoDateOf(safe, offset),
  };
}

/** Subject: the first paragraph joined into one line (as git shows it); body: the rest, trimmed. */
export function splitMessage(message: string): { subject: string; body: string } {
  const text = message.replace(/\r\n?/g, '\n').replace(/^\n+/, '');
  const blank = text.search(/\n[ \t]*\n/);
  const first = blank < 0 ? text : text.slice(0, blank);
  const rest = blank < 0 ? '' : text.slice(blank);
  return {
    subject: first.split('\n').join(' ').trim(),
    body: rest.replace(/^\s*\n/, '').trimEnd(),
  };
}

export function parseCommitObject(oid: string, content: Buffer | string): CommitInfo {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  const split = text.indexOf('\n\n');
  const headerText = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  const parents: string[] = [];
  let author = unknownSignature;
  let committer = unknownSignature;
  for (const line of headerText.split('\n')) {
    // Continuation lines (of gpgsig, mergetag) start with a space.
    if (line.startsWith(' ')) continue;
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseSignature(value);
    else if (key === 'committer') committer = parseSignature(value);
  }
  return { oid, parents, author, committer, ...splitMessage(message) };
}
