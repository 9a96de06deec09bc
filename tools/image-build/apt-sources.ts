/**
 * The build host's apt sources, read the way apt reads them: /etc/apt/sources.list and
 * sources.list.d/*.list in the one-line format, sources.list.d/*.sources in deb822. The builder
 * takes its default mirror from them, so no host name is ever written into the toolkit.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AptSource {
  /** deb, deb-src */
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
  /** Where it was read, e.g. /etc/apt/sources.list.d/debian.sources */
  file: string;
}

/** deb822 stanzas (`Types: deb` … separated by blank lines); `#` comment lines are ignored. */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  const stanzas = text.split(/\n[ \t]*\n/);
  for (const stanza of stanzas) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      if (/^[ \t]/.test(line) && last !== undefined) {
        fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      fields.set(last, line.slice(colon + 1).trim());
    }
    if (!fields.has('types') || !fields.has('uris')) continue;
    const words = (name: string) => (fields.get(name) ?? '').split(/\s+/).filter((word) => word !== '');
    sources.push({
      types: words('types'),
      uris: words('uris'),
      suites: words('suites'),
      components: words('components'),
      enabled: !/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes'),
      file,
    });
  }
  return sources;
}

/** `deb [options] uri suite component…` lines. */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const match = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)((?:\s+\S+)*)$/.exec(line);
    if (!match) continue;
    sources.push({
      types: [match[1] as string],
      uris: [match[2] as string],
      suites: [match[3] as string],
      components: (match[4] ?? '').split(/\s+/).filter((word) => word !== ''),
      enabled: true,
      file,
    });
  }
  return sources;
}

/** Every source of the host's apt configuration under `aptDir` (normally /etc/apt). */
export async function readHostSources(aptDir = '/etc/apt'): Promise<AptSource[]> {
  const read = async (path: string) => readFile(path, 'utf8').catch(() => undefined);
  const sources: AptSource[] = [];
  const main = join(aptDir, 'sources.list');
  const mainText = await read(main);
  if (mainText !== undefined) sources.push(...parseOneLineSources(mainText, main));
  const dir = join(aptDir, 'sources.list.d');
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (name.endsWith('.list')) {
      const text = await read(path);
      if (text !== undefined) sources.push(...parseOneLineSources(text, path));
    } else if (name.endsWith('.sources')) {
      const text = await read(path);
      if (text !== undefined) sources.push(...parseDeb822Sources(text, path));
    }
  }
  return sources;
}

/** The first http(s) mirror of an enabled `deb` source that carries the suite, and where it was found. */
export function findMirror(
  sources: readonly AptSource[],
  suite: string,
): { uri: string; file: string } | undefined {
  for (const source of sources) {
    if (!source.enabled || !source.types.includes('deb') || !source.suites.includes(suite)) continue;
    const uri = source.uris.find((candidate) => /^https?:\/\//.test(candidate));
    if (uri) return { uri: uri.replace(/\/+$/, ''), file: source.file };
  }
  return undefined;
}

/** The image's own apt sources (deb822), from the sources the build used. */
export function renderDeb822Sources(
  sources: readonly { uri: string; suites: readonly string[]; components: readonly string[] }[],
  keyring: string,
): string {
  return sources
    .map((source) =>
      [
        'Types: deb',
        `URIs: ${source.uri}/`,
        `Suites: ${source.suites.join(' ')}`,
        `Components: ${source.components.join(' ')}`,
        `Signed-By: ${keyring}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}
