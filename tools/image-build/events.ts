/**
 * The progress events a build emits. The build never prints: the CLI renders these as a live
 * display on a terminal, plain lines in CI, or JSON lines with --json.
 */

export const stepNames = [
  'plan',
  'preflight',
  'bootstrap',
  'customise',
  'clean',
  'manifest',
  'kernel',
  'filesystem',
  'pack',
  'verify',
  'publish',
  'record',
] as const;
export type StepName = (typeof stepNames)[number];

export interface Artifact {
  name: string;
  sha256: string;
  size: number;
}

export type BuildEvent =
  /** `image` is `<image_name>.<image_arch>`; steps that concern the whole build have none. */
  | { type: 'step'; step: StepName; image?: string; state: 'start' }
  | { type: 'step'; step: StepName; image?: string; state: 'done'; ms: number; detail?: string }
  | { type: 'step'; step: StepName; image?: string; state: 'failed'; ms: number; error: string }
  | { type: 'step'; step: StepName; image?: string; state: 'skipped'; detail: string }
  /** A line of a tool's output (mmdebstrap, apt …), for the live display and --json. */
  | { type: 'log'; step: StepName; image?: string; line: string }
  | { type: 'note'; image?: string; message: string }
  | { type: 'image'; image: string; dir: string; artifacts: Artifact[] }
  | { type: 'record'; image: string; files: string[] };

export type Emit = (event: BuildEvent) => void;

export type StepLog = (line: string) => void;

export function imageKey(image: { image_name: string; image_arch: string }): string {
  return `${image.image_name}.${image.image_arch}`;
}

/**
 * Runs one step: emits its start, then done with its duration (and a one-line detail), or failed
 * with the error's first line before rethrowing it.
 */
export async function runStep<T>(
  emit: Emit,
  step: StepName,
  image: string | undefined,
  work: (log: StepLog) => Promise<T>,
  detail?: (result: T) => string | undefined,
): Promise<T> {
  const where = image === undefined ? {} : { image };
  emit({ type: 'step', step, ...where, state: 'start' });
  const started = performance.now();
  const log: StepLog = (line) => {
    if (line.trim() !== '') emit({ type: 'log', step, ...where, line });
  };
  try {
    const result = await work(log);
    const ms = Math.round(performance.now() - started);
    const text = detail?.(result);
    emit({ type: 'step', step, ...where, state: 'done', ms, ...(text ? { detail: text } : {}) });
    return result;
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    const message = error instanceof Error ? error.message : String(error);
    emit({ type: 'step', step, ...where, state: 'failed', ms, error: message.split('\n')[0] ?? message });
    throw error;
  }
}
