/**
 * Text helpers every renderer shares. Text from git can hold anything: control characters, lone
 * surrogates and noncharacters are replaced, since XML cannot carry them and HTML calls them errors.
 */

const unsafeCharacters =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\p{Noncharacter_Code_Point}/gu;

/** A cheap first look: only text with one of these can hold a character to replace. */
const maybeUnsafe =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFDD0-\uFDEF\uFFFE\uFFFF]/;

export function cleanText(text: string): string {
  return maybeUnsafe.test(text) ? text.replace(unsafeCharacters, '\uFFFD') : text;
}

const markupSpecial = /[&<>"']/;

/**
 * Text for markup content and quoted attribute values, cleaned, with & < > " ' as entities; HTML
 * and XML differ only in the apostrophe's.
 */
export function escapeMarkup(text: string, apostrophe: '&#39;' | '&apos;'): string {
  const clean = cleanText(text);
  if (!markupSpecial.test(clean)) return clean;
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, apostrophe);
}

/** `2012-01-14T16:12:36-08:00` → `2012-01-14` (the day where it was committed). */
export function dayOf(isoDate: string): string {
  return isoDate.slice(0, 10);
}

/** image_date `20120114152138` → `2012-01-14 15:21:38 UTC`; anything else as it is. */
export function imageDateText(imageDate: string | null): string | null {
  if (imageDate === null) return null;
  const parts = imageDateParts(imageDate);
  if (!parts) return imageDate;
  const [year, month, day, hour, minute, second] = parts;
  return `${year}-${month}-${day} ${hour}:${minute}:${second} UTC`;
}

/** image_date as an HTML/Atom date-time, or undefined when it is not one. */
export function imageDateIso(imageDate: string | null): string | undefined {
  const parts = imageDate === null ? undefined : imageDateParts(imageDate);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}Z`;
}

/** `YYYYMMDDHHMMSS` split into its six fields, or undefined for anything else. */
function imageDateParts(imageDate: string): string[] | undefined {
  return /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(imageDate)?.slice(1);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Orders strings by code unit, never by locale, so every machine sorts alike. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
