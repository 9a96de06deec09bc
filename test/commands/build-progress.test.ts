import { describe, expect, it } from 'vitest';
import { createProgressRenderer, formatEvent, formatSeconds } from '../../tools/commands/build-progress.js';
import type { BuildEvent } from '../../tools/image-build/events.js';

const image = 'euca-debian-emi.x86_64';
const events: BuildEvent[] = [
  { type: 'step', step: 'plan', state: 'start' },
  { type: 'step', step: 'plan', state: 'done', ms: 210, detail: 'euca-debian-emi.x86_64 2026.07.25' },
  { type: 'step', step: 'bootstrap', image, state: 'start' },
  { type: 'log', step: 'bootstrap', image, line: 'I: Retrieving InRelease' },
  { type: 'step', step: 'bootstrap', image, state: 'done', ms: 95_400 },
  { type: 'step', step: 'verify', image, state: 'skipped', detail: 'no boot check configured' },
  { type: 'step', step: 'pack', image, state: 'failed', ms: 1500, error: 'zerofree exited with code 1' },
  { type: 'image', image, dir: '/out/euca-debian-2026.07.25-x86_64', artifacts: [] },
  { type: 'record', image, files: ['EMI-IDs/euca-debian-emi.x86_64.yaml'] },
];

describe('formatEvent', () => {
  it('gives each event one plain line', () => {
    expect(events.map(formatEvent)).toEqual([
      'plan: started',
      'plan: done in 0.2 s (euca-debian-emi.x86_64 2026.07.25)',
      'euca-debian-emi.x86_64 bootstrap: started',
      'euca-debian-emi.x86_64 bootstrap| I: Retrieving InRelease',
      'euca-debian-emi.x86_64 bootstrap: done in 1 min 35 s',
      'euca-debian-emi.x86_64 verify: skipped (no boot check configured)',
      'euca-debian-emi.x86_64 pack: FAILED after 1.5 s: zerofree exited with code 1',
      'euca-debian-emi.x86_64 built: /out/euca-debian-2026.07.25-x86_64',
      'euca-debian-emi.x86_64 recorded: EMI-IDs/euca-debian-emi.x86_64.yaml',
    ]);
    expect(formatSeconds(59_949)).toBe('59.9 s');
  });
});

describe('renderers', () => {
  it('writes JSON lines with --json', () => {
    const out: string[] = [];
    const renderer = createProgressRenderer('json', (text) => out.push(text));
    for (const event of events) renderer.onEvent(event);
    renderer.close();
    expect(out.map((line) => JSON.parse(line))).toEqual(events);
  });

  it('writes plain lines in CI', () => {
    const out: string[] = [];
    const renderer = createProgressRenderer('plain', (text) => out.push(text));
    for (const event of events) renderer.onEvent(event);
    expect(out.join('')).toBe(`${events.map(formatEvent).join('\n')}\n`);
  });

  it('keeps finished steps and redraws a status line on a terminal', () => {
    const out: string[] = [];
    const renderer = createProgressRenderer('live', (text) => out.push(text), 60);
    for (const event of events.slice(2, 5)) renderer.onEvent(event);
    renderer.close();
    const text = out.join('');
    expect(text).toContain('euca-debian-emi.x86_64 bootstrap 0.0 s');
    expect(text).toContain('✓ euca-debian-emi.x86_64 bootstrap: done in 1 min 35 s\n');
    expect(text).toContain('\x1b[1A\x1b[J');
    expect(text).not.toContain('I: Retrieving InRelease\n');
  });
});
