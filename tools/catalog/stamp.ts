/**
 * image_stamp, image_date and image_version of a moment, exactly as the original tools made them:
 *   image_stamp = `date +%s | md5sum | sed 's/\(....\)\(....\).*\/\1-\2/'`   (md5 of the decimal epoch and "\n")
 *   image_date  = `date +%Y%m%d%H%M%S`   (UTC here, unless local time is asked for)
 */
import { createHash } from 'node:crypto';

export type TimeZone = 'utc' | 'local';

/** The last second image_date's 14 digits can express (9999-12-31 23:59:59 UTC). */
export const maxEpoch = 253402300799;

export interface Moment {
  image_stamp: string;
  image_date: string;
  image_version: string;
}

export function stampOf(epoch: number): string {
  const hex = createHash('md5').update(`${epoch}\n`).digest('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}`;
}

function fields(epoch: number, tz: TimeZone) {
  const date = new Date(epoch * 1000);
  const utc = tz === 'utc';
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return {
    year: pad(utc ? date.getUTCFullYear() : date.getFullYear(), 4),
    month: pad((utc ? date.getUTCMonth() : date.getMonth()) + 1),
    day: pad(utc ? date.getUTCDate() : date.getDate()),
    hour: pad(utc ? date.getUTCHours() : date.getHours()),
    minute: pad(utc ? date.getUTCMinutes() : date.getMinutes()),
    second: pad(utc ? date.getUTCSeconds() : date.getSeconds()),
  };
}

export function imageDateOf(epoch: number, tz: TimeZone = 'utc'): string {
  const f = fields(epoch, tz);
  return `${f.year}${f.month}${f.day}${f.hour}${f.minute}${f.second}`;
}

/** The day's version, YYYY.MM.DD, without the .N of extra releases. */
export function dayVersionOf(epoch: number, tz: TimeZone = 'utc'): string {
  const f = fields(epoch, tz);
  return `${f.year}.${f.month}.${f.day}`;
}

export function momentOf(epoch: number, tz: TimeZone = 'utc'): Moment {
  return {
    image_stamp: stampOf(epoch),
    image_date: imageDateOf(epoch, tz),
    image_version: dayVersionOf(epoch, tz),
  };
}

/** The epoch of a UTC image_date, or undefined when it is not a real time (2023-02-30, 25:00 …). */
export function epochOfImageDate(imageDate: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(imageDate);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (ms < 0) return undefined;
  const epoch = ms / 1000;
  return imageDateOf(epoch) === imageDate ? epoch : undefined;
}

export function isValidEpoch(epoch: number): boolean {
  return Number.isSafeInteger(epoch) && epoch >= 0 && epoch <= maxEpoch;
}
