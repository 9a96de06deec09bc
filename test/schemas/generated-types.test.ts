import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runCommand } from '../../tools/lib/exec.js';

it('the TypeScript types in tools/schemas/generated/ match the JSON Schemas', async () => {
  const script = fileURLToPath(new URL('../../scripts/generate-types.mjs', import.meta.url));
  const result = await runCommand(process.execPath, [script, '--check'], { reject: false });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
});
