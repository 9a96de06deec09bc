/**
 * Setup file of the `unit` test group: unit tests start no programs. Every way to start a child
 * process through node:child_process (which execa, simple-git and our adapters all use) throws,
 * naming the program, so a test that spawns fails loudly and belongs in the `integration` group
 * (test/groups.ts).
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const spawning = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

for (const name of spawning) {
  const refuse = (command: unknown): never => {
    throw new Error(
      `unit tests start no programs, but this one called child_process.${name}(${JSON.stringify(command)}): move the test file from unitTests to the integration group in test/groups.ts`,
    );
  };
  Object.defineProperty(childProcess, name, { value: refuse, configurable: true, writable: true });
}
// ES module imports of node:child_process (`import { spawn } from ...`) see the replacements too.
syncBuiltinESMExports();
