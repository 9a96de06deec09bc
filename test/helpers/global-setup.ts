import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rootSkipReason, skipRootTests } from './root-tests.js';

/** CLI tests run the compiled toolkit: fail at once, with the fix, when it was not built. */
export function setup(): void {
  const cli = fileURLToPath(new URL('../../dist/tools/cli.js', import.meta.url));
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm test does it for you)`);
  if (skipRootTests) console.info(`emi: the root test groups are skipped: ${rootSkipReason}`);
}
