/**
 * One HTTP(S) request with node:http: a JSON or empty body, or a stream sent with Content-Length
 * (when the size is known) or chunked. Connection failures become CloudUnreachableError; the
 * caller translates statuses. Nothing here prints or keeps headers (they can hold a token).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CloudUnreachableError } from './cloud-errors.js';

export interface TlsOptions {
  /** PEM certificates to trust instead of the system's. */
  ca?: string;
  /** Skip certificate checks (clouds.yaml `verify: false`). */
  insecure?: boolean;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** A body held in memory, or a stream (its size when known, else chunked). */
  body?: string | { stream: Readable; size?: number };
  tls?: TlsOptions;
  signal?: AbortSignal;
  /** Give up when no byte moves for this long (default 10 minutes). */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Starts a request and resolves with the response head; the body is left to the caller. */
export function sendRequest(input: HttpRequest): Promise<IncomingMessage> {
  const { url } = input;
  const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!send) return Promise.reject(new CloudUnreachableError(`unsupported URL scheme ${url.protocol}`));
  const headers: Record<string, string> = { ...input.headers };
  const body = input.body;
  if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
  else if (body?.size !== undefined) headers['content-length'] = String(body.size);
  return new Promise<IncomingMessage>((resolve, reject) => {
    const where = `${url.protocol}//${url.host}`;
    const req = send(url, {
      method: input.method,
      headers,
      ...(input.tls?.ca ? { ca: input.tls.ca } : {}),
      ...(input.tls?.insecure ? { rejectUnauthorized: false } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    req.setTimeout(input.idleTimeoutMs ?? 10 * 60 * 1000, () =>
      req.destroy(new Error('no response within the time limit')),
    );
    let answered = false;
    req.on('response', (response) => {
      answered = true;
      resolve(response);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (input.signal?.aborted) reject(input.signal.reason ?? error);
      else
        reject(
          new CloudUnreachableError(`cannot reach ${where}: ${error.code ?? error.message}`, {
            cause: error,
          }),
        );
    });
    if (body === undefined) req.end();
    else if (typeof body === 'string') req.end(body);
    else
      pipeline(body.stream, req).catch((error: unknown) => {
        // The server may answer (and close) before the whole body went out, e.g. 413: keep its answer.
        if (!answered) req.destroy(error instanceof Error ? error : new Error(String(error)));
      });
  });
}

export async function readBody(response: IncomingMessage, limit = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      response.destroy();
      throw new CloudUnreachableError(`the answer is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function httpCall(input: HttpRequest): Promise<HttpResponse> {
  const response = await sendRequest(input);
  return { status: response.statusCode ?? 0, headers: response.headers, body: await readBody(response) };
}
