/** Where GitHub is: the API from GITHUB_API_URL or GITHUB_SERVER_URL, the repository, the token. */
import { describe, expect, it } from 'vitest';
import {
  changelogPageUrl,
  githubContext,
  parseRepository,
  redact,
} from '../../tools/commands/github-context.js';

describe('githubContext', () => {
  it('uses api.github.com by default, GITHUB_SERVER_URL/api/v3 on GHES, GITHUB_API_URL above all', async () => {
    const repo = { GITHUB_REPOSITORY: 'octo/catalog' };
    expect((await githubContext(repo, undefined, '/')).apiUrl).toBe('https://api.github.com');
    const ghes = await githubContext(
      { ...repo, GITHUB_SERVER_URL: 'https://git.example.org' },
      undefined,
      '/',
    );
    expect(ghes.apiUrl).toBe('https://git.example.org/api/v3');
    expect(changelogPageUrl(ghes, {}, 'euca-debian-emi.x86_64')).toBe(
      'https://git.example.org/pages/octo/catalog/lines/euca-debian-emi.x86_64.html',
    );
    const api = await githubContext(
      { ...repo, GITHUB_SERVER_URL: 'https://git.example.org', GITHUB_API_URL: 'http://127.0.0.1:9/' },
      undefined,
      '/',
    );
    expect(api.apiUrl).toBe('http://127.0.0.1:9');
  });

  it('takes --repo over GITHUB_REPOSITORY, and GITHUB_TOKEN over GH_TOKEN', async () => {
    const context = await githubContext(
      { GITHUB_REPOSITORY: 'a/b', GITHUB_TOKEN: 't1', GH_TOKEN: 't2' },
      'Octo-Org/cat.alog',
      '/',
    );
    expect(context.repo).toEqual({ owner: 'Octo-Org', name: 'cat.alog' });
    expect(context.token).toBe('t1');
    expect(changelogPageUrl(context, {}, 'x.i386')).toBe(
      'https://octo-org.github.io/cat.alog/lines/x.i386.html',
    );
  });

  it('refuses a repository that is not OWNER/NAME, and redacts a token', () => {
    expect(() => parseRepository('a/b/c', '--repo')).toThrow(/not OWNER\/NAME/);
    expect(() => parseRepository('../x', '--repo')).toThrow(/not OWNER\/NAME/);
    expect(redact('token s3cret-token in text', 's3cret-token')).toBe('token *** in text');
  });
});
