import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeb822Sources } from '../../tools/image-build/apt-sources.js';
import { debianArch, hostArch, resolveRecipe } from '../../tools/image-build/resolve-recipe.js';
import type { LoadedRecipe } from '../../tools/recipes/load-recipes.js';
import { loadFixture } from '../helpers/build-fixtures.js';
import type { TempRepo } from '../helpers/git-repo.js';

const hostSources = parseDeb822Sources(
  `Types: deb
URIs: http://host.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://host.example/debian-security
Suites: bookworm-security
Components: main
`,
  '/etc/apt/sources.list.d/debian.sources',
);

let repo: TempRepo;
let loaded: LoadedRecipe;
beforeAll(async () => {
  const fixture = await loadFixture();
  repo = fixture.repo;
  expect(fixture.problems).toEqual([]);
  loaded = fixture.recipes.get('debian-based') as LoadedRecipe;
});
afterAll(() => repo.cleanup());

describe('resolveRecipe', () => {
  it('fills in the defaults and takes both mirrors from the host', () => {
    const recipe = resolveRecipe(loaded, { env: {}, hostSources });
    expect(recipe).toMatchObject({
      name: 'debian-based',
      variant: 'minbase',
      components: ['main'],
      keyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
      filesystem: { type: 'ext4', label: 'emi-rootfs' },
      overlays: ['recipes/common/overlay', 'recipes/debian-based/overlay'],
      hooks: ['recipes/debian-based/hooks/tune.sh'],
      services: { enable: ['ssh.service'], disable: [] },
      packages: { add: ['systemd', 'openssh-server', 'curl'], remove: ['tzdata'] },
    });
    expect(recipe.sources).toEqual([
      {
        uri: 'http://host.example/debian',
        suites: ['bookworm', 'bookworm-updates'],
        components: ['main'],
        from: '/etc/apt/sources.list.d/debian.sources',
      },
      {
        uri: 'http://host.example/debian-security',
        suites: ['bookworm-security'],
        components: ['main'],
        from: '/etc/apt/sources.list.d/debian.sources',
      },
    ]);
    expect(recipe.lines.map((line) => line.rootfs_bytes)).toEqual([1363148800, 4718592000]);
  });

  it('prefers --mirror, then EMI_MIRROR, then the recipe, then the host', () => {
    const withRecipeMirror = {
      ...loaded,
      recipe: { ...loaded.recipe, mirror: 'http://recipe.example/debian' },
    };
    const env = { EMI_MIRROR: 'http://env.example/debian/' };
    expect(
      resolveRecipe(withRecipeMirror, { mirror: 'http://flag.example/debian', env, hostSources }).sources[0],
    ).toMatchObject({ uri: 'http://flag.example/debian', from: '--mirror' });
    expect(resolveRecipe(withRecipeMirror, { env, hostSources }).sources[0]).toMatchObject({
      uri: 'http://env.example/debian',
      from: 'EMI_MIRROR',
    });
    expect(resolveRecipe(withRecipeMirror, { env: {}, hostSources }).sources[0]).toMatchObject({
      uri: 'http://recipe.example/debian',
      from: 'recipes/debian-based/recipe.yaml mirror',
    });
  });

  it('takes the security mirror from EMI_SECURITY_MIRROR or the recipe before the host', () => {
    const recipe = resolveRecipe(
      { ...loaded, recipe: { ...loaded.recipe, security_mirror: 'http://sec.example/debian-security' } },
      { env: {}, hostSources },
    );
    expect(recipe.sources[1]?.uri).toBe('http://sec.example/debian-security');
    expect(
      resolveRecipe(loaded, { env: { EMI_SECURITY_MIRROR: 'https://sec2.example/ds' }, hostSources })
        .sources[1]?.uri,
    ).toBe('https://sec2.example/ds');
  });

  it('uses only the release suite without updates', () => {
    const recipe = resolveRecipe(
      { ...loaded, recipe: { ...loaded.recipe, updates: false } },
      { env: {}, hostSources: [], mirror: 'http://m.example/debian' },
    );
    expect(recipe.sources).toEqual([
      { uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main'], from: '--mirror' },
    ]);
  });

  it('says how to give a mirror when the host has none for the release', () => {
    expect(() => resolveRecipe(loaded, { env: {}, hostSources: [] })).toThrow(
      "no mirror for the suite bookworm: the host's apt configuration has none; pass --mirror URL, set EMI_MIRROR, or set mirror in the recipe",
    );
    expect(() =>
      resolveRecipe(loaded, { env: {}, hostSources: [], mirror: 'http://m.example/debian' }),
    ).toThrow(/no mirror for the suite bookworm-security.*EMI_SECURITY_MIRROR/);
  });

  it('refuses a mirror that is not an http(s) URL', () => {
    expect(() => resolveRecipe(loaded, { env: { EMI_MIRROR: 'file:///srv/debian' }, hostSources })).toThrow(
      'EMI_MIRROR "file:///srv/debian" is not an http(s) URL',
    );
    expect(() =>
      resolveRecipe(loaded, { env: {}, hostSources, mirror: 'http://x.example/$(reboot)' }),
    ).toThrow(/is not an http\(s\) URL/);
  });
});

describe('arch names', () => {
  it('maps the catalog names to Debian and Node names', () => {
    expect(debianArch('x86_64')).toBe('amd64');
    expect(debianArch('i386')).toBe('i386');
    expect(debianArch('aarch64')).toBe('arm64');
    expect(hostArch('x64')).toBe('x86_64');
    expect(hostArch('arm64')).toBe('aarch64');
    expect(hostArch('ia32')).toBe('i386');
    expect(hostArch('riscv64')).toBeUndefined();
  });
});
