import { describe, expect, it } from 'vitest';
import { type BuildEvent, runStep } from '../../tools/image-build/events.js';

describe('runStep', () => {
  it('emits start, the log lines and done with its duration and detail', async () => {
    const events: BuildEvent[] = [];
    const result = await runStep(
      (event) => events.push(event),
      'clean',
      'euca-debian-emi.x86_64',
      async (log) => {
        log('removed 3 files');
        log('   ');
        return 3;
      },
      (count) => `${count} files`,
    );
    expect(result).toBe(3);
    expect(events.map((event) => ({ ...event, ...('ms' in event ? { ms: 0 } : {}) }))).toEqual([
      { type: 'step', step: 'clean', image: 'euca-debian-emi.x86_64', state: 'start' },
      { type: 'log', step: 'clean', image: 'euca-debian-emi.x86_64', line: 'removed 3 files' },
      {
        type: 'step',
        step: 'clean',
        image: 'euca-debian-emi.x86_64',
        state: 'done',
        ms: 0,
        detail: '3 files',
      },
    ]);
  });

  it('emits failed with the first line of the error and rethrows it', async () => {
    const events: BuildEvent[] = [];
    await expect(
      runStep(
        (event) => events.push(event),
        'preflight',
        undefined,
        async () => {
          throw new Error('preflight failed:\n  missing zerofree');
        },
      ),
    ).rejects.toThrow('missing zerofree');
    expect(events.at(-1)).toMatchObject({
      type: 'step',
      step: 'preflight',
      state: 'failed',
      error: 'preflight failed:',
    });
    expect(events.at(-1)).not.toHaveProperty('image');
  });
});
