/**
 * Credentials in URLs (http://user:secret@mirror/…) never reach output: every URL's user-info is
 * replaced with "***". Applied at the CLI's output sinks and where a URL is written into a file
 * that is published (build.json), so no path that shows a URL can leak one.
 */

// scheme://userinfo@ — userinfo is everything up to the last @ before the host's end.
const withUserInfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s"'<>@]*@/gi;

/** The URL or text with the user-info of every URL replaced by *** (user name and password). */
export function redactUrls(text: string): string {
  return text.replace(withUserInfo, '$1***@');
}

/** A JSON-like value with every string redacted (for values written into files). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactUrls(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item);
    return out as T;
  }
  return value;
}
