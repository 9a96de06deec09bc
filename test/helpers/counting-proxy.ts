/**
 * A reverse proxy on loopback that forwards every request to a target (a local Glance) and keeps
 * the method and path of each, so a test can count what a run sent ("a re-run sends no write").
 * Bodies stream through untouched.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  requests: { method: string; path: string }[];
  /** The requests that change something (everything but GET and HEAD). */
  writes(): { method: string; path: string }[];
  /** When set, the first byte of every PUT body is flipped on its way (a corruption in transit). */
  tamperUploads: boolean;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const requests: { method: string; path: string }[] = [];
  const to = new URL(target);
  const proxy = { tamperUploads: false } as CountingProxy;
  const server: Server = createServer((incoming, outgoing) => {
    requests.push({ method: incoming.method ?? '?', path: incoming.url ?? '' });
    const forward = request(
      {
        host: to.hostname,
        port: to.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: to.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.on('aborted', () => forward.destroy());
    if (incoming.method === 'PUT' && proxy.tamperUploads) {
      let first = true;
      incoming.on('data', (chunk: Buffer) => {
        if (first && chunk.length > 0) {
          chunk[0] = (chunk[0] as number) ^ 0xff;
          first = false;
        }
        if (!forward.write(chunk)) {
          incoming.pause();
          forward.once('drain', () => incoming.resume());
        }
      });
      incoming.on('end', () => forward.end());
    } else incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((entry) => entry.method !== 'GET' && entry.method !== 'HEAD'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return proxy;
}
