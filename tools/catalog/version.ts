/** image_version: YYYY.MM.DD for the first release of a line on a day, YYYY.MM.DD.N for the N-th extra one. */

const versionPattern = /^(\d{4})\.(\d{2})\.(\d{2})(?:\.([1-9]\d*))?$/;

export interface ParsedVersion {
  day: string;
  /** 0 for the day's first release. */
  extra: number;
}

export function parseVersion(version: string): ParsedVersion | undefined {
  const match = versionPattern.exec(version);
  if (!match) return undefined;
  return { day: `${match[1]}.${match[2]}.${match[3]}`, extra: match[4] ? Number(match[4]) : 0 };
}

/** Whether the day part is a real calendar day (not 2023.02.30). */
export function isRealDay(day: string): boolean {
  const [year, month, date] = day.split('.').map(Number) as [number, number, number];
  const ms = Date.UTC(year, month - 1, date);
  const back = new Date(ms);
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === date;
}

/** Orders versions: by day, then by extra release number. Undefined for unparseable input. */
export function compareVersions(a: string, b: string): number | undefined {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) return undefined;
  return left.day < right.day ? -1 : left.day > right.day ? 1 : left.extra - right.extra;
}

/** The version of the next release of a line on `day`, given its current version. */
export function nextVersion(day: string, current: string | undefined): string {
  const parsed = current === undefined ? undefined : parseVersion(current);
  if (!parsed || parsed.day !== day) return day;
  return `${day}.${parsed.extra + 1}`;
}

export function formatVersion(version: ParsedVersion): string {
  return version.extra === 0 ? version.day : `${version.day}.${version.extra}`;
}
