/** The adapter's error translation: Octokit's RequestError becomes ours, status kept, no request or token. */
import { RequestError } from '@octokit/request-error';
import { describe, expect, it } from 'vitest';
import { GitHubApiError, translateError } from '../../tools/github/github-api.js';
import { UserError } from '../../tools/lib/errors.js';

const token = 'ghp_SecretToken0123456789abcdefABCDEF0123';

function requestError(status: number, data: unknown): RequestError {
  return new RequestError('boom', status, {
    request: {
      method: 'POST',
      url: 'https://api.github.com/repos/o/r/releases',
      headers: { authorization: `token ${token}` },
    },
    response: { status, url: 'https://api.github.com/repos/o/r/releases', headers: {}, data, retryCount: 0 },
  } as never);
}

describe('translateError', () => {
  it('keeps the status and the code, says what a 403 without write access means, holds no request', () => {
    const error = translateError(
      'create release t',
      requestError(403, { message: 'Resource not accessible by integration' }),
    );
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(403);
    expect(error.message).toMatch(
      /create release t failed with 403: Resource not accessible by integration: the token has no write access/,
    );
    expect(JSON.stringify(error)).not.toContain(token);
    expect(error.message).not.toContain(token);
    expect(Object.values(error)).not.toContainEqual(expect.objectContaining({ headers: expect.anything() }));
  });

  it('keeps the code of a 422, for already_exists handling', () => {
    const error = translateError(
      'upload a',
      requestError(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
      }),
    ) as GitHubApiError;
    expect(error.code).toBe('already_exists');
    expect(error.message).toContain('ReleaseAsset name already_exists');
  });

  it('turns a network failure into a user error naming the cause', () => {
    const error = translateError(
      'list releases',
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe('GitHub API list releases: cannot reach the server (ECONNREFUSED)');
  });
});
