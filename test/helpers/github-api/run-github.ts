/** Runs `emi` against the fake GitHub, and as a child the test can interrupt or kill. */
import { type ChildProcess, spawn } from 'node:child_process';
import type { RunResult } from '../../../tools/lib/exec.js';
import { emiBin, runEmi } from '../run-emi.js';
import type { FakeGitHub } from './fake-github.js';

export const writeToken = 'ghs_WriteToken0123456789abcdefABCDEF01';
export const readToken = 'ghs_ReadOnlyToken0123456789abcdefABCD';

export function githubEnv(fake: FakeGitHub, token: string | undefined): Record<string, string | undefined> {
  return {
    GITHUB_API_URL: fake.apiUrl,
    GITHUB_SERVER_URL: fake.apiUrl,
    GITHUB_REPOSITORY: `${fake.owner}/${fake.repo}`,
    GITHUB_TOKEN: token,
    GH_TOKEN: undefined,
  };
}

/** Everything a run printed, for the check that no token ever appears. */
export const captured: string[] = [];

export async function runAgainst(
  fake: FakeGitHub,
  args: string[],
  options: { cwd: string; token?: string | undefined; timeoutMs?: number },
): Promise<RunResult> {
  const result = await runEmi(args, {
    cwd: options.cwd,
    env: githubEnv(fake, 'token' in options ? options.token : writeToken),
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  captured.push(result.stdout, result.stderr);
  return result;
}

export interface Child {
  process: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnAgainst(
  fake: FakeGitHub,
  args: string[],
  options: { cwd: string; token?: string },
): Child {
  const child = spawn(process.execPath, [emiBin, ...args], {
    cwd: options.cwd,
    env: {
      ...process.env,
      CI: 'true',
      GITHUB_ACTIONS: undefined,
      ...githubEnv(fake, options.token ?? writeToken),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      captured.push(text);
      resolve({ code, signal });
    }),
  );
  return { process: child, output: () => text, exit };
}
