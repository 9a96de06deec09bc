import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findMirror,
  parseDeb822Sources,
  parseOneLineSources,
  readHostSources,
  renderDeb822Sources,
} from '../../tools/image-build/apt-sources.js';
import { tempDirForTest } from '../helpers/fixtures.js';

const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('parseDeb822Sources', () => {
  it('reads the stanzas of a Debian 12 debian.sources', () => {
    const sources = parseDeb822Sources(deb822, 'debian.sources');
    expect(sources).toEqual([
      {
        types: ['deb'],
        uris: ['http://deb.debian.org/debian'],
        suites: ['bookworm', 'bookworm-updates'],
        components: ['main'],
        enabled: true,
        file: 'debian.sources',
      },
      {
        types: ['deb'],
        uris: ['http://deb.debian.org/debian-security'],
        suites: ['bookworm-security'],
        components: ['main'],
        enabled: true,
        file: 'debian.sources',
      },
    ]);
  });

  it('knows Enabled: no, field names in any case and folded lines', () => {
    const text =
      'types: deb deb-src\nURIs: http://a.example/debian\n  http://b.example/debian\nSuites: trixie\nComponents: main\nEnabled: no\n';
    const [source] = parseDeb822Sources(text, 'x.sources');
    expect(source?.uris).toEqual(['http://a.example/debian', 'http://b.example/debian']);
    expect(source?.types).toEqual(['deb', 'deb-src']);
    expect(source?.enabled).toBe(false);
  });
});

describe('parseOneLineSources', () => {
  it('reads deb lines with options and comments, skips the rest', () => {
    const text = [
      '# comment',
      'deb http://ftp.example.org/debian bookworm main contrib',
      'deb [arch=amd64 signed-by=/k.gpg] https://mirror.example/debian bookworm-updates main # trailing',
      'deb-src http://ftp.example.org/debian bookworm main',
      'not a source line',
      '',
    ].join('\n');
    const sources = parseOneLineSources(text, 'sources.list');
    expect(
      sources.map((source) => [source.types[0], source.uris[0], source.suites[0], source.components]),
    ).toEqual([
      ['deb', 'http://ftp.example.org/debian', 'bookworm', ['main', 'contrib']],
      ['deb', 'https://mirror.example/debian', 'bookworm-updates', ['main']],
      ['deb-src', 'http://ftp.example.org/debian', 'bookworm', ['main']],
    ]);
  });
});

describe('findMirror', () => {
  it('takes the first enabled deb source that carries the suite', () => {
    const sources = [
      ...parseOneLineSources('deb-src http://src.example/debian bookworm main\n', 'a.list'),
      ...parseDeb822Sources(
        `Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n`,
        'b.sources',
      ),
      ...parseDeb822Sources(deb822, 'c.sources'),
    ];
    expect(findMirror(sources, 'bookworm')).toEqual({
      uri: 'http://deb.debian.org/debian',
      file: 'c.sources',
    });
    expect(findMirror(sources, 'bookworm-security')?.uri).toBe('http://deb.debian.org/debian-security');
    expect(findMirror(sources, 'trixie')).toBeUndefined();
  });

  it('ignores mirrors that are not http(s) and strips trailing slashes', () => {
    const sources = parseOneLineSources(
      'deb cdrom:[Debian]/ bookworm main\ndeb file:/srv/debian bookworm main\ndeb https://m.example/debian/ bookworm main\n',
      's.list',
    );
    expect(findMirror(sources, 'bookworm')?.uri).toBe('https://m.example/debian');
  });
});

describe('readHostSources', () => {
  it('reads sources.list, *.list and *.sources in apt order, and nothing else', async () => {
    const dir = await tempDirForTest('emi-apt-');
    await mkdir(join(dir, 'sources.list.d'));
    await writeFile(join(dir, 'sources.list'), 'deb http://one.example/debian bookworm main\n');
    await writeFile(join(dir, 'sources.list.d', 'b.sources'), deb822);
    await writeFile(join(dir, 'sources.list.d', 'a.list'), 'deb http://two.example/debian trixie main\n');
    await writeFile(
      join(dir, 'sources.list.d', 'c.list.disabled'),
      'deb http://three.example/debian sid main\n',
    );
    const sources = await readHostSources(dir);
    expect(sources.map((source) => source.uris[0])).toEqual([
      'http://one.example/debian',
      'http://two.example/debian',
      'http://deb.debian.org/debian',
      'http://deb.debian.org/debian-security',
    ]);
  });

  it('is empty when there is no apt configuration', async () => {
    expect(await readHostSources('/nonexistent/emi-apt')).toEqual([]);
  });
});

describe('renderDeb822Sources', () => {
  it('writes one stanza per source with the keyring', () => {
    expect(
      renderDeb822Sources(
        [
          {
            uri: 'http://deb.debian.org/debian',
            suites: ['bookworm', 'bookworm-updates'],
            components: ['main'],
          },
          {
            uri: 'http://deb.debian.org/debian-security',
            suites: ['bookworm-security'],
            components: ['main'],
          },
        ],
        '/usr/share/keyrings/debian-archive-keyring.gpg',
      ),
    ).toBe(`Types: deb
URIs: http://deb.debian.org/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security/
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`);
  });

  it('is read back by the parser', () => {
    const text = renderDeb822Sources(
      [{ uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main', 'contrib'] }],
      '/k.gpg',
    );
    expect(findMirror(parseDeb822Sources(text, 'x'), 'bookworm')?.uri).toBe('http://m.example/debian');
  });
});
