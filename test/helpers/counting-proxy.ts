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
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const requests: { method: string; path: string }[] = [];
  const to = new URL(target);
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
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((entry) => entry.method !== 'GET' && entry.method !== 'HEAD'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
