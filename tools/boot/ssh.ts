/**
 * ssh into a guest under test, through tools/lib/exec.ts with argument arrays: a key of our own
 * (no agent, no other identity), batch mode, a known_hosts file of the check's own (the user's is
 * never read or written), and bounded connection and command times.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunResult, runCommand } from '../lib/exec.js';
import { type HostKey, parseHostKeys } from './guest-probe.js';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** A fresh ed25519 key pair in dir, without a passphrase. */
export async function generateKeyPair(dir: string, name: string, signal?: AbortSignal): Promise<KeyPair> {
  const privateKey = join(dir, name);
  await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKey], {
    timeoutMs: 30_000,
    ...(signal ? { signal } : {}),
  });
  return { privateKey, publicKey: (await readFile(`${privateKey}.pub`, 'utf8')).trim() };
}

export interface SshTarget {
  port: number;
  privateKey: string;
  /** This instance's own known_hosts file. */
  knownHosts: string;
  /** The name the host key is recorded under (the port changes, the instance does not). */
  alias: string;
  /** accept-new at an instance's first login; yes afterwards, so a changed host key fails. */
  hostKeyChecking: 'accept-new' | 'yes';
  connectTimeoutSeconds: number;
}

export function sshArgs(target: SshTarget, command: readonly string[]): string[] {
  for (const part of command)
    if (!/^[A-Za-z0-9_./=-]+$/.test(part)) throw new Error(`ssh command word "${part}" needs quoting`);
  return [
    '-F',
    'none',
    '-i',
    target.privateKey,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    'PasswordAuthentication=no',
    '-o',
    'KbdInteractiveAuthentication=no',
    '-o',
    `StrictHostKeyChecking=${target.hostKeyChecking}`,
    '-o',
    `UserKnownHostsFile=${target.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `HostKeyAlias=${target.alias}`,
    '-o',
    'UpdateHostKeys=no',
    '-o',
    `ConnectTimeout=${target.connectTimeoutSeconds}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(target.port),
    '-l',
    'root',
    '127.0.0.1',
    '--',
    ...command,
  ];
}

export async function runSsh(
  target: SshTarget,
  command: readonly string[],
  options: { input?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<RunResult> {
  return runCommand('ssh', sshArgs(target, command), {
    reject: false,
    timeoutMs: options.timeoutMs,
    extendEnv: false,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C' },
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** The host key ssh recorded for the alias (the one sshd presented at the first login). */
export async function readRecordedHostKey(knownHosts: string, alias: string): Promise<HostKey | undefined> {
  const text = await readFile(knownHosts, 'utf8').catch(() => '');
  const lines = text
    .split('\n')
    .filter((line) => line.split(/\s+/)[0]?.split(',').includes(alias))
    .map((line) => line.slice(line.indexOf(' ') + 1));
  return parseHostKeys(lines.join('\n'))[0];
}

/** The one line of ssh's stderr that says why a login failed. */
export function loginError(result: RunResult): string {
  const lines = result.stderr
    .split('\n')
    .map((line) => line.trim())
    // The @-framed banner of a changed host key says less than the line after it.
    .filter((line) => line !== '' && !line.startsWith('@') && !line.startsWith('Warning: Permanently'));
  const telling =
    lines.find((line) => /Host key verification failed|Permission denied/i.test(line)) ?? lines.at(-1);
  return telling ?? `ssh exited with code ${result.exitCode}`;
}
