import type { ExitCode } from '../lib/errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The placeholder shown in help, e.g. N, DIR. */
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments as shown in help, e.g. 'RECIPE' or '[paths…]'. */
  args?: string;
  /** How many positionals are allowed (default 0). */
  positionals?: { min: number; max: number };
  description?: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Loads the implementation only when the command runs, so `emi --help` stays fast. */
  load: () => Promise<{ run: CommandRun }>;
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Prompter {
  /** Asks for a line of text; `choices` are shown and checked. */
  ask(question: string, choices?: readonly string[]): Promise<string>;
  confirm(question: string): Promise<boolean>;
}

export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Both stdin and stdout are terminals: prompts and live displays are allowed. */
  interactive: boolean;
  prompt: Prompter;
  /** Aborted on SIGINT or SIGTERM: long work stops and cleans up. */
  signal: AbortSignal;
}

export type CommandRun = (
  values: ParsedValues,
  positionals: string[],
  context: CommandContext,
) => Promise<ExitCode>;
