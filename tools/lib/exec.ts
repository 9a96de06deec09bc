/**
 * The one adapter for child processes (the only importer of execa). Commands are argument
 * arrays, never shell strings; a failure becomes a ProcessError with the command, its exit
 * code and the tail of its stderr.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { execa, type Options } from 'execa';
import { ProcessError, tail } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Replace the environment instead of extending it. */
  extendEnv?: boolean;
  input?: string | Uint8Array;
  timeoutMs?: number;
  /** Do not throw on a non-zero exit: the caller looks at exitCode. */
  reject?: boolean;
  signal?: AbortSignal;
  /** Stream the child's output to ours (long builds), instead of capturing it. */
  inherit?: boolean;
  /** Called with each line of stdout as it arrives. */
  onLine?: (line: string) => void;
  /** Send this signal when the timeout or the abort signal fires (default SIGTERM). */
  killSignal?: NodeJS.Signals;
  /** stdout as bytes instead of text. */
  binary?: boolean;
  /**
   * Interleave stderr with stdout (a long tool's log, e.g. debootstrap): onLine gets both, and a
   * failure shows the tail of both.
   */
  mergeOutput?: boolean;
}

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  stdoutBytes?: Uint8Array;
}

export function describeCommand(file: string, args: readonly string[]): string {
  return [file, ...args]
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part)))
    .join(' ');
}

export async function runCommand(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const command = describeCommand(file, args);
  const execaOptions: Options = {
    reject: false,
    stripFinalNewline: false,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.extendEnv === undefined ? {} : { extendEnv: options.extendEnv }),
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
    ...(options.killSignal === undefined ? {} : { killSignal: options.killSignal }),
    ...(options.inherit ? { stdout: 'inherit' as const, stderr: 'inherit' as const } : {}),
    ...(options.binary ? { encoding: 'buffer' as const } : {}),
    ...(options.mergeOutput ? { all: true } : {}),
  };
  const child = execa(file, [...args], execaOptions);
  const lineSource = options.mergeOutput ? child.all : child.stdout;
  if (options.onLine && lineSource) {
    let pending = '';
    lineSource.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    });
    lineSource.on('end', () => {
      if (pending) options.onLine?.(pending);
    });
  }
  const result = await child;
  const toText = (value: unknown): string =>
    typeof value === 'string'
      ? value
      : value instanceof Uint8Array
        ? Buffer.from(value).toString('utf8')
        : '';
  // In binary mode the bytes are the result: decoding megabytes of blobs as text would be waste.
  const stdout = options.binary ? '' : toText(result.stdout);
  const stderr = toText(result.stderr);
  if (result.failed && options.reject !== false) {
    let detail: string | undefined;
    if (result.timedOut) detail = `timed out after ${options.timeoutMs} ms`;
    else if (result.isCanceled) detail = 'was cancelled';
    else if (result.signal) detail = `was killed by ${result.signal}`;
    else if (result.exitCode === undefined)
      detail = `could not start (${result.shortMessage ?? 'unknown error'})`;
    const output = options.mergeOutput ? toText((result as { all?: unknown }).all) : stderr;
    throw new ProcessError(command, result.exitCode, tail(output), detail);
  }
  return {
    command,
    exitCode: result.exitCode ?? -1,
    stdout,
    stderr,
    ...(options.binary && result.stdout instanceof Uint8Array ? { stdoutBytes: result.stdout } : {}),
  };
}

/** Whether a program is on the PATH (or, with a slash, exists and is executable). */
export async function hasCommand(name: string): Promise<boolean> {
  const result = await runCommand('sh', ['-c', 'command -v "$1"', 'sh', name], { reject: false });
  return result.exitCode === 0;
}

/**
 * A filter process as a stream (e.g. `tar -xzO`, `zstd -dc`): `input` (if any) goes to its stdin,
 * and the returned stream carries its stdout. The stream ends only after the process exited 0; a
 * failure (exit code, signal, abort) destroys it with a ProcessError, so a truncated output is
 * never taken for the whole.
 */
export function streamCommand(
  file: string,
  args: readonly string[],
  options: { input?: Readable; signal?: AbortSignal; env?: Record<string, string | undefined> } = {},
): Readable {
  const command = describeCommand(file, args);
  const output = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
  const child = execa(file, [...args], {
    reject: false,
    buffer: { stdout: false, stderr: true },
    stdin: options.input ? 'pipe' : 'ignore',
    stripFinalNewline: false,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
  });
  if (options.input && child.stdin) {
    const stdin = child.stdin;
    pipelineAsync(options.input, stdin).catch((error: unknown) => {
      // The process stopped reading (it failed, or found all it wanted): its exit decides.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') child.kill();
      output.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  }
  child.stdout?.pipe(output, { end: false });
  child.then(
    (result) => {
      if (result.failed) {
        const detail = result.signal ? `was killed by ${result.signal}` : undefined;
        const stderr = typeof result.stderr === 'string' ? result.stderr : '';
        output.destroy(new ProcessError(command, result.exitCode, tail(stderr), detail));
      } else output.end();
    },
    (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  output.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return output;
}
