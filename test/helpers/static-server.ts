/** A static file server on 127.0.0.1 for browser tests: serves one folder, nothing outside it. */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  url: string;
  /** Every path that was asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function serveFolder(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    requests.push(path);
    const relativePath = normalize(path.endsWith('/') ? `${path}index.html` : path).replace(/^[/\\]+/, '');
    if (relativePath.startsWith(`..${sep}`) || relativePath === '..') {
      response.writeHead(403).end();
      return;
    }
    readFile(join(root, relativePath)).then(
      (content) => {
        response.writeHead(200, {
          'content-type': types[extname(relativePath)] ?? 'application/octet-stream',
        });
        response.end(content);
      },
      () => response.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
