/**
 * A local GitHub REST API on 127.0.0.1 for one repository: releases and their assets in memory, the
 * upload endpoint on the same server (the `upload_url` it hands out points here), and the storage
 * that asset downloads redirect to. Every request is matched to an operation of GitHub's OpenAPI
 * description and validated against it, and every API response is validated too; a request the
 * description does not allow, or an operation this fake does not implement, is answered with an
 * error and recorded in `violations`, which the tests assert empty.
 *
 * Auth as GitHub does it: no token reads a public repository; a write without a token is a 401; a
 * read-only token gets 403 "Resource not accessible by integration" on writes. Faults (5xx, rate
 * limits, partial `starter` uploads, a hung upload, corrupted or stalled downloads) are injected
 * per operation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenAPIBackend } from 'openapi-backend';
import { githubOpenApi } from './openapi.js';

export interface FakeAsset {
  id: number;
  name: string;
  label: string | null;
  state: 'uploaded' | 'starter';
  content_type: string;
  bytes: Buffer;
  created_at: string;
}

export interface FakeRelease {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  make_latest: string | undefined;
  created_at: string;
  published_at: string | null;
  assets: FakeAsset[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** The operation of the description, or `storage` for a download's redirect target. */
  operationId: string;
  query: Record<string, string>;
  status: number;
  /** Whether the request carried a token (the token itself is not kept). */
  authenticated: boolean;
  /** Request body bytes. */
  bytes: number;
  /** Which server got it: the API's or the uploads one (separateUploads). */
  server: 'api' | 'uploads';
  json?: unknown;
}

export type FaultAction =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Takes the upload's body, keeps an empty `starter` asset, answers 502 (as GitHub documents). */
  | { kind: 'starter-502' }
  /** Takes the upload's body, keeps a `starter` asset and never answers (the client is killed). */
  | { kind: 'starter-hang' }
  /** Storage: flips a byte in the middle of the download. */
  | { kind: 'corrupt' }
  /** Storage: sends this many bytes, then stalls until the client goes away. */
  | { kind: 'stall-after'; bytes: number };

export interface Fault {
  operationId: string;
  /** Skip this many matching requests first (default 0). */
  after?: number;
  /** How many requests it hits (default 1). */
  times?: number;
  action: FaultAction;
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  /** Tokens the server knows, with their access to the repository. */
  tokens?: Record<string, 'write' | 'read'>;
  /** Whether assets carry GitHub's sha256 `digest` (default true). */
  digests?: boolean;
  /**
   * Uploads on their own server, as uploads.github.com (or HOST/api/uploads on GHES) is: the
   * `upload_url` points there, and an upload sent to the API's origin is a violation.
   */
  separateUploads?: boolean;
  /** Published releases are immutable (default true). */
  immutable?: boolean;
}

const rateHeaders = () => ({
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': '4999',
  'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
  'x-ratelimit-used': '1',
  'x-ratelimit-resource': 'core',
  'x-github-api-version-selected': '2022-11-28',
});

const user = (origin: string) => ({
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  gravatar_id: '',
  url: `${origin}/users/github-actions%5Bbot%5D`,
  html_url: 'https://github.com/apps/github-actions',
  followers_url: `${origin}/users/github-actions%5Bbot%5D/followers`,
  following_url: `${origin}/users/github-actions%5Bbot%5D/following{/other_user}`,
  gists_url: `${origin}/users/github-actions%5Bbot%5D/gists{/gist_id}`,
  starred_url: `${origin}/users/github-actions%5Bbot%5D/starred{/owner}{/repo}`,
  subscriptions_url: `${origin}/users/github-actions%5Bbot%5D/subscriptions`,
  organizations_url: `${origin}/users/github-actions%5Bbot%5D/orgs`,
  repos_url: `${origin}/users/github-actions%5Bbot%5D/repos`,
  events_url: `${origin}/users/github-actions%5Bbot%5D/events{/privacy}`,
  received_events_url: `${origin}/users/github-actions%5Bbot%5D/received_events`,
  type: 'Bot',
  site_admin: false,
});

class HttpReply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const reply = (status: number, body?: unknown, headers?: Record<string, string>) =>
  new HttpReply(status, body, headers);
const basicError = (status: number, message: string) =>
  reply(status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly releases: FakeRelease[] = [];
  readonly requests: LoggedRequest[] = [];
  readonly violations: string[] = [];
  readonly faults: Fault[] = [];
  /** Resolved callbacks when a request of an operation arrives (see waitFor). */
  private waiters: { operationId: string; count: number; resolve: () => void }[] = [];
  private nextId = 1000;
  private storageKeys = new Map<string, number>();
  private faultHits = new Map<Fault, number>();
  private server!: Server;
  private uploadServer: Server | undefined;
  /** Where uploads go: the API's origin, or the uploads server's. */
  uploadOrigin = '';
  private api!: OpenAPIBackend;
  private hung = new Set<ServerResponse>();
  origin = '';

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.owner = options.owner ?? 'emi-test';
    this.repo = options.repo ?? 'catalog';
  }

  get apiUrl(): string {
    return this.origin;
  }

  async start(): Promise<this> {
    this.api = await githubOpenApi();
    const serve = (server: 'api' | 'uploads') =>
      createServer((request, response) => {
        this.handle(request, response, server).catch((error: unknown) => {
          this.violations.push(`fake server bug: ${(error as Error).stack ?? String(error)}`);
          if (!response.headersSent) response.writeHead(500).end();
        });
      });
    const listen = async (server: Server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    this.server = serve('api');
    this.origin = await listen(this.server);
    this.uploadOrigin = this.origin;
    if (this.options.separateUploads) {
      this.uploadServer = serve('uploads');
      this.uploadOrigin = await listen(this.uploadServer);
    }
    return this;
  }

  async close(): Promise<void> {
    for (const response of this.hung) response.destroy();
    for (const server of [this.server, this.uploadServer]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Resolves when the `count`-th request of an operation has arrived (counting from now). */
  waitFor(operationId: string, count = 1): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ operationId, count, resolve }));
  }

  /** Requests that would change something on GitHub. */
  writes(): LoggedRequest[] {
    return this.requests.filter((request) => ['POST', 'PATCH', 'PUT', 'DELETE'].includes(request.method));
  }

  release(tag: string): FakeRelease | undefined {
    return this.releases.find((release) => release.tag_name === tag);
  }

  /** Puts a release in place, as if an earlier run (or a person) had made it. */
  addRelease(
    release: Partial<FakeRelease> & { tag_name: string },
    assets: { name: string; bytes: Buffer; state?: 'uploaded' | 'starter' }[] = [],
  ): FakeRelease {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const made: FakeRelease = {
      id: this.nextId++,
      target_commitish: 'main',
      name: release.tag_name,
      body: '',
      draft: false,
      prerelease: false,
      immutable: false,
      make_latest: 'false',
      created_at: now,
      published_at: release.draft ? null : now,
      ...release,
      assets: assets.map((asset) => ({
        id: this.nextId++,
        name: asset.name,
        label: null,
        state: asset.state ?? 'uploaded',
        content_type: 'application/octet-stream',
        bytes: asset.bytes,
        created_at: now,
      })),
    };
    this.releases.push(made);
    return made;
  }

  // --- JSON shapes -------------------------------------------------------------------------

  private assetJson(asset: FakeAsset) {
    const release = this.releases.find((r) => r.assets.includes(asset)) as FakeRelease;
    const base = `${this.origin}/repos/${this.owner}/${this.repo}`;
    return {
      url: `${base}/releases/assets/${asset.id}`,
      browser_download_url: `${this.origin}/${this.owner}/${this.repo}/releases/download/${encodeURIComponent(release.tag_name)}/${encodeURIComponent(asset.name)}`,
      id: asset.id,
      node_id: `RA_${asset.id}`,
      name: asset.name,
      label: asset.label,
      state: asset.state,
      content_type: asset.content_type,
      size: asset.bytes.length,
      digest:
        this.options.digests === false || asset.state !== 'uploaded'
          ? null
          : `sha256:${createHash('sha256').update(asset.bytes).digest('hex')}`,
      download_count: 0,
      created_at: asset.created_at,
      updated_at: asset.created_at,
      uploader: user(this.origin),
    };
  }

  private releaseJson(release: FakeRelease) {
    const base = `${this.origin}/repos/${this.owner}/${this.repo}`;
    return {
      url: `${base}/releases/${release.id}`,
      html_url: `${this.origin}/${this.owner}/${this.repo}/releases/${release.draft ? `untagged-${release.id}` : `tag/${encodeURIComponent(release.tag_name)}`}`,
      assets_url: `${base}/releases/${release.id}/assets`,
      upload_url: `${this.uploadOrigin}/repos/${this.owner}/${this.repo}/releases/${release.id}/assets{?name,label}`,
      tarball_url: `${base}/tarball/${encodeURIComponent(release.tag_name)}`,
      zipball_url: `${base}/zipball/${encodeURIComponent(release.tag_name)}`,
      id: release.id,
      node_id: `RE_${release.id}`,
      tag_name: release.tag_name,
      target_commitish: release.target_commitish,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      immutable: release.immutable,
      created_at: release.created_at,
      published_at: release.published_at,
      updated_at: release.published_at ?? release.created_at,
      author: user(this.origin),
      assets: release.assets.map((asset) => this.assetJson(asset)),
    };
  }

  // --- the server --------------------------------------------------------------------------

  private takeFault(operationId: string): FaultAction | undefined {
    for (const fault of this.faults) {
      if (fault.operationId !== operationId) continue;
      const seen = this.faultHits.get(fault) ?? 0;
      this.faultHits.set(fault, seen + 1);
      const after = fault.after ?? 0;
      if (seen >= after && seen < after + (fault.times ?? 1)) return fault.action;
    }
    return undefined;
  }

  private notify(operationId: string): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.operationId !== operationId) continue;
      waiter.count--;
      if (waiter.count <= 0) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  private async handle(
    request: IncomingMessage,
    response: ServerResponse,
    server: 'api' | 'uploads',
  ): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const method = (request.method ?? 'GET').toUpperCase();
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
      hash.update(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const authorization = request.headers.authorization;
    const token = authorization?.replace(/^(token|bearer)\s+/i, '');
    const log: LoggedRequest = {
      method,
      path: url.pathname,
      operationId: '',
      query,
      status: 0,
      authenticated: token !== undefined,
      bytes: body.length,
      server,
    };
    this.requests.push(log);

    if (url.pathname.startsWith('/_storage/')) {
      log.operationId = 'storage';
      this.notify('storage');
      await this.serveStorage(url, response, log);
      return;
    }

    const contentType = String(request.headers['content-type'] ?? '');
    let parsedBody: unknown;
    if (contentType.startsWith('application/json') && body.length > 0) {
      try {
        parsedBody = JSON.parse(body.toString('utf8'));
      } catch {
        this.violations.push(`${method} ${url.pathname}: body is not JSON`);
      }
      log.json = parsedBody;
    }
    const oaRequest = {
      method: method.toLowerCase(),
      path: url.pathname,
      query,
      headers: request.headers as Record<string, string>,
      // The upload's raw bytes are a `string, format: binary` in the description.
      body: contentType.startsWith('application/json') ? parsedBody : body.length > 0 ? 'binary' : undefined,
    };
    const operation = this.api.matchOperation(oaRequest);
    if (!operation) {
      this.violations.push(`${method} ${url.pathname}: no operation of the description matches`);
      this.send(response, log, undefined, basicError(404, 'Not Found'));
      return;
    }
    log.operationId = operation.operationId ?? '';
    const isUpload = log.operationId === 'repos/upload-release-asset';
    if (this.uploadServer && isUpload !== (server === 'uploads'))
      this.violations.push(`${log.operationId} sent to the ${server} server`);
    const validation = this.api.validateRequest(oaRequest, operation);
    if (!validation.valid) {
      this.violations.push(
        `${log.operationId} ${method} ${url.pathname}: ${JSON.stringify(validation.errors?.map((e) => `${e.instancePath} ${e.message}`))}`,
      );
      this.send(
        response,
        log,
        operation.operationId,
        reply(422, { message: 'Invalid request', documentation_url: 'https://docs.github.com/rest' }),
      );
      return;
    }
    this.notify(log.operationId);

    const fault = this.takeFault(log.operationId);
    if (fault && 'status' in fault) {
      this.send(
        response,
        log,
        undefined,
        reply(fault.status, fault.body ?? { message: 'fault' }, fault.headers),
      );
      return;
    }

    const params = operation.path.split('/').filter(Boolean);
    const parts = url.pathname.split('/').filter(Boolean);
    const values: Record<string, string> = {};
    params.forEach((param, index) => {
      const match = /^\{(.+)\}$/.exec(param);
      if (match) values[match[1] as string] = decodeURIComponent(parts[index] ?? '');
    });
    if (values.owner !== this.owner || values.repo !== this.repo) {
      this.send(response, log, log.operationId, basicError(404, 'Not Found'));
      return;
    }

    const isWrite = method !== 'GET' && method !== 'HEAD';
    if (token !== undefined && !this.options.tokens?.[token]) {
      this.send(response, log, log.operationId, basicError(401, 'Bad credentials'));
      return;
    }
    if (isWrite && token === undefined) {
      this.send(response, log, log.operationId, basicError(401, 'Requires authentication'));
      return;
    }
    if (isWrite && this.options.tokens?.[token as string] !== 'write') {
      this.send(response, log, log.operationId, basicError(403, 'Resource not accessible by integration'));
      return;
    }

    const result = this.route(log.operationId, values, query, parsedBody, body, request, fault, response);
    if (result === 'hang') {
      this.hung.add(response);
      return;
    }
    this.send(response, log, log.operationId, result);
  }

  private route(
    operationId: string,
    values: Record<string, string>,
    query: Record<string, string>,
    json: unknown,
    body: Buffer,
    request: IncomingMessage,
    fault: FaultAction | undefined,
    response: ServerResponse,
  ): HttpReply | 'hang' {
    const input = (json ?? {}) as Record<string, unknown>;
    const findRelease = () => this.releases.find((release) => release.id === Number(values.release_id));
    const findAsset = () => {
      for (const release of this.releases)
        for (const asset of release.assets)
          if (asset.id === Number(values.asset_id)) return { release, asset };
      return undefined;
    };
    switch (operationId) {
      case 'repos/list-releases': {
        const perPage = Number(query.per_page ?? 30);
        const page = Number(query.page ?? 1);
        const all = [...this.releases].reverse();
        const items = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(`${this.origin}/repos/${this.owner}/${this.repo}/releases`);
          next.searchParams.set('per_page', String(perPage));
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.href}>; rel="next"`;
        }
        return reply(
          200,
          items.map((release) => this.releaseJson(release)),
          headers,
        );
      }
      case 'repos/get-release-by-tag': {
        const release = this.releases.find((r) => r.tag_name === values.tag && !r.draft);
        return release ? reply(200, this.releaseJson(release)) : basicError(404, 'Not Found');
      }
      case 'repos/get-release': {
        const release = findRelease();
        return release ? reply(200, this.releaseJson(release)) : basicError(404, 'Not Found');
      }
      case 'repos/create-release': {
        const tag = String(input.tag_name);
        if (this.releases.some((release) => release.tag_name === tag)) {
          if (this.releases.some((release) => release.tag_name === tag && release.immutable))
            return reply(422, {
              message: 'Validation Failed',
              documentation_url: 'https://docs.github.com/rest',
              errors: [
                {
                  resource: 'Release',
                  code: 'custom',
                  field: 'tag_name',
                  message: 'tag_name was used by an immutable release',
                },
              ],
            });
          return reply(422, {
            message: 'Validation Failed',
            documentation_url: 'https://docs.github.com/rest',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
          });
        }
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const draft = input.draft === true;
        const release: FakeRelease = {
          id: this.nextId++,
          tag_name: tag,
          target_commitish: String(input.target_commitish ?? 'main'),
          name: (input.name as string | undefined) ?? null,
          body: (input.body as string | undefined) ?? null,
          draft,
          prerelease: input.prerelease === true,
          immutable: !draft && this.options.immutable !== false,
          make_latest: input.make_latest as string | undefined,
          created_at: now,
          published_at: draft ? null : now,
          assets: [],
        };
        this.releases.push(release);
        return reply(201, this.releaseJson(release), {
          location: `${this.origin}/repos/${this.owner}/${this.repo}/releases/${release.id}`,
        });
      }
      case 'repos/update-release': {
        const release = findRelease();
        if (!release) return basicError(404, 'Not Found');
        if (release.immutable) return basicError(422, 'Cannot modify an immutable release');
        for (const field of [
          'tag_name',
          'target_commitish',
          'name',
          'body',
          'prerelease',
          'make_latest',
        ] as const)
          if (input[field] !== undefined)
            (release as unknown as Record<string, unknown>)[field] = input[field];
        if (input.draft === false && release.draft) {
          release.draft = false;
          release.published_at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          release.immutable = this.options.immutable !== false;
        }
        return reply(200, this.releaseJson(release));
      }
      case 'repos/list-release-assets': {
        const release = findRelease();
        if (!release) return basicError(404, 'Not Found');
        const perPage = Number(query.per_page ?? 30);
        const page = Number(query.page ?? 1);
        return reply(
          200,
          release.assets.slice((page - 1) * perPage, page * perPage).map((asset) => this.assetJson(asset)),
        );
      }
      case 'repos/delete-release-asset': {
        const found = findAsset();
        if (!found) return basicError(404, 'Not Found');
        if (found.release.immutable) return basicError(422, 'Cannot delete assets of an immutable release');
        found.release.assets.splice(found.release.assets.indexOf(found.asset), 1);
        return reply(204);
      }
      case 'repos/get-release-asset': {
        const found = findAsset();
        if (!found) return basicError(404, 'Not Found');
        if (String(request.headers.accept ?? '').includes('application/octet-stream')) {
          const key = randomBytes(12).toString('hex');
          this.storageKeys.set(key, found.asset.id);
          return reply(302, undefined, {
            location: `${this.origin}/_storage/${key}/${encodeURIComponent(found.asset.name)}`,
          });
        }
        return reply(200, this.assetJson(found.asset));
      }
      case 'repos/upload-release-asset': {
        const release = findRelease();
        if (!release) return basicError(404, 'Not Found');
        const length = request.headers['content-length'];
        if (length === undefined || Number(length) !== body.length) {
          this.violations.push(
            `upload ${query.name}: Content-Length ${String(length)} for ${body.length} bytes`,
          );
          return basicError(400, 'Bad Content-Length');
        }
        if (release.immutable) return basicError(422, 'Cannot upload assets to an immutable release');
        const name = String(query.name);
        if (release.assets.some((asset) => asset.name === name))
          return reply(422, {
            message: 'Validation Failed',
            documentation_url: 'https://docs.github.com/rest',
            errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
          });
        const asset: FakeAsset = {
          id: this.nextId++,
          name,
          label: query.label ?? null,
          state: 'uploaded',
          content_type: String(request.headers['content-type'] ?? 'application/octet-stream'),
          bytes: body,
          created_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        };
        release.assets.push(asset);
        if (fault && 'kind' in fault && (fault.kind === 'starter-502' || fault.kind === 'starter-hang')) {
          asset.state = 'starter';
          asset.bytes = Buffer.alloc(0);
          if (fault.kind === 'starter-hang') {
            void response;
            return 'hang';
          }
          return basicError(502, 'Bad Gateway');
        }
        return reply(201, this.assetJson(asset));
      }
      default:
        this.violations.push(`${operationId}: not implemented by the fake`);
        return basicError(501, `${operationId} is not implemented by the fake`);
    }
  }

  private send(
    response: ServerResponse,
    log: LoggedRequest,
    operationId: string | undefined,
    result: HttpReply,
  ): void {
    log.status = result.status;
    if (operationId) {
      const operation = this.api.getOperation(operationId);
      const documented = operation?.responses && String(result.status) in operation.responses;
      if (operation && documented) {
        const check = this.api.validateResponse(
          result.body === undefined ? null : result.body,
          operation,
          result.status,
        );
        if (!check.valid && !(result.body === undefined && result.status >= 300))
          this.violations.push(
            `response ${result.status} of ${operationId}: ${JSON.stringify(check.errors?.slice(0, 5).map((e) => `${e.instancePath} ${e.message}`))}`,
          );
      }
    }
    const headers: Record<string, string> = { ...rateHeaders(), ...result.headers };
    if (result.body === undefined) {
      response.writeHead(result.status, headers).end();
      return;
    }
    const text = JSON.stringify(result.body);
    response
      .writeHead(result.status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
      })
      .end(text);
  }

  private async serveStorage(url: URL, response: ServerResponse, log: LoggedRequest): Promise<void> {
    const key = url.pathname.split('/')[2] ?? '';
    const assetId = this.storageKeys.get(key);
    const asset = this.releases.flatMap((release) => release.assets).find((a) => a.id === assetId);
    if (!asset) {
      log.status = 404;
      response.writeHead(404).end();
      return;
    }
    const fault = this.takeFault('storage');
    let bytes = asset.bytes;
    if (fault && 'kind' in fault && fault.kind === 'corrupt') {
      bytes = Buffer.from(bytes);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    }
    if (fault && 'status' in fault) {
      log.status = fault.status;
      response.writeHead(fault.status, fault.headers ?? {}).end();
      return;
    }
    log.status = 200;
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
    });
    if (fault && 'kind' in fault && fault.kind === 'stall-after') {
      response.write(bytes.subarray(0, fault.bytes));
      this.hung.add(response);
      return;
    }
    // In 1 MiB writes, respecting back-pressure, as a file server would.
    for (let offset = 0; offset < bytes.length; offset += 1024 * 1024) {
      if (!response.write(bytes.subarray(offset, offset + 1024 * 1024)))
        await new Promise((resolve) => response.once('drain', resolve));
      if (response.destroyed) return;
    }
    response.end();
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(options).start();
}
