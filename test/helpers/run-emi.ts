/** Runs the compiled `emi` command as a user would, in a chosen folder. */
import { fileURLToPath } from 'node:url';
import { type RunResult, runCommand } from '../../tools/lib/exec.js';

export const emiBin = fileURLToPath(new URL('../../bin/emi.js', import.meta.url));

export async function runEmi(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  return runCommand(process.execPath, [emiBin, ...args], {
    cwd: options.cwd,
    reject: false,
    env: { GITHUB_ACTIONS: undefined, CI: 'true', ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}
