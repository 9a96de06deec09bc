/**
 * The EC2 metadata service emulator: an HTTP server on loopback that answers from an Instance
 * (see tree.ts), with IMDSv2 tokens in four modes, fault injection per path and a request log.
 * `emi metadata-server` runs it from the command line; tests start it in-process.
 */
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { bufferBody, describeFault, FaultBook, type GeneratedBody, generatedBody } from './faults.js';
import type { Fault, Instance } from './instance.js';
import { type TokenState, TokenStore, tokenHeader, ttlHeader } from './tokens.js';
import { answerMetadata, notFoundPage } from './tree.js';

export const startingUpMessage = 'System is still starting up';
export const tokenPath = '/latest/api/token';

export interface RequestRecord {
  /** 1 for the first request the server received. */
  seq: number;
  /** Milliseconds since the server (or the current instance) started. */
  at: number;
  method: string;
  path: string;
  /** Whether the request carried a token, and whether it was good. */
  token: TokenState;
  /** The status sent, or undefined when nothing was (hang, reset). */
  status: number | undefined;
  /** The fault applied, e.g. `status 503, retry-after 1`. */
  fault?: string;
  userAgent?: string;
}

export interface MetadataServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every request so far, in order of arrival. */
  readonly requests: readonly RequestRecord[];
  readonly instance: Instance;
  /** Serves another instance from now on (a new instance-id, other faults): tokens, fault counts and windows start over. */
  setInstance(instance: Instance): void;
  /** Closes the port for `seconds` (connections refused), then listens again. */
  refuseFor(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  instance: Instance;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Called once per request, when its status is decided (or it is left hanging). */
  onRequest?: (record: RequestRecord) => void;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: GeneratedBody;
}

interface State {
  instance: Instance;
  tokens: TokenStore;
  faults: FaultBook;
  startedAt: number;
}

function newState(instance: Instance): State {
  return {
    instance,
    tokens: new TokenStore(instance.tokenTtlMax, instance.tokenUses),
    faults: new FaultBook(instance.faults),
    startedAt: Date.now(),
  };
}

function textAnswer(status: number, body: string | Buffer, contentType = 'text/plain'): Answer {
  return {
    status,
    headers: { 'Content-Type': contentType },
    body: bufferBody(typeof body === 'string' ? Buffer.from(body, 'utf8') : body),
  };
}

function statusPage(status: number): Answer {
  return textAnswer(status, `${status} ${STATUS_CODES[status] ?? 'Status'}\n`, 'text/html');
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The service's own answer, before faults: window, modes, tokens, then the tree. */
function realAnswer(state: State, request: IncomingMessage, path: string, record: RequestRecord): Answer {
  const { instance } = state;
  const method = request.method ?? 'GET';
  if (Date.now() - state.startedAt < instance.startingUpSeconds * 1000)
    return textAnswer(200, startingUpMessage);
  if (instance.tokens === 'disabled') return statusPage(403);
  // Eucalyptus has no token route at all.
  if (path === tokenPath && instance.tokens === 'eucalyptus')
    return textAnswer(404, notFoundPage(), 'text/html');
  if (path === tokenPath) {
    if (method !== 'PUT')
      return { ...statusPage(405), headers: { 'Content-Type': 'text/html', Allow: 'PUT' } };
    // EC2 refuses token requests that went through a proxy.
    if (headerValue(request, 'x-forwarded-for') !== undefined) return statusPage(403);
    const ttl = TokenStore.parseTtl(headerValue(request, ttlHeader));
    if (ttl === undefined) return statusPage(400);
    const issued = state.tokens.issue(ttl);
    const answer = textAnswer(200, issued.token);
    answer.headers['X-Aws-Ec2-Metadata-Token-Ttl-Seconds'] = String(issued.ttl);
    return answer;
  }
  if (method !== 'GET' && method !== 'HEAD') return statusPage(405);
  if (instance.tokens !== 'eucalyptus') {
    record.token = state.tokens.check(headerValue(request, tokenHeader));
    if (record.token === 'invalid') return statusPage(401);
    if (record.token === 'none' && instance.tokens === 'required') return statusPage(401);
  }
  const answer = answerMetadata(instance, path);
  return textAnswer(answer.status, answer.body, answer.contentType);
}

/** The answer with a fault's status, headers and body applied. */
function faultyAnswer(fault: Fault, real: Answer): Answer {
  const replacesBody = fault.body !== undefined || fault.body_kind !== undefined;
  if (fault.status === undefined && !replacesBody) return real;
  const status = fault.status ?? 200;
  let answer: Answer;
  if (fault.body_kind !== undefined) {
    answer = {
      status,
      headers: { 'Content-Type': fault.body_kind === 'huge' ? 'text/plain' : 'application/octet-stream' },
      body: generatedBody(fault.body_kind, fault.size),
    };
    if (fault.body_kind === 'gzip-bomb' && fault.content_encoding)
      answer.headers['Content-Encoding'] = 'gzip';
  } else if (fault.body !== undefined) answer = textAnswer(status, fault.body);
  else answer = status === real.status ? real : statusPage(status);
  if (fault.retry_after !== undefined) answer.headers['Retry-After'] = String(fault.retry_after);
  Object.assign(answer.headers, fault.headers ?? {});
  return answer;
}

/**
 * The path the service answers for: runs of slashes count as one, as on EC2, where Amazon's own
 * ec2-metadata asks for /latest//meta-data/reservation-id (its -e and -r options).
 */
export function normalizePath(path: string): string {
  return path.replace(/\/{2,}/g, '/');
}

function requestPath(url: string): string {
  let path = url;
  // A request sent through a proxy carries the whole URL.
  if (/^https?:\/\//i.test(path)) path = path.replace(/^https?:\/\/[^/]*/i, '') || '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

export async function startMetadataServer(options: StartOptions): Promise<MetadataServer> {
  const host = options.host ?? '127.0.0.1';
  let state = newState(options.instance);
  const requests: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let listening = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function send(response: ServerResponse, answer: Answer, fault: Fault | undefined, head: boolean) {
    response.writeHead(answer.status, {
      Server: 'EC2ws',
      'Content-Length': String(answer.body.length),
      ...answer.headers,
    });
    if (head) {
      response.end();
      return;
    }
    const half = Math.floor(answer.body.length / 2);
    let sent = 0;
    for (const chunk of answer.body.chunks()) {
      if (closed || response.destroyed) return;
      if (fault?.truncate && sent + chunk.length > half) {
        response.write(chunk.subarray(0, half - sent));
        // Let the partial body leave before the connection drops.
        await wait(20);
        response.destroy();
        return;
      }
      if (fault?.drip_ms !== undefined) {
        for (let index = 0; index < chunk.length; index++) {
          if (closed || response.destroyed) return;
          response.write(chunk.subarray(index, index + 1));
          await wait(fault.drip_ms);
        }
      } else if (!response.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            response.off('drain', done);
            response.off('close', done);
            resolve();
          };
          response.on('drain', done);
          response.on('close', done);
        });
      }
      sent += chunk.length;
    }
    if (fault?.truncate) {
      response.destroy();
      return;
    }
    response.end();
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = requestPath(request.url ?? '/');
    const record: RequestRecord = {
      seq: requests.length + 1,
      at: Date.now() - state.startedAt,
      method,
      path,
      token: 'none',
      status: undefined,
      ...(request.headers['user-agent'] === undefined ? {} : { userAgent: request.headers['user-agent'] }),
    };
    requests.push(record);
    const current = state;
    // The log keeps the path as asked; faults and answers use the normalised one.
    const served = normalizePath(path);
    const fault = current.faults.take(method, served);
    if (fault) record.fault = describeFault(fault);
    if (fault?.delay_ms) await wait(fault.delay_ms);
    if (closed) return;
    if (fault?.hang) {
      options.onRequest?.(record);
      return;
    }
    if (fault?.reset) {
      options.onRequest?.(record);
      request.socket.resetAndDestroy();
      return;
    }
    const real = realAnswer(current, request, served, record);
    const answer = fault ? faultyAnswer(fault, real) : real;
    record.status = answer.status;
    options.onRequest?.(record);
    await send(response, answer, fault, method === 'HEAD');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'Content-Type': 'text/plain' });
        response.end(`emulator error: ${error instanceof Error ? error.message : String(error)}\n`);
      } else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        listening = true;
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      listening = false;
      // close() stops accepting at once; its callback waits for open connections, which we do not.
      server.close();
      resolve();
    });

  const port = await listen(options.port ?? 0);

  async function refuseFor(seconds: number): Promise<void> {
    if (seconds <= 0 || closed) return;
    if (listening) await stopListening();
    await wait(seconds * 1000);
    if (!closed) await listen(port);
  }
  // The refusal window runs in the background: callers get the address at once.
  const startRefusal = (seconds: number) => {
    if (seconds > 0) {
      listening = false;
      server.close();
      void wait(seconds * 1000).then(() => (closed ? undefined : listen(port)));
    }
  };
  startRefusal(state.instance.refuseSeconds);

  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    requests,
    get instance() {
      return state.instance;
    },
    setInstance(instance) {
      state = newState(instance);
      startRefusal(instance.refuseSeconds);
    },
    refuseFor,
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => {
        if (!listening && !server.listening) resolve();
        else server.close(() => resolve());
      });
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
