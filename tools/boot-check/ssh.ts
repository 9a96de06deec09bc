/**
 * ssh into a guest under test, through tools/lib/exec.ts with argument arrays: a key of our own
 * (no agent, no other identity), batch mode, a known_hosts file of the check's own (the user's is
 * never read or written), and bounded connection and command times.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

/**
 * The folder ssh runs in: that of the known_hosts file. ssh splits UserKnownHostsFile on blanks and
 * expands `%` tokens and `${VAR}` in it and in IdentityFile, so a work folder such as
 * "/home/u/my logs" or "/tmp/a%b" would send the host key elsewhere or stop ssh. Both files are
 * named relative to this folder instead, by names that hold none of those characters.
 */
export function sshWorkDir(target: SshTarget): string {
  return dirname(target.knownHosts);
}

const plainName = /^[A-Za-z0-9_.,+-]+$/;
const plainPath = /^[A-Za-z0-9_./,+-]+$/;

/** path as ssh should be given it when it runs in cwd: ./name in cwd, else a plain absolute path. */
function sshPath(path: string, cwd: string, what: string): string {
  if (dirname(path) === cwd && plainName.test(basename(path))) return `./${basename(path)}`;
  if (plainPath.test(path)) return path;
  throw new Error(`the ssh ${what} "${path}" holds characters ssh would expand or split`);
}

export function sshArgs(target: SshTarget, command: readonly string[]): string[] {
  for (const part of command)
    if (!/^[A-Za-z0-9_./=-]+$/.test(part)) throw new Error(`ssh command word "${part}" needs quoting`);
  const cwd = sshWorkDir(target);
  return [
    '-F',
    'none',
    '-i',
    sshPath(target.privateKey, cwd, 'key'),
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
    `UserKnownHostsFile=${sshPath(target.knownHosts, cwd, 'known_hosts file')}`,
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
    cwd: sshWorkDir(target),
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
