import { describe, expect, it } from 'vitest';
import { githubRepositoryOf } from '../../tools/changelog/github-remote.js';

describe('githubRepositoryOf', () => {
  const expected = {
    url: 'https://github.com/example-org/emi.catalog',
    commit_url: 'https://github.com/example-org/emi.catalog/commit/',
  };

  it.each([
    'https://github.com/example-org/emi.catalog',
    'https://github.com/example-org/emi.catalog.git',
    'https://github.com/example-org/emi.catalog/',
    'https://x-access-token:ghs_secret@github.com/example-org/emi.catalog.git',
    'http://GitHub.com/example-org/emi.catalog',
    'git@github.com:example-org/emi.catalog.git',
    'github.com:example-org/emi.catalog',
    'ssh://git@github.com/example-org/emi.catalog.git',
    'ssh://git@github.com:22/example-org/emi.catalog',
    'git://github.com/example-org/emi.catalog.git',
  ])('%s', (url) => {
    expect(githubRepositoryOf(url)).toEqual(expected);
  });

  it('keeps credentials out of the links', () => {
    const repository = githubRepositoryOf('https://user:ghs_secret@github.com/o/r.git');
    expect(JSON.stringify(repository)).not.toContain('secret');
  });

  it.each([
    undefined,
    '',
    'https://gitlab.com/o/r.git',
    'https://github.com.evil.invalid/o/r',
    'https://github.com/o',
    'https://github.com/o/r/extra',
    '/srv/git/catalog.git',
    'file:///srv/git/catalog.git',
    'https://github.com/o/..',
  ])('no links for %s', (url) => {
    expect(githubRepositoryOf(url)).toBeNull();
  });
});
