/**
 * A release asset, downloaded as a stream (never to a file): GET with redirects followed (GitHub
 * answers an asset URL with a redirect to its storage), the size from Content-Length.
 */
import type { Readable } from 'node:stream';
import { CloudApiError, CloudNotFoundError } from './cloud-errors.js';
import { readBody, sendRequest } from './http-request.js';

export interface Download {
  stream: Readable;
  size?: number;
}

export async function openDownload(url: string, options: { signal?: AbortSignal } = {}): Promise<Download> {
  let current = new URL(url);
  for (let hop = 0; hop < 6; hop++) {
    if (current.protocol !== 'https:' && current.protocol !== 'http:')
      throw new CloudApiError(
        'download',
        'GET',
        current.pathname,
        0,
        `unsupported scheme ${current.protocol}`,
      );
    const response = await sendRequest({
      method: 'GET',
      url: current,
      headers: { accept: 'application/octet-stream', 'user-agent': 'emi-toolkit' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && location) {
      response.resume();
      current = new URL(location, current);
      continue;
    }
    if (status !== 200) {
      const body = await readBody(response, 64 * 1024).catch(() => '');
      const Kind = status === 404 ? CloudNotFoundError : CloudApiError;
      throw new Kind(
        'download',
        'GET',
        `${current.host}${current.pathname}`,
        status,
        body.slice(0, 200).trim(),
      );
    }
    const length = Number(response.headers['content-length']);
    return { stream: response, ...(Number.isFinite(length) && length >= 0 ? { size: length } : {}) };
  }
  throw new CloudApiError('download', 'GET', current.pathname, 0, 'too many redirects');
}
