import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type Instance, loadInstanceFile, normalizeInstance } from '../boot-check/metadata/instance.js';
import { type RequestRecord, startMetadataServer } from '../boot-check/metadata/server.js';
import { ExitCode, UsageError, UserError } from '../lib/errors.js';
import { formatProblem } from '../lib/problems.js';
import type { CommandRun } from './types.js';

export const defaultPort = 8169;

/** The instance served without --config: an AWS-like instance with no key and no user-data. */
export const defaultInstance: Instance = normalizeInstance({ instance_id: 'i-0123456789abcdef0' });

export function parsePortOption(value: string | undefined): number {
  if (value === undefined) return defaultPort;
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, not "${value}"`);
  return Number(value);
}

export function parseBindOption(value: string | undefined): string {
  if (value === undefined) return '127.0.0.1';
  if (value !== 'localhost' && isIP(value) === 0)
    throw new UsageError(`--bind must be an IP address (e.g. 127.0.0.1 or 169.254.169.254), not "${value}"`);
  return value;
}

export function formatRequest(record: RequestRecord): string {
  const status = record.status === undefined ? '---' : String(record.status);
  const token = record.token === 'none' ? '' : ` token=${record.token}`;
  const fault = record.fault ? ` fault=${record.fault}` : '';
  return `${(record.at / 1000).toFixed(3).padStart(8)}s ${status} ${record.method} ${record.path}${token}${fault}`;
}

export const run: CommandRun = async (values, _positionals, context) => {
  const port = parsePortOption(values.port as string | undefined);
  const host = parseBindOption(values.bind as string | undefined);
  let instance = defaultInstance;
  if (typeof values.config === 'string') {
    const loaded = await loadInstanceFile(resolve(context.cwd, values.config));
    if (!loaded.ok) {
      for (const problem of loaded.problems) context.err(`${formatProblem(problem)}\n`);
      throw new UserError(`${values.config}: not a valid instance file`);
    }
    instance = loaded.value;
  }
  const quiet = Boolean(values.quiet);
  let server: Awaited<ReturnType<typeof startMetadataServer>>;
  try {
    server = await startMetadataServer({
      instance,
      host,
      port,
      ...(quiet ? {} : { onRequest: (record) => context.out(`${formatRequest(record)}\n`) }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(`port ${port} on ${host} is in use: choose another with --port`);
    if (code === 'EADDRNOTAVAIL')
      throw new UserError(`${host} is not an address of this machine: add it to an interface or use --bind`);
    if (code === 'EACCES') throw new UserError(`port ${port} needs root: choose one above 1023 with --port`);
    throw error;
  }
  context.err(
    `emi metadata-server: ${instance.instanceId.slice(0, 80)} on ${server.url} (tokens: ${instance.tokens}); Ctrl-C stops it\n`,
  );
  await new Promise<void>((done) => {
    if (context.signal.aborted) done();
    else context.signal.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  return ExitCode.ok;
};
