import { describe, expect, it } from 'vitest';
import { commands } from '../tools/commands/registry.js';
import { createTempDir } from './helpers/git-repo.js';
import { runEmi } from './helpers/run-emi.js';

describe('emi CLI', () => {
  it('--help lists every subcommand', async () => {
    const cwd = await createTempDir();
    const result = await runEmi(['--help'], { cwd });
    expect(result.exitCode).toBe(0);
    for (const command of commands)
      expect(result.stdout).toMatch(
        new RegExp(`^  ${command.name} +${command.summary.replace(/[()]/g, '\\$&')}$`, 'm'),
      );
    const bare = await runEmi([], { cwd });
    expect(bare.exitCode).toBe(2);
    expect(bare.stdout).toBe(result.stdout);
  });

  it('<command> --help shows usage, options and examples for every command', async () => {
    const cwd = await createTempDir();
    for (const command of commands) {
      const result = await runEmi([command.name, '--help'], { cwd });
      expect(result.exitCode, command.name).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: emi ${command.name}`));
      for (const option of Object.keys(command.options)) expect(result.stdout).toContain(`--${option}`);
      for (const example of command.examples) expect(result.stdout).toContain(example);
      const viaHelp = await runEmi(['help', command.name], { cwd });
      expect(viaHelp.stdout).toBe(result.stdout);
    }
  });

  it('answers an unknown command or option with a usage error and exit 2', async () => {
    const cwd = await createTempDir();
    const unknown = await runEmi(['frobnicate'], { cwd });
    expect(unknown).toMatchObject({
      exitCode: 2,
      stderr: 'emi: unknown command "frobnicate": run emi --help for the list\n',
    });
    const option = await runEmi(['validate', '--frob'], { cwd });
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toMatch(/^emi: emi validate: Unknown option '--frob'/);
    const args = await runEmi(['commit-msg'], { cwd });
    expect(args).toMatchObject({
      exitCode: 2,
      stderr: 'emi: emi commit-msg: wrong number of arguments (expected MSG_FILE)\n',
    });
    const legacy = await runEmi(['import-legacy'], { cwd });
    expect(legacy.exitCode).toBe(2);
  });

  it('prints its version', async () => {
    const result = await runEmi(['--version'], { cwd: await createTempDir() });
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
