/** `emi metadata-server`: serves an instance file on loopback until stopped. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { runCommand } from '../../tools/lib/exec.js';
import { it } from '../helpers/fixtures.js';
import { emiBin, runEmi } from '../helpers/run-emi.js';

describe('emi metadata-server', () => {
  it('serves the instance in EC2 formats, logs each request, and stops on SIGTERM', async ({
    tempDir: dir,
  }) => {
    await writeFile(
      join(dir, 'instance.yaml'),
      'instance_id: i-0cafe\npublic_keys:\n  - name: laptop\n    key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA laptop\n',
    );
    const child = spawn(
      process.execPath,
      [emiBin, 'metadata-server', '--config', 'instance.yaml', '--port', '0'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 10_000;
      while (!/http:\/\/127\.0\.0\.1:\d+/.test(err) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const url = err.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0];
      expect(url).toBeDefined();
      const keys = await runCommand('curl', [
        '-sS',
        '--noproxy',
        '*',
        `${url}/latest/meta-data/public-keys/`,
      ]);
      expect(keys.stdout).toBe('0=laptop');
      const key = await runCommand('curl', [
        '-sS',
        '--noproxy',
        '*',
        `${url}/latest/meta-data/public-keys/0/openssh-key`,
      ]);
      expect(key.stdout).toBe('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA laptop\n');
      expect(err).toContain('i-0cafe');
      while (!out.includes('openssh-key') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(out).toMatch(/200 GET \/latest\/meta-data\/public-keys\/\n/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).not.toBeNull();
  });

  it('reports a bad instance file with its line, and exits 1', async ({ tempDir: dir }) => {
    await writeFile(join(dir, 'bad.yaml'), 'instance_id: i-1\ntokens: maybe\n');
    const result = await runEmi(['metadata-server', '--config', 'bad.yaml', '--port', '0'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('bad.yaml:2:9  tokens');
    expect(result.stderr).not.toContain('at ');
  });

  it('refuses a bad port or address as a usage error', async ({ tempDir: dir }) => {
    const port = await runEmi(['metadata-server', '--port', '70000'], { cwd: dir });
    expect(port.exitCode).toBe(2);
    expect(port.stderr).toContain('--port must be a number from 0 to 65535');
    const bind = await runEmi(['metadata-server', '--bind', 'example.com'], { cwd: dir });
    expect(bind.exitCode).toBe(2);
  });

  it('is listed in emi --help', async ({ tempDir: dir }) => {
    const help = await runEmi(['--help'], { cwd: dir });
    expect(help.stdout).toContain('metadata-server');
  });
});
