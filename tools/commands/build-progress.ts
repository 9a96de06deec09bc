/**
 * Renders build events: a live display on a terminal (one status line per image, redrawn, with the
 * step's elapsed time and the tool's last line), plain lines in CI and pipes, JSON lines with --json.
 */
import type { BuildEvent } from '../image-build/events.js';

export type ProgressMode = 'live' | 'plain' | 'json';

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** One plain line for an event (undefined: nothing to show). */
export function formatEvent(event: BuildEvent): string | undefined {
  const who = 'image' in event && event.image ? `${event.image} ` : '';
  switch (event.type) {
    case 'step':
      switch (event.state) {
        case 'start':
          return `${who}${event.step}: started`;
        case 'done':
          return `${who}${event.step}: done in ${formatSeconds(event.ms)}${event.detail ? ` (${event.detail})` : ''}`;
        case 'failed':
          return `${who}${event.step}: FAILED after ${formatSeconds(event.ms)}: ${event.error}`;
        case 'skipped':
          return `${who}${event.step}: skipped (${event.detail})`;
      }
      return undefined;
    case 'log':
      return `${who}${event.step}| ${event.line}`;
    case 'note':
      return `${who}note: ${event.message}`;
    case 'image':
      return `${who}built: ${event.dir}`;
    case 'record':
      return `${who}recorded: ${event.files.join(', ')}`;
  }
}

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface Active {
  step: string;
  since: number;
  last: string;
}

export interface ProgressRenderer {
  onEvent(event: BuildEvent): void;
  /** Stops the live display's timer and clears its status lines. */
  close(): void;
}

export function createProgressRenderer(
  mode: ProgressMode,
  write: (text: string) => void,
  columns = 100,
): ProgressRenderer {
  if (mode === 'json') {
    return { onEvent: (event) => write(`${JSON.stringify(event)}\n`), close: () => {} };
  }
  if (mode === 'plain') {
    return {
      onEvent: (event) => {
        const line = formatEvent(event);
        if (line !== undefined) write(`${line}\n`);
      },
      close: () => {},
    };
  }
  const active = new Map<string, Active>();
  let drawn = 0;
  let frame = 0;
  const clear = () => {
    if (drawn > 0) write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    clear();
    const lines = [...active.entries()].map(([image, state]) => {
      const elapsed = formatSeconds(Date.now() - state.since);
      const text = `${spinner[frame % spinner.length]} ${image} ${state.step} ${elapsed}  ${state.last}`;
      return text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text;
    });
    for (const line of lines) write(`${line}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(() => {
    frame++;
    if (active.size > 0) draw();
  }, 120);
  timer.unref();
  return {
    onEvent: (event) => {
      const image = ('image' in event && event.image) || 'build';
      if (event.type === 'log') {
        const state = active.get(image);
        if (state) state.last = event.line.replace(/\s+/g, ' ').trim();
        return;
      }
      if (event.type === 'step' && event.state === 'start') {
        active.set(image, { step: event.step, since: Date.now(), last: '' });
        draw();
        return;
      }
      if (event.type === 'step') active.delete(image);
      clear();
      const line = formatEvent(event);
      if (line !== undefined) {
        const mark =
          event.type === 'step'
            ? event.state === 'done'
              ? '✓ '
              : event.state === 'failed'
                ? '✗ '
                : '- '
            : '  ';
        write(`${mark}${line}\n`);
      }
      draw();
    },
    close: () => {
      clearInterval(timer);
      clear();
    },
  };
}
