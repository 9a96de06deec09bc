/**
 * The one adapter for OpenStack Glance's images API v2: create, upload (PUT /v2/images/{id}/file,
 * streamed), get, list with filters (following `next`), JSON-patch and delete. Statuses become our
 * errors here (404 CloudNotFoundError, 401/403 CloudAuthError, others CloudApiError) with the
 * method and path, never the headers (the token).
 * https://docs.openstack.org/api-ref/image/v2/
 */
import type { Readable } from 'node:stream';
import { CloudApiError, CloudAuthError, CloudNotFoundError, errorDetail } from './cloud-errors.js';
import { type HttpResponse, httpCall, readBody, sendRequest, type TlsOptions } from './http-request.js';

/** The fields of an image we read; Glance adds the custom properties at the top level. */
export interface GlanceImage {
  id: string;
  name: string | null;
  status: 'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'killed' | 'deleted' | 'deactivated';
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  os_hidden: boolean;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  visibility: string;
  created_at: string;
  [property: string]: unknown;
}

export type JsonPatchOperation =
  | { op: 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export interface GlanceConnection {
  /** The image service's root, e.g. http://127.0.0.1:9292 (a /v2 suffix is accepted). */
  endpoint: string;
  /** A Keystone token, sent as X-Auth-Token; none for auth_type none. */
  token?: string;
  tls?: TlsOptions;
}

/** The /v2 base of an image endpoint as the catalog or an override gives it. */
export function imagesApiBase(endpoint: string): URL {
  const url = new URL(endpoint);
  let path = url.pathname.replace(/\/+$/, '');
  if (!/\/v2(\.\d+)?$/.test(path)) path = `${path}/v2`;
  url.pathname = `${path}/`;
  url.search = '';
  url.hash = '';
  return url;
}

export class GlanceClient {
  readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly tls: TlsOptions | undefined;

  constructor(connection: GlanceConnection) {
    this.base = imagesApiBase(connection.endpoint);
    this.headers = {
      accept: 'application/json',
      'user-agent': 'emi-toolkit',
      ...(connection.token ? { 'x-auth-token': connection.token } : {}),
    };
    this.tls = connection.tls;
  }

  private url(path: string, query?: Record<string, string>): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  private check(method: string, path: string, response: HttpResponse, ok: number[]): HttpResponse {
    if (ok.includes(response.status)) return response;
    const detail = errorDetail(response.body);
    const label = `/v2/${path.replace(/^\/+/, '')}`;
    const Kind =
      response.status === 404
        ? CloudNotFoundError
        : response.status === 401 || response.status === 403
          ? CloudAuthError
          : CloudApiError;
    throw new Kind('Glance', method, label, response.status, detail);
  }

  private async call(
    method: string,
    path: string,
    options: { query?: Record<string, string>; json?: unknown; contentType?: string; ok?: number[] } = {},
  ): Promise<HttpResponse> {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const response = await httpCall({
      method,
      url: this.url(path, options.query),
      headers: {
        ...this.headers,
        ...(body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
      ...(this.tls ? { tls: this.tls } : {}),
    });
    return this.check(method, path, response, options.ok ?? [200]);
  }

  /** POST /v2/images: a queued image with these fields and properties. */
  async createImage(fields: Record<string, unknown>): Promise<GlanceImage> {
    const response = await this.call('POST', 'images', { json: fields, ok: [201] });
    return JSON.parse(response.body) as GlanceImage;
  }

  /**
   * PUT /v2/images/{id}/file: the image data, streamed (Content-Length when the size is known,
   * chunked otherwise). Resolves when Glance has stored it (HTTP 204).
   */
  async uploadImageData(id: string, data: Readable, size?: number, signal?: AbortSignal): Promise<void> {
    const path = `images/${encodeURIComponent(id)}/file`;
    const response = await sendRequest({
      method: 'PUT',
      url: this.url(path),
      headers: { ...this.headers, 'content-type': 'application/octet-stream' },
      body: size === undefined ? { stream: data } : { stream: data, size },
      ...(this.tls ? { tls: this.tls } : {}),
      ...(signal ? { signal } : {}),
    });
    const body = await readBody(response);
    this.check('PUT', path, { status: response.statusCode ?? 0, headers: response.headers, body }, [204]);
  }

  async getImage(id: string): Promise<GlanceImage> {
    const response = await this.call('GET', `images/${encodeURIComponent(id)}`);
    return JSON.parse(response.body) as GlanceImage;
  }

  /**
   * GET /v2/images with filters (custom properties filter too, e.g. image_name=…), every page.
   * Hidden images are listed only with os_hidden=true, as Glance does.
   */
  async listImages(filters: Record<string, string>): Promise<GlanceImage[]> {
    const images: GlanceImage[] = [];
    let query: Record<string, string> | undefined = { limit: '100', ...filters };
    let path = 'images';
    for (let page = 0; query && page < 1000; page++) {
      const response = await this.call('GET', path, { query });
      const parsed = JSON.parse(response.body) as { images: GlanceImage[]; next?: string };
      images.push(...parsed.images);
      if (!parsed.next) break;
      // `next` is /v2/images?…&marker=…: keep its query, relative to our base.
      const next = new URL(parsed.next, this.base);
      path = 'images';
      query = Object.fromEntries(next.searchParams);
    }
    return images;
  }

  /** PATCH /v2/images/{id} with a JSON patch (Glance's own media type). */
  async patchImage(id: string, operations: readonly JsonPatchOperation[]): Promise<GlanceImage> {
    const response = await this.call('PATCH', `images/${encodeURIComponent(id)}`, {
      json: operations,
      contentType: 'application/openstack-images-v2.1-json-patch',
    });
    return JSON.parse(response.body) as GlanceImage;
  }

  /** DELETE /v2/images/{id}; an image already gone counts as deleted. */
  async deleteImage(id: string): Promise<void> {
    try {
      await this.call('DELETE', `images/${encodeURIComponent(id)}`, { ok: [204] });
    } catch (error) {
      if (!(error instanceof CloudNotFoundError)) throw error;
    }
  }
}
