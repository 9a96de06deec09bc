/**
 * Orders Debian package versions as dpkg does (`dpkg --compare-versions`): epoch, then the upstream
 * version and the revision, each compared by dpkg's verrevcmp, where `~` sorts before everything,
 * even the end of the string (1.0~rc1 < 1.0). Pure.
 */

function order(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char >= '0' && char <= '9') return 0;
  if ((char >= 'A' && char <= 'Z') || (char >= 'a' && char <= 'z')) return char.charCodeAt(0);
  if (char === '~') return -1;
  return char.charCodeAt(0) + 256;
}

const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';

function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const left = order(a[i]);
      const right = order(b[j]);
      if (left !== right) return left - right;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = (a.charCodeAt(i) as number) - (b.charCodeAt(j) as number);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parse(version: string): DebianVersion {
  const colon = version.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(version.slice(0, colon)) ? Number(version.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(version.slice(0, colon)) ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash < 0
    ? { epoch, upstream: rest, revision: '' }
    : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareDebianVersions(a: string, b: string): number {
  const left = parse(a);
  const right = parse(b);
  if (left.epoch !== right.epoch) return left.epoch - right.epoch;
  return compareParts(left.upstream, right.upstream) || compareParts(left.revision, right.revision);
}
