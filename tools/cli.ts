/**
 * The one entry point of `emi`: parses argv, dispatches to a subcommand, prints errors and owns the
 * exit code. Nothing else in tools/ reads process.argv, prompts or exits.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { commands, findCommand } from './commands/registry.js';
import type { CommandContext, CommandSpec, Prompter } from './commands/types.js';
import { ExitCode, isUserError, ReportedError, UsageError } from './lib/errors.js';
import { translateFsError } from './lib/fs-errors.js';
import { toolkitPath } from './lib/paths.js';
import { redactUrls } from './lib/redact.js';

function formatOptions(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`;
    return [flag, option.description] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const usage = `emi ${spec.name}${spec.args ? ` ${spec.args}` : ''}${Object.keys(spec.options).length ? ' [options]' : ''}`;
  const parts = [`Usage: ${usage}`, '', `${spec.summary}.`];
  if (spec.description) parts.push('', spec.description);
  parts.push('', 'Options:', formatOptions(spec));
  if (spec.examples.length) parts.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  return `${parts.join('\n')}\n`;
}

export function mainHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: emi <command> [options]',
    '',
    'The image catalog toolkit: records, builds, boot checks and the changelog of cloud starter images.',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `emi <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

function version(): string {
  const manifest = JSON.parse(readFileSync(toolkitPath('package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * Prompts on the terminal. One readline interface for the whole run, read as a queue of lines, so
 * answers typed (or pasted) ahead of their question are not lost.
 */
function terminalPrompter(): Prompter & { close(): void } {
  let rl: ReturnType<typeof createInterface> | undefined;
  let lines: AsyncIterator<string> | undefined;
  const readLine = async (question: string): Promise<string> => {
    if (!rl) {
      rl = createInterface({ input: process.stdin, terminal: false });
      lines = rl[Symbol.asyncIterator]();
    }
    process.stderr.write(question);
    const next = await (lines as AsyncIterator<string>).next();
    if (next.done) throw new UsageError('no answer: the input ended');
    return next.value.trim();
  };
  return {
    async ask(question, choices) {
      for (;;) {
        const hint = choices?.length ? ` (${choices.join(', ')})` : '';
        const answer = await readLine(`${question}${hint}: `);
        if (!choices || choices.length === 0 ? answer !== '' : choices.includes(answer)) return answer;
        process.stderr.write(
          choices?.length ? `  choose one of: ${choices.join(', ')}\n` : '  an answer is needed\n',
        );
      }
    },
    async confirm(question) {
      return /^y(es)?$/i.test(await readLine(`${question} [y/N] `));
    },
    close() {
      rl?.close();
    },
  };
}

/**
 * `--epoch -1` as `--epoch=-1`: parseArgs would call "-1" ambiguous (an option?), and the command's
 * own check then says plainly whether a negative number is allowed.
 */
export function joinNegativeValues(spec: CommandSpec, args: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const next = args[index + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const short = !name && /^-[A-Za-z]$/.test(arg) ? arg.slice(1) : undefined;
    const option = name
      ? spec.options[name]
      : short
        ? Object.values(spec.options).find((candidate) => candidate.short === short)
        : undefined;
    if (option?.type === 'string' && next !== undefined && /^-[0-9.]/.test(next)) {
      out.push(name ? `${arg}=${next}` : `${arg}${next}`);
      index++;
    } else out.push(arg);
  }
  return out;
}

export async function main(argv: string[], signal: AbortSignal): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const spec = topic === undefined ? undefined : findCommand(topic);
    process.stdout.write(spec ? commandHelp(spec) : mainHelp());
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (first === '--version' || first === '-V') {
    process.stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }
  const spec = findCommand(first);
  if (!spec) throw new UsageError(`unknown command "${first}": run emi --help for the list`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(spec));
    return ExitCode.ok;
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(spec, rest),
      options: Object.fromEntries(
        Object.entries(spec.options).map(([name, option]) => [
          name,
          {
            type: option.type,
            ...(option.short ? { short: option.short } : {}),
            ...(option.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`emi ${spec.name}: ${(error as Error).message.split('\n')[0]}`);
  }
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const expected = spec.args ? `expected ${spec.args}` : 'it takes no arguments';
    throw new UsageError(`emi ${spec.name}: wrong number of arguments (${expected})`);
  }

  const prompt = terminalPrompter();
  const context: CommandContext = {
    cwd: process.cwd(),
    env: process.env,
    // Every output passes here: credentials in a URL (a mirror, a remote) never reach it.
    out: (text) => process.stdout.write(redactUrls(text)),
    err: (text) => process.stderr.write(redactUrls(text)),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    prompt,
    signal,
  };
  const { run } = await spec.load();
  try {
    return await run(
      parsed.values as Record<string, string | boolean | undefined>,
      parsed.positionals,
      context,
    );
  } finally {
    prompt.close();
  }
}

/** 128 + the signal's number, as a shell reports a process ended by it. */
export function signalExitCode(name: NodeJS.Signals): ExitCode {
  return name === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
}

/** Whether the command line asks for JSON output (`--json` before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  if (!options.includes('--json')) return false;
  const spec = findCommand(argv[0] ?? '');
  return spec !== undefined && 'json' in spec.options;
}

/** An error as one JSON document: what `--json` prints on stdout for every failure. */
export function errorDocument(code: ExitCode, message: string): string {
  const kind =
    code === ExitCode.usage
      ? 'usage'
      : code === ExitCode.internal
        ? 'internal'
        : code === ExitCode.interrupted || code === ExitCode.terminated
          ? 'interrupted'
          : 'error';
  return `${JSON.stringify({ ok: false, error: { kind, exit_code: code, message } })}\n`;
}

/** Runs the CLI as a process: the single top-level catch and the only process.exit. */
export async function runCli(argv: string[]): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  let signalCode: ExitCode = ExitCode.interrupted;
  const onSignal = (name: NodeJS.Signals) => {
    interrupts++;
    // A second signal ends any command at once, whatever it is waiting for (a hung read, a
    // file system that never answers): the user asked twice. process.exit() is not enough: it
    // waits for the worker threads, and one blocked in open() never returns. So the signal is
    // raised again with its default action: the process ends by it, and a shell shows 130 (SIGINT)
    // or 143 (SIGTERM).
    if (interrupts > 1) {
      process.stderr.write(`\nemi: ${name} received again, quitting at once\n`);
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      process.kill(process.pid, name);
      return;
    }
    signalCode = signalExitCode(name);
    process.stderr.write(`\nemi: ${name} received, stopping and cleaning up (again to quit at once)\n`);
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const json = wantsJson(argv);
  let code: ExitCode;
  let message: string | undefined;
  try {
    code = await main(argv, controller.signal);
    if (controller.signal.aborted && code === ExitCode.ok) code = signalCode;
  } catch (thrown) {
    // An errno error that describes the machine (a missing path, no permission, a full disk) is
    // the user's to fix, not a bug: it is shown with its path and cause.
    const error = translateFsError(thrown);
    if (controller.signal.aborted) {
      message = `interrupted${isUserError(error) ? `: ${error.message}` : ''}`;
      code = signalCode;
    } else if (error instanceof UsageError) {
      message = error.message;
      code = ExitCode.usage;
    } else if (isUserError(error)) {
      message = error.message;
      code = error.exitCode;
    } else {
      const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
      message = `internal error (a bug: please report it with this output)\n${stack}`;
      code = ExitCode.internal;
    }
    message = redactUrls(message);
    if (!(error instanceof ReportedError)) process.stderr.write(`emi: ${message}\n`);
    if (json) process.stdout.write(errorDocument(code, message));
  }
  process.exitCode = code;
  // Flush stdout before exiting: a pipe reader must get the whole output.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
