/**
 * The fake GitHub has teeth: requests the OpenAPI description does not allow, and operations the
 * fake does not implement, are refused and recorded as violations (so the release tests would fail).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../helpers/github-api/fake-github.js';

let fake: FakeGitHub;
beforeEach(async () => {
  fake = await startFakeGitHub({ tokens: { t0k: 'write' } });
});
afterEach(() => fake.close());

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${fake.apiUrl}${path}`, {
    method,
    headers: { authorization: 'token t0k', 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('the fake GitHub API', () => {
  it('accepts a valid create-release and answers with a release the description accepts', async () => {
    const response = await send('POST', '/repos/emi-test/catalog/releases', {
      tag_name: 'x.x86_64-2026.01.01',
      draft: true,
      make_latest: 'false',
    });
    expect(response.status).toBe(201);
    expect(fake.violations).toEqual([]);
  });

  it('refuses make_latest sent as a boolean (the description wants a string)', async () => {
    const response = await send('POST', '/repos/emi-test/catalog/releases', {
      tag_name: 'v1',
      make_latest: true,
    });
    expect(response.status).toBe(422);
    expect(fake.violations.join('\n')).toMatch(/make_latest must be string/);
  });

  it('refuses an upload without its name query parameter', async () => {
    await send('POST', '/repos/emi-test/catalog/releases', { tag_name: 'v1', draft: true });
    const id = fake.releases[0]?.id;
    const response = await fetch(`${fake.apiUrl}/repos/emi-test/catalog/releases/${id}/assets`, {
      method: 'POST',
      headers: { authorization: 'token t0k', 'content-type': 'application/octet-stream' },
      body: 'abc',
    });
    expect(response.status).toBe(422);
    expect(fake.violations.join('\n')).toMatch(/must have required property 'name'/);
  });

  it('records an operation it does not implement, and a path the description does not have', async () => {
    expect((await send('GET', '/repos/emi-test/catalog/releases/latest')).status).toBe(501);
    expect((await send('GET', '/repos/emi-test/catalog/no-such-thing')).status).toBe(404);
    expect(fake.violations).toHaveLength(2);
    expect(fake.violations[0]).toMatch(/repos\/get-latest-release: not implemented/);
    expect(fake.violations[1]).toMatch(/no operation of the description matches/);
  });

  it('does not find a draft by tag, only by listing', async () => {
    await send('POST', '/repos/emi-test/catalog/releases', { tag_name: 'v2', draft: true });
    expect((await send('GET', '/repos/emi-test/catalog/releases/tags/v2')).status).toBe(404);
    const listed = (await (await send('GET', '/repos/emi-test/catalog/releases')).json()) as {
      tag_name: string;
    }[];
    expect(listed.map((release) => release.tag_name)).toEqual(['v2']);
    expect(fake.violations).toEqual([]);
  });
});
