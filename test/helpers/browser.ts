/**
 * The browser the page tests drive through playwright-core, found in order: EMI_BROWSER (a path or
 * a program name), chromium (Debian), chromium-browser (Ubuntu's package names it so), google-chrome
 * and google-chrome-stable (what GitHub's Ubuntu runners ship). Tests say which one they used.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export const browserCandidates = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, path: string): string | undefined {
  if (isAbsolute(name)) return executable(name) ? name : undefined;
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const full = join(dir, name);
    if (executable(full)) return full;
  }
  return undefined;
}

export interface FoundBrowser {
  path: string;
  /** How it was found: the variable or the program name. */
  via: string;
}

/** The browser to use, or undefined with the list of what was looked for. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): FoundBrowser | undefined {
  const path = env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const wanted = env.EMI_BROWSER;
  if (wanted) {
    const found = onPath(wanted, path);
    if (!found) throw new Error(`EMI_BROWSER=${wanted} is not an executable program`);
    return { path: found, via: 'EMI_BROWSER' };
  }
  for (const name of browserCandidates) {
    const found = onPath(name, path);
    if (found) return { path: found, via: name };
  }
  return undefined;
}

/** Flags for a headless run on a closed network as root (see docs/development.md). */
export const browserArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
