/**
 * The GitHub adapter: the only module that imports @octokit/rest and the only one that talks to
 * GitHub. Octokit's RequestError becomes our GitHubApiError (status kept, known statuses worded for
 * people); a request object, which holds the token, is never kept in an error or printed. Requests
 * are retried, with a bound, on 5xx and on GitHub's primary and secondary rate limits, honouring
 * `retry-after` and `x-ratelimit-reset`. Uploads stream a file with its Content-Length to the
 * release's `upload_url` and are never retried here (a consumed stream cannot be replayed): the
 * release steps retry them after clearing the partial asset.
 */
import { createReadStream } from 'node:fs';
import { get as httpGetRaw, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { Readable } from 'node:stream';
import { Octokit } from '@octokit/rest';
import { UserError } from '../lib/errors.js';

export interface RepositoryRef {
  owner: string;
  name: string;
}

export interface ReleaseAsset {
  id: number;
  name: string;
  size: number;
  /** uploaded, or a partial upload (`starter`, `open`). */
  state: string;
  /** `sha256:<hex>` as GitHub computed it, or null where GitHub gives none. */
  digest: string | null;
  /** The API URL of the asset (download with Accept: application/octet-stream). */
  url: string;
  browser_download_url: string;
}

export interface Release {
  id: number;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  target_commitish: string;
  html_url: string;
  upload_url: string;
  assets: ReleaseAsset[];
}

export interface ReleaseFields {
  tag_name: string;
  target_commitish: string;
  name: string;
  body: string;
  /** A string, as the API wants it: "true", "false" or "legacy". */
  make_latest: 'true' | 'false' | 'legacy';
}

/** What an API call did, for the figures and for tests: no headers, so no token. */
export interface RequestEvent {
  method: string;
  path: string;
  status: number;
  bytesSent: number;
  retry?: { attempt: number; waitMs: number; reason: string };
}

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** The first back-off for a 5xx (doubles each time), ms. */
  baseDelayMs: number;
  /** The longest single wait, ms: a rate limit that resets later than this is an error. */
  maxWaitMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxWaitMs: 15 * 60 * 1000 };

export interface GitHubClientOptions {
  /** The REST API's base URL (https://api.github.com, or https://HOST/api/v3 on GHES). */
  apiUrl: string;
  token?: string | undefined;
  retry?: Partial<RetryPolicy>;
  onRequest?: (event: RequestEvent) => void;
  signal?: AbortSignal;
}

export class GitHubApiError extends UserError {
  override name = 'GitHubApiError';
  readonly status: number;
  readonly operation: string;
  readonly code: string | undefined;
  constructor(operation: string, status: number, detail: string, code?: string) {
    super(`GitHub API ${operation} failed with ${status}: ${detail}`);
    this.operation = operation;
    this.status = status;
    this.code = code;
  }
}

interface ErrorLike {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function detailOf(status: number, data: unknown, fallback: string): { detail: string; code?: string } {
  const body = (typeof data === 'object' && data !== null ? data : {}) as {
    message?: unknown;
    errors?: { code?: unknown; field?: unknown; resource?: unknown; message?: unknown }[];
  };
  const message = typeof body.message === 'string' ? body.message : fallback;
  const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
  const code = typeof first?.code === 'string' ? first.code : undefined;
  const extra = first
    ? ` (${[first.resource, first.field, first.code, first.message].filter((x) => typeof x === 'string').join(' ')})`
    : '';
  const hint =
    status === 401
      ? ': the token was refused (expired or wrong)'
      : status === 403 && /not accessible|permission|write access/i.test(message)
        ? ': the token has no write access to the repository (a workflow job needs `permissions: contents: write`)'
        : status === 404
          ? ': the repository or release was not found, or the token cannot see it'
          : '';
  return { detail: `${message}${extra}${hint}`, ...(code === undefined ? {} : { code }) };
}

/** Octokit's RequestError (or a network failure) as our error; keeps nothing of the request. */
export function translateError(operation: string, error: unknown): Error {
  if (error instanceof GitHubApiError) return error;
  const e = error as ErrorLike;
  if (typeof e?.status === 'number' && e.status > 0) {
    const { detail, code } = detailOf(e.status, e.response?.data, String(e.message ?? 'request failed'));
    return new GitHubApiError(operation, e.status, detail, code);
  }
  if ((error as Error)?.name === 'AbortError') return error as Error;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : String((error as Error)?.message ?? error);
  return new UserError(`GitHub API ${operation}: cannot reach the server (${why})`);
}

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** How long to wait before retrying a failed response, or undefined when it must not be retried. */
export function retryDelay(
  status: number,
  headers: Record<string, unknown> | undefined,
  attempt: number,
  policy: RetryPolicy,
  now = Date.now(),
): { waitMs: number; reason: string } | undefined {
  const retryAfter = header(headers, 'retry-after');
  const remaining = header(headers, 'x-ratelimit-remaining');
  const reset = header(headers, 'x-ratelimit-reset');
  if (status === 403 || status === 429) {
    if (retryAfter !== undefined && /^\d+$/.test(retryAfter))
      return {
        waitMs: Number(retryAfter) * 1000,
        reason: `secondary rate limit (retry-after ${retryAfter}s)`,
      };
    if (remaining === '0' && reset !== undefined && /^\d+$/.test(reset))
      return { waitMs: Math.max(0, Number(reset) * 1000 - now) + 1000, reason: 'primary rate limit' };
    if (status === 429) return { waitMs: 60_000, reason: 'rate limited (429 without retry-after)' };
    return undefined;
  }
  if (status >= 500 && status !== 501)
    return { waitMs: policy.baseDelayMs * 2 ** (attempt - 1), reason: `server error ${status}` };
  return undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A GET with node's http client: downloads are streamed straight to disk, and node:http moves bytes
 * faster than fetch's web streams (bench/release.bench.mjs). Redirects are followed by the caller.
 */
function httpGet(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const get = target.protocol === 'https:' ? httpsGet : httpGetRaw;
    const request = get(target, { headers, ...(signal ? { signal } : {}) }, (response) =>
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response }),
    );
    request.on('error', reject);
  });
}

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

type Data = Record<string, unknown>;

function toAsset(data: Data): ReleaseAsset {
  return {
    id: data.id as number,
    name: data.name as string,
    size: data.size as number,
    state: data.state as string,
    digest: (data.digest as string | null | undefined) ?? null,
    url: data.url as string,
    browser_download_url: data.browser_download_url as string,
  };
}

function toRelease(data: Data): Release {
  return {
    id: data.id as number,
    tag_name: data.tag_name as string,
    name: (data.name as string | null) ?? null,
    body: (data.body as string | null | undefined) ?? null,
    draft: Boolean(data.draft),
    prerelease: Boolean(data.prerelease),
    immutable: Boolean(data.immutable),
    target_commitish: data.target_commitish as string,
    html_url: data.html_url as string,
    upload_url: data.upload_url as string,
    assets: ((data.assets as Data[] | undefined) ?? []).map(toAsset),
  };
}

export interface GitHubClient {
  readonly hasToken: boolean;
  listReleases(repo: RepositoryRef): Promise<Release[]>;
  getReleaseByTag(repo: RepositoryRef, tag: string): Promise<Release | undefined>;
  createDraftRelease(repo: RepositoryRef, fields: ReleaseFields): Promise<Release>;
  publishRelease(repo: RepositoryRef, id: number, fields: ReleaseFields): Promise<Release>;
  listAssets(repo: RepositoryRef, releaseId: number): Promise<ReleaseAsset[]>;
  deleteAsset(repo: RepositoryRef, assetId: number): Promise<void>;
  uploadAsset(release: Release, file: { name: string; path: string; size: number }): Promise<ReleaseAsset>;
  /** The asset's bytes as a stream, with their length; follows GitHub's redirect to storage. */
  downloadAsset(asset: ReleaseAsset, signal?: AbortSignal): Promise<{ body: Readable; length: number }>;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const octokit = new Octokit({
    baseUrl: apiUrl,
    ...(options.token ? { auth: options.token } : {}),
    userAgent: 'emi-toolkit',
    log: silentLog,
  });
  const report = (event: RequestEvent) => options.onRequest?.(event);

  // Every request but uploads goes through this bounded retry loop.
  octokit.hook.wrap('request', async (request, route) => {
    const method = String(route.method ?? 'GET');
    const path = new URL(String(route.url).replace(/\{[^}]*\}/g, ''), apiUrl).pathname;
    const noRetry = (route.request as { emiNoRetry?: boolean } | undefined)?.emiNoRetry === true;
    const bytesSent = Number((route.headers as Record<string, unknown> | undefined)?.['content-length'] ?? 0);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await request(route);
        report({ method, path, status: response.status, bytesSent });
        return response;
      } catch (error) {
        const e = error as ErrorLike;
        const status = typeof e.status === 'number' ? e.status : 0;
        const delay =
          noRetry || attempt >= policy.attempts
            ? undefined
            : retryDelay(status, e.response?.headers, attempt, policy);
        if (!delay || delay.waitMs > policy.maxWaitMs) {
          report({ method, path, status, bytesSent: 0 });
          throw error;
        }
        report({ method, path, status, bytesSent: 0, retry: { attempt, ...delay } });
        await sleep(delay.waitMs, options.signal);
      }
    }
  });

  const call = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw translateError(operation, error);
    }
  };

  return {
    hasToken: Boolean(options.token),

    listReleases: (repo) =>
      call('list releases', async () => {
        const all = await octokit.paginate(octokit.rest.repos.listReleases, {
          owner: repo.owner,
          repo: repo.name,
          per_page: 100,
        });
        return (all as unknown as Data[]).map(toRelease);
      }),

    getReleaseByTag: (repo, tag) =>
      call(`get release ${tag}`, async () => {
        try {
          const { data } = await octokit.rest.repos.getReleaseByTag({
            owner: repo.owner,
            repo: repo.name,
            tag,
          });
          return toRelease(data as unknown as Data);
        } catch (error) {
          if ((error as ErrorLike).status === 404) return undefined;
          throw error;
        }
      }),

    createDraftRelease: (repo, fields) =>
      call(`create release ${fields.tag_name}`, async () => {
        const { data } = await octokit.rest.repos.createRelease({
          owner: repo.owner,
          repo: repo.name,
          ...fields,
          draft: true,
          prerelease: false,
        });
        return toRelease(data as unknown as Data);
      }),

    publishRelease: (repo, id, fields) =>
      call(`publish release ${fields.tag_name}`, async () => {
        const { data } = await octokit.rest.repos.updateRelease({
          owner: repo.owner,
          repo: repo.name,
          release_id: id,
          ...fields,
          draft: false,
        });
        return toRelease(data as unknown as Data);
      }),

    listAssets: (repo, releaseId) =>
      call('list release assets', async () => {
        const all = await octokit.paginate(octokit.rest.repos.listReleaseAssets, {
          owner: repo.owner,
          repo: repo.name,
          release_id: releaseId,
          per_page: 100,
        });
        return (all as unknown as Data[]).map(toAsset);
      }),

    deleteAsset: (repo, assetId) =>
      call('delete release asset', async () => {
        await octokit.rest.repos.deleteReleaseAsset({
          owner: repo.owner,
          repo: repo.name,
          asset_id: assetId,
        });
      }),

    uploadAsset: (release, file) =>
      call(`upload ${file.name}`, async () => {
        const stream = createReadStream(file.path, { highWaterMark: 1024 * 1024 });
        try {
          // The URL the API returned (uploads.github.com, or HOST/api/uploads on GHES), as RFC 6570.
          const { data } = await octokit.request({
            method: 'POST',
            url: release.upload_url,
            name: file.name,
            headers: { 'content-type': 'application/octet-stream', 'content-length': file.size },
            data: stream,
            request: { emiNoRetry: true, ...(options.signal ? { signal: options.signal } : {}) },
          } as never);
          return toAsset(data as Data);
        } finally {
          stream.destroy();
        }
      }),

    downloadAsset: (asset, signal) =>
      call(`download ${asset.name}`, async () => {
        const auth: Record<string, string> = options.token ? { authorization: `token ${options.token}` } : {};
        let url = asset.url;
        let headers: Record<string, string> = {
          accept: 'application/octet-stream',
          'user-agent': 'emi-toolkit',
          ...auth,
        };
        for (let hop = 0; hop < 5; hop++) {
          for (let attempt = 1; ; attempt++) {
            const response = await httpGet(url, headers, signal);
            const path = new URL(url).pathname;
            if (response.status >= 300 && response.status < 400) {
              const location = response.headers.location;
              response.body.resume();
              report({ method: 'GET', path, status: response.status, bytesSent: 0 });
              if (!location)
                throw new GitHubApiError(`download ${asset.name}`, response.status, 'no Location');
              const next = new URL(location, url);
              // The storage URL is signed: the token is not sent to another origin.
              if (next.origin !== new URL(url).origin) headers = { 'user-agent': 'emi-toolkit' };
              url = next.href;
              break;
            }
            if (response.status >= 200 && response.status < 300) {
              report({ method: 'GET', path, status: response.status, bytesSent: 0 });
              const length = Number(response.headers['content-length'] ?? -1);
              return { body: response.body, length };
            }
            const responseHeaders = response.headers;
            let text = '';
            for await (const chunk of response.body) text += String(chunk);
            const delay =
              attempt < policy.attempts
                ? retryDelay(response.status, responseHeaders, attempt, policy)
                : undefined;
            if (!delay || delay.waitMs > policy.maxWaitMs) {
              report({ method: 'GET', path, status: response.status, bytesSent: 0 });
              let data: unknown;
              try {
                data = JSON.parse(text);
              } catch {}
              const { detail, code } = detailOf(response.status, data, `HTTP ${response.status}`);
              throw new GitHubApiError(`download ${asset.name}`, response.status, detail, code);
            }
            report({
              method: 'GET',
              path,
              status: response.status,
              bytesSent: 0,
              retry: { attempt, ...delay },
            });
            await sleep(delay.waitMs, signal ?? options.signal);
          }
        }
        throw new GitHubApiError(`download ${asset.name}`, 310, 'too many redirects');
      }),
  };
}
