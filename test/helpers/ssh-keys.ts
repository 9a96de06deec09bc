/** Real public keys for agent tests: made by ssh-keygen, plus sk- and DSA lines built by hand. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../tools/lib/exec.js';

export interface TestKeys {
  ed25519: string;
  ecdsa: string;
  rsa: string;
  /** sk-ssh-ed25519@openssh.com: a security-key type (no token needed to write its public line). */
  sk: string;
  /** ssh-dss: refused by the agent. */
  dss: string;
}

function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A public key line from its type and fields, as OpenSSH writes it. */
export function keyLine(type: string, fields: (Buffer | string)[], comment: string): string {
  return `${type} ${Buffer.concat([sshString(type), ...fields.map(sshString)]).toString('base64')} ${comment}`;
}

export async function makeTestKeys(): Promise<TestKeys> {
  const dir = await mkdtemp(join(tmpdir(), 'emi-keys-'));
  try {
    const make = async (type: string, extra: string[] = []) => {
      const file = join(dir, `id_${type}`);
      await runCommand('ssh-keygen', [
        '-q',
        '-t',
        type,
        ...extra,
        '-N',
        '',
        '-C',
        `${type}@test`,
        '-f',
        file,
      ]);
      return (await readFile(`${file}.pub`, 'utf8')).trim();
    };
    return {
      ed25519: await make('ed25519'),
      ecdsa: await make('ecdsa'),
      rsa: await make('rsa', ['-b', '1024']),
      sk: keyLine('sk-ssh-ed25519@openssh.com', [randomBytes(32), 'ssh:'], 'sk@test'),
      dss: keyLine(
        'ssh-dss',
        [randomBytes(129), randomBytes(21), randomBytes(128), randomBytes(128)],
        'dss@test',
      ),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
