/**
 * Global setup of the integration and root test groups: their CLI tests run the compiled toolkit
 * (bin/emi.js → dist/), so dist/ must be what tools/ says now. When a file under tools/ is newer
 * than its compiled output (and than the last build made here), or its output is missing, this
 * compiles tools/ again (`npm run build`, tsc, incremental) before any test runs; a compile error
 * stops the run with tsc's message. `npx vitest run test/…` after an edit therefore never tests
 * stale code. The unit group runs the TypeScript directly and skips this.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootSkipReason, skipRootTests } from './root-tests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Written after each build made here: tsc does not touch outputs whose content did not change. */
const builtStamp = join(root, 'dist', '.emi-tests-built');

function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The first source file whose compiled output is missing or older than it, if any. */
export function staleSource(): string | undefined {
  const stamp = mtimeMs(builtStamp) ?? 0;
  for (const source of sources(join(root, 'tools'))) {
    const output = join(root, 'dist', relative(root, source)).replace(/\.ts$/, '.js');
    const built = mtimeMs(output);
    if (built === undefined || (mtimeMs(source) ?? 0) > Math.max(built, stamp)) return relative(root, source);
  }
  return undefined;
}

export function setup(): void {
  if (skipRootTests) console.info(`emi: the root test groups are skipped: ${rootSkipReason}`);
  const stale = staleSource();
  if (stale === undefined) return;
  console.log(`dist/ is older than ${stale}: compiling tools/ (npm run build)`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(
      `npm run build failed, so the CLI tests would run stale code:\n${result.stdout}${result.stderr}${result.error?.message ?? ''}`,
    );
  writeFileSync(builtStamp, `${new Date().toISOString()}\n`);
}
