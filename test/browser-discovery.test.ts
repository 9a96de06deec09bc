import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBrowser } from './helpers/browser.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function binFolder(names: string[]): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'emi-browsers-'));
  const bin = join(dir, 'bin');
  await mkdir(bin);
  for (const name of names) {
    await writeFile(join(bin, name), '#!/bin/sh\n');
    await chmod(join(bin, name), 0o755);
  }
  return bin;
}

describe('the page tests find a browser', () => {
  it('in order: chromium, chromium-browser, google-chrome', async () => {
    const bin = await binFolder(['google-chrome', 'chromium-browser']);
    expect(findBrowser({ PATH: bin })).toEqual({
      path: join(bin, 'chromium-browser'),
      via: 'chromium-browser',
    });
  });

  it('takes Google Chrome where it is the only one (GitHub Ubuntu runners)', async () => {
    const bin = await binFolder(['google-chrome']);
    expect(findBrowser({ PATH: bin })).toEqual({ path: join(bin, 'google-chrome'), via: 'google-chrome' });
  });

  it('lets EMI_BROWSER choose, and says when it names nothing runnable', async () => {
    const bin = await binFolder(['chromium', 'my-chrome']);
    expect(findBrowser({ PATH: bin, EMI_BROWSER: 'my-chrome' })).toEqual({
      path: join(bin, 'my-chrome'),
      via: 'EMI_BROWSER',
    });
    expect(() => findBrowser({ PATH: bin, EMI_BROWSER: '/nope/chrome' })).toThrow('is not an executable');
  });

  it('finds none on an empty PATH', async () => {
    expect(findBrowser({ PATH: await binFolder([]) })).toBeUndefined();
  });
});
