/** The emulator over real HTTP on loopback, seen through curl as the agent sees it. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type InstanceConfig, normalizeInstance } from '../../../tools/boot-check/metadata/instance.js';
import { type MetadataServer, startMetadataServer } from '../../../tools/boot-check/metadata/server.js';
import { runCommand } from '../../../tools/lib/exec.js';

let server: MetadataServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(config: Partial<InstanceConfig> = {}): Promise<MetadataServer> {
  server = await startMetadataServer({
    instance: normalizeInstance({ instance_id: 'i-0123456789abcdef0', ...config }),
  });
  return server;
}

interface Reply {
  code: string;
  body: string;
  curlExit: number;
  headers: string;
}

async function curl(
  path: string,
  args: string[] = [],
  binary = false,
  output = '-',
): Promise<Reply & { bytes?: Uint8Array }> {
  if (!server) throw new Error('no server');
  const dir = await mkdtemp(join(tmpdir(), 'emi-curl-'));
  try {
    const headerFile = join(dir, 'headers');
    const result = await runCommand(
      'curl',
      [
        '-q',
        '-sS',
        '--noproxy',
        '*',
        '-m',
        '5',
        '-D',
        headerFile,
        '-o',
        output,
        ...args,
        `${server.url}${path}`,
      ],
      { reject: false, binary },
    );
    const headers = await readFile(headerFile, 'utf8').catch(() => '');
    const code = headers.match(/^HTTP\/[\d.]+ (\d{3})/m)?.[1] ?? '000';
    return {
      code,
      body: result.stdout,
      curlExit: result.exitCode,
      headers,
      ...(result.stdoutBytes ? { bytes: result.stdoutBytes } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ttl = ['-H', 'X-aws-ec2-metadata-token-ttl-seconds: 60'];
const getToken = async () => (await curl('/latest/api/token', ['-X', 'PUT', ...ttl])).body;

describe('token modes', () => {
  it('optional: works with or without a token; a bad token gets 401', async () => {
    await serve();
    expect((await curl('/latest/meta-data/instance-id')).body).toBe('i-0123456789abcdef0');
    const token = await getToken();
    expect(token).toMatch(/^AQAEA[\w-]{51}$/);
    expect(
      (await curl('/latest/meta-data/instance-id', ['-H', `X-aws-ec2-metadata-token: ${token}`])).code,
    ).toBe('200');
    expect((await curl('/latest/meta-data/instance-id', ['-H', 'X-aws-ec2-metadata-token: nope'])).code).toBe(
      '401',
    );
    expect(server?.requests.map((request) => request.token)).toEqual(['none', 'none', 'valid', 'invalid']);
  });

  it('required: 401 without a token', async () => {
    await serve({ tokens: 'required' });
    expect((await curl('/latest/meta-data/instance-id')).code).toBe('401');
    const token = await getToken();
    expect(
      (await curl('/latest/meta-data/instance-id', ['-H', `X-aws-ec2-metadata-token: ${token}`])).body,
    ).toBe('i-0123456789abcdef0');
  });

  it('checks the token request as EC2 does: TTL needed and in range, PUT only, no proxy', async () => {
    await serve();
    expect((await curl('/latest/api/token', ['-X', 'PUT'])).code).toBe('400');
    expect(
      (await curl('/latest/api/token', ['-X', 'PUT', '-H', 'X-aws-ec2-metadata-token-ttl-seconds: 0'])).code,
    ).toBe('400');
    expect(
      (await curl('/latest/api/token', ['-X', 'PUT', '-H', 'X-aws-ec2-metadata-token-ttl-seconds: 21601']))
        .code,
    ).toBe('400');
    expect((await curl('/latest/api/token')).code).toBe('405');
    expect(
      (await curl('/latest/api/token', ['-X', 'PUT', ...ttl, '-H', 'X-Forwarded-For: 10.0.0.1'])).code,
    ).toBe('403');
    const granted = await curl('/latest/api/token', ['-X', 'PUT', ...ttl]);
    expect(granted.headers).toMatch(/X-Aws-Ec2-Metadata-Token-Ttl-Seconds: 60/i);
  });

  it('expires a token after its TTL cap or its uses', async () => {
    await serve({ token_ttl_max: 1, token_uses: 2 });
    const token = await getToken();
    const withToken = ['-H', `X-aws-ec2-metadata-token: ${token}`];
    expect((await curl('/latest/meta-data/instance-id', withToken)).code).toBe('200');
    expect((await curl('/latest/meta-data/instance-id', withToken)).code).toBe('200');
    expect((await curl('/latest/meta-data/instance-id', withToken)).code).toBe('401');
    const second = await getToken();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(
      (await curl('/latest/meta-data/instance-id', ['-H', `X-aws-ec2-metadata-token: ${second}`])).code,
    ).toBe('401');
  });

  it('disabled: 403 everywhere', async () => {
    await serve({ tokens: 'disabled' });
    expect((await curl('/latest/api/token', ['-X', 'PUT', ...ttl])).code).toBe('403');
    expect((await curl('/latest/meta-data/')).code).toBe('403');
  });

  it('eucalyptus: no token route, and "200 System is still starting up" during the start-up window', async () => {
    await serve({ tokens: 'eucalyptus', starting_up_seconds: 1 });
    expect(await curl('/latest/meta-data/instance-id')).toMatchObject({
      code: '200',
      body: 'System is still starting up',
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await curl('/latest/api/token', ['-X', 'PUT', ...ttl])).code).toBe('404');
    expect(
      (await curl('/latest/meta-data/instance-id', ['-H', 'X-aws-ec2-metadata-token: ignored'])).body,
    ).toBe('i-0123456789abcdef0');
  });
});

describe('faults', () => {
  it('answers any status with Retry-After, for the first N requests only', async () => {
    await serve({
      faults: [{ path: '/latest/meta-data/instance-id', status: 503, retry_after: 7, times: 2 }],
    });
    const first = await curl('/latest/meta-data/instance-id');
    expect(first.code).toBe('503');
    expect(first.headers).toMatch(/Retry-After: 7/);
    expect((await curl('/latest/meta-data/instance-id')).code).toBe('503');
    expect((await curl('/latest/meta-data/instance-id')).code).toBe('200');
    expect(server?.requests.map((request) => request.fault)).toEqual([
      'status 503, retry-after 7',
      'status 503, retry-after 7',
      undefined,
    ]);
  });

  it('matches paths exactly, by prefix with *, or all with *; and by method', async () => {
    await serve({
      faults: [
        { path: '/latest/meta-data/public-keys/*', status: 500 },
        { path: '*', method: 'PUT', status: 418 },
      ],
    });
    expect((await curl('/latest/meta-data/public-keys/0/openssh-key')).code).toBe('500');
    expect((await curl('/latest/meta-data/public-keys/')).code).toBe('500');
    expect((await curl('/latest/meta-data/instance-id')).code).toBe('200');
    expect((await curl('/latest/api/token', ['-X', 'PUT', ...ttl])).code).toBe('418');
  });

  it('delays, hangs, drips, truncates and resets', async () => {
    await serve({
      faults: [
        { path: '/latest/meta-data/ami-id', delay_ms: 600 },
        { path: '/latest/meta-data/hostname', hang: true },
        { path: '/latest/meta-data/local-ipv4', drip_ms: 400 },
        { path: '/latest/meta-data/instance-id', truncate: true },
        { path: '/latest/meta-data/mac', reset: true },
      ],
    });
    const started = Date.now();
    expect((await curl('/latest/meta-data/ami-id')).code).toBe('200');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect((await curl('/latest/meta-data/hostname', ['-m', '1'])).curlExit).toBe(28);
    const drip = await curl('/latest/meta-data/local-ipv4', ['-m', '1']);
    expect(drip).toMatchObject({ code: '200', curlExit: 28 });
    expect(drip.body.length).toBeLessThan(5);
    const cut = await curl('/latest/meta-data/instance-id');
    expect(cut.curlExit).toBe(18);
    expect(cut.body).toBe('i-0123456');
    expect([52, 56]).toContain((await curl('/latest/meta-data/mac')).curlExit);
    expect(
      server?.requests.find((request) => request.path === '/latest/meta-data/hostname')?.status,
    ).toBeUndefined();
  });

  it('refuses connections for a while, then listens on the same port', async () => {
    await serve({ refuse_seconds: 1 });
    expect((await curl('/latest/meta-data/instance-id')).curlExit).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await curl('/latest/meta-data/instance-id')).body).toBe('i-0123456789abcdef0');
    const window = server?.refuseFor(1);
    expect((await curl('/latest/meta-data/instance-id')).curlExit).toBe(7);
    await window;
    expect((await curl('/latest/meta-data/instance-id')).curlExit).toBe(0);
  });

  it('sends huge, binary and gzip-bomb bodies of the size asked, streamed', async () => {
    await serve({
      faults: [
        { path: '/huge', body_kind: 'huge', size: 100 * 1024 * 1024 },
        { path: '/binary', body_kind: 'binary', size: 1000 },
        { path: '/bomb', body_kind: 'gzip-bomb', size: 3 * 1024 * 1024 + 5, content_encoding: true },
      ],
    });
    const huge = await curl('/huge', ['-w', '%{size_download}'], false, '/dev/null');
    expect(huge.body).toBe(String(100 * 1024 * 1024));
    const binary = await curl('/binary', [], true);
    expect(Buffer.from(binary.bytes ?? []).subarray(0, 4)).toEqual(Buffer.from([0, 1, 2, 3]));
    expect(binary.bytes?.length).toBe(1000);
    const bomb = await curl('/bomb', [], true);
    expect(bomb.headers).toMatch(/Content-Encoding: gzip/);
    const compressed = Buffer.from(bomb.bytes ?? []);
    expect(compressed.length).toBeLessThan(10_000);
    expect(gunzipSync(compressed).length).toBe(3 * 1024 * 1024 + 5);
  });

  it('replaces the body of a 200, e.g. with an error page', async () => {
    await serve({ faults: [{ path: '/latest/meta-data/local-hostname', body: '<html>oops</html>' }] });
    expect(await curl('/latest/meta-data/local-hostname')).toMatchObject({
      code: '200',
      body: '<html>oops</html>',
    });
  });
});

describe('the running server', () => {
  it('serves another instance after setInstance, with fresh fault counts', async () => {
    await serve({ faults: [{ path: '/latest/meta-data/instance-id', status: 500, times: 1 }] });
    expect((await curl('/latest/meta-data/instance-id')).code).toBe('500');
    server?.setInstance(
      normalizeInstance({
        instance_id: 'i-0fedcba9876543210',
        faults: [{ path: '/latest/meta-data/instance-id', status: 500, times: 1 }],
      }),
    );
    expect((await curl('/latest/meta-data/instance-id')).code).toBe('500');
    expect((await curl('/latest/meta-data/instance-id')).body).toBe('i-0fedcba9876543210');
  });

  it('closes with requests still hanging', async () => {
    await serve({ faults: [{ path: '*', hang: true }] });
    const pending = curl('/latest/meta-data/', ['-m', '10']);
    while (server?.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await server?.close();
    server = undefined;
    expect((await pending).curlExit).toBe(52);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('paths as EC2 reads them (issue 13, item 18)', () => {
  it('answers paths with doubled slashes, as ec2-metadata -e and -r ask for them', async () => {
    await serve({ tokens: 'required', meta_data: { 'ramdisk-id': 'ari-0a1b2c3d' } });
    const token = ['-H', `X-aws-ec2-metadata-token: ${await getToken()}`];
    expect(await curl('/latest//meta-data/reservation-id', token)).toMatchObject({
      code: '200',
      body: 'r-0123456789abcdef0',
    });
    expect((await curl('/latest//meta-data/ramdisk-id', token)).body).toBe('ari-0a1b2c3d');
    expect((await curl('//latest///meta-data//instance-id', token)).body).toBe('i-0123456789abcdef0');
    expect((await curl('/latest/meta-data//placement//availability-zone', token)).body).toBe('us-east-1a');
    expect((await curl('/latest//meta-data//nothing-here', token)).code).toBe('404');
    // The log keeps what was asked.
    expect(server?.requests[1]?.path).toBe('/latest//meta-data/reservation-id');
  });

  it('applies a fault to the normalised path', async () => {
    await serve({ faults: [{ path: '/latest/meta-data/reservation-id', status: 503 }] });
    expect((await curl('/latest//meta-data/reservation-id')).code).toBe('503');
  });
});
