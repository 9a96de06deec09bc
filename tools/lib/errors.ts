/**
 * The error taxonomy. Only the CLI turns these into output and exit codes:
 * - UserError: expected and actionable; printed as one sentence, no stack.
 * - UsageError: the command line itself is wrong; printed with a pointer to --help.
 * - ProblemsFound: validation found problems that were already reported as data.
 * - anything else is a bug (InternalError): printed with its stack and a hint to report it.
 */

export const ExitCode = {
  ok: 0,
  problems: 1,
  usage: 2,
  /** EX_SOFTWARE from sysexits.h: an internal error. */
  internal: 70,
  /** 128 + SIGINT. */
  interrupted: 130,
  /** 128 + SIGTERM. */
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  override name = 'UserError';
  readonly exitCode: ExitCode;
  constructor(message: string, options?: { cause?: unknown; exitCode?: ExitCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? ExitCode.problems;
  }
}

export class UsageError extends UserError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, { exitCode: ExitCode.usage });
  }
}

export class InternalError extends Error {
  override name = 'InternalError';
}

/** A child process that failed: keeps the command, its exit code and the tail of its stderr. */
export class ProcessError extends UserError {
  override name = 'ProcessError';
  readonly command: string;
  readonly processExitCode: number | undefined;
  readonly stderrTail: string;
  /** How it failed when it did not just exit non-zero (timed out, killed, cancelled). */
  readonly detail: string | undefined;
  constructor(command: string, processExitCode: number | undefined, stderrTail: string, detail?: string) {
    const how = detail ?? (processExitCode === undefined ? 'failed' : `exited with code ${processExitCode}`);
    const tail = stderrTail.trim() ? `:\n${indent(stderrTail.trim())}` : '';
    super(`${command} ${how}${tail}`);
    this.command = command;
    this.processExitCode = processExitCode;
    this.stderrTail = stderrTail;
    this.detail = detail;
  }

  /** The same failure, shown as another command (e.g. the program inside a wrapper). */
  relabel(command: string): ProcessError {
    return new ProcessError(command, this.processExitCode, this.stderrTail, this.detail);
  }
}

/**
 * A user error whose message was already shown (e.g. as the failed step of a progress display):
 * the CLI exits with its code without printing it a second time (--json still gets the document).
 */
export class ReportedError extends UserError {
  override name = 'ReportedError';
}

/** A lock held by another process. */
export class LockedError extends UserError {
  override name = 'LockedError';
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

export function tail(text: string, lines = 20): string {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
