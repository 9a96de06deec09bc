/** Seconds since the epoch of an ISO 8601 date with an offset (or a bare YYYY-MM-DD, UTC). */
export function instantOf(date: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00Z` : date) / 1000;
}
