/** scripts/setup-host.sh: the one package list, per distribution, resolvable on this Debian machine. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../tools/lib/exec.js';
import { toolkitPath } from '../../tools/lib/paths.js';

const script = toolkitPath('scripts', 'setup-host.sh');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emi-os-release-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function packagesFor(
  osRelease: string,
): Promise<{ exitCode: number; names: string[]; stderr: string }> {
  const file = join(dir, `os-release-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, osRelease);
  const run = await runCommand('sh', [script, '--print'], { env: { EMI_OS_RELEASE: file }, reject: false });
  return {
    exitCode: run.exitCode,
    names: run.stdout.trim().split(/\s+/).filter(Boolean),
    stderr: run.stderr,
  };
}

describe('setup-host', () => {
  it('installs chromium on Debian and not on Ubuntu, where it is a snap', async () => {
    const debian = await packagesFor('ID=debian\nVERSION_ID="12"\n');
    const ubuntu = await packagesFor('ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n');
    expect(debian.exitCode).toBe(0);
    expect(debian.names).toContain('chromium');
    expect(debian.names).toContain('debootstrap');
    expect(debian.names).toContain('mmdebstrap');
    expect(ubuntu.exitCode).toBe(0);
    expect(ubuntu.names).not.toContain('chromium');
    expect(ubuntu.names).toEqual(debian.names.filter((name) => name !== 'chromium'));
  });

  it('refuses a distribution it does not know, saying which', async () => {
    const fedora = await packagesFor('ID=fedora\n');
    expect(fedora.exitCode).toBe(1);
    expect(fedora.stderr).toContain('only Debian and Ubuntu are supported');
  });

  it('names packages that apt resolves on this Debian machine (apt-get install --simulate)', async () => {
    const here = await runCommand('sh', [script, '--print']);
    const names = here.stdout.trim().split(/\s+/);
    const simulate = await runCommand(
      'apt-get',
      ['install', '--simulate', '--no-install-recommends', ...names],
      {
        reject: false,
        env: { LC_ALL: 'C' },
        timeoutMs: 120_000,
      },
    );
    expect(simulate.stderr, simulate.stdout.slice(-2000)).not.toMatch(
      /Unable to locate package|has no installation candidate/,
    );
    expect(simulate.exitCode).toBe(0);
  });
});
