/**
 * The pace of a boot on this host: the share of the time QEMU's threads were ready to run that
 * they did run (Linux's /proc/<pid>/task/<tid>/schedstat: time on the CPU, time waiting on a run
 * queue). On an idle host it is close to 1; with the cores loaded four times over it falls to a
 * quarter or less, and a boot under TCG takes that much longer. The boot check scales its waits
 * by it, and says so when a failure came with a slow host, so that verdicts do not depend on the
 * host's speed. The parsing and arithmetic are pure; PaceMeter samples a running QEMU.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SchedSample {
  /** Nanoseconds on a CPU, summed over the threads. */
  runNs: number;
  /** Nanoseconds ready to run but waiting for a CPU, summed over the threads. */
  waitNs: number;
}

/** Below this pace a failure that has to do with time is put down to the host. */
export const slowPace = 0.5;
/** Waits grow with the slowdown up to this factor. */
export const maxSlowdown = 8;

/** One schedstat line: `run_ns wait_ns timeslices`. */
export function parseSchedstat(text: string): SchedSample | undefined {
  const match = /^(\d+) (\d+) \d+\s*$/.exec(text);
  if (!match) return undefined;
  return { runNs: Number(match[1]), waitNs: Number(match[2]) };
}

/** The run share between two samples, or undefined when QEMU wanted the CPU for under `minMs`. */
export function paceBetween(from: SchedSample, to: SchedSample, minMs = 500): number | undefined {
  const run = Math.max(0, to.runNs - from.runNs);
  const wait = Math.max(0, to.waitNs - from.waitNs);
  if (run + wait < minMs * 1e6) return undefined;
  return run / (run + wait);
}

/** How many times longer things take than on an idle host: 1 / pace, from 1 to maxSlowdown. */
export function slowdown(pace: number | undefined): number {
  if (pace === undefined || !(pace > 0)) return pace === undefined ? 1 : maxSlowdown;
  return Math.min(maxSlowdown, Math.max(1, 1 / pace));
}

/** `QEMU ran 28% of the time it was ready to run (about 3.6 times slower than on an idle host)`. */
export function describePace(pace: number): string {
  const factor = slowdown(pace);
  const percent = Math.round(pace * 100);
  return factor < 1.05
    ? `QEMU ran ${percent}% of the time it was ready to run (an idle host)`
    : `QEMU ran ${percent}% of the time it was ready to run (about ${factor.toFixed(1)} times slower than on an idle host)`;
}

/** The summed schedstat of a process's threads, or undefined when it is gone or hides them. */
export async function readProcessSchedstat(pid: number, proc = '/proc'): Promise<SchedSample | undefined> {
  let tasks: string[];
  try {
    tasks = await readdir(`${proc}/${pid}/task`);
  } catch {
    return undefined;
  }
  const total: SchedSample = { runNs: 0, waitNs: 0 };
  let found = false;
  for (const task of tasks) {
    const sample = parseSchedstat(
      await readFile(`${proc}/${pid}/task/${task}/schedstat`, 'utf8').catch(() => ''),
    );
    if (!sample) continue;
    found = true;
    total.runNs += sample.runNs;
    total.waitNs += sample.waitNs;
  }
  return found ? total : undefined;
}

/**
 * Samples a process once a second in the background. `pace()` is the pace since the mark (the start,
 * or `mark()`), `recentPace()` over the last 30 s: what the next wait should be scaled by.
 */
export class PaceMeter {
  private samples: { at: number; sample: SchedSample }[] = [];
  private markIndex = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly pid: () => Promise<number | undefined>,
    private readonly intervalMs = 1000,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let pid: number | undefined;
    while (!this.stopped) {
      pid ??= await this.pid();
      const sample = pid === undefined ? undefined : await readProcessSchedstat(pid);
      if (sample) this.samples.push({ at: performance.now(), sample });
      await sleep(this.intervalMs);
    }
  }

  /** Starts a new span for pace() (a reboot). */
  mark(): void {
    this.markIndex = Math.max(0, this.samples.length - 1);
  }

  pace(): number | undefined {
    const first = this.samples[this.markIndex];
    const last = this.samples.at(-1);
    return first && last ? paceBetween(first.sample, last.sample) : undefined;
  }

  recentPace(windowMs = 30_000): number | undefined {
    const last = this.samples.at(-1);
    if (!last) return undefined;
    const first = this.samples.find((entry) => entry.at >= last.at - windowMs) ?? last;
    return paceBetween(first.sample, last.sample) ?? this.pace();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
