import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeInstance } from '../../tools/boot-check/metadata/instance.js';
import { startMetadataServer } from '../../tools/boot-check/metadata/server.js';
import { instanceConfig, planInstance, userDataScript } from '../../tools/boot-check/verify-plan.js';
import { runCommand } from '../../tools/lib/exec.js';

const random = '0123456789abcdef0123456789abcdef01234567';

describe('planInstance', () => {
  it('derives instance-id, hostname and nonce from the random digits', () => {
    const plan = planInstance('first', random, 'ssh-ed25519 AAAA me\n');
    expect(plan).toMatchObject({
      key: 'first',
      instanceId: 'i-0123456789abcdef0',
      hostname: 'emi-verify-first-123456',
      localHostname: 'emi-verify-first-123456.example.internal',
      nonce: '789abcdef0123456',
      publicKey: 'ssh-ed25519 AAAA me',
    });
    expect(() => planInstance('first', 'xyz', 'k')).toThrow(/hex digits/);
  });

  it('serves ephemeral0 and swap in the block-device-mapping, the key and the user-data', async () => {
    const plan = planInstance('second', random, 'ssh-ed25519 AAAA me');
    const server = await startMetadataServer({ instance: normalizeInstance(instanceConfig(plan, 'x86_64')) });
    try {
      const get = async (path: string) =>
        (await runCommand('curl', ['-sS', '--noproxy', '*', `${server.url}/latest/${path}`])).stdout;
      expect(await get('meta-data/block-device-mapping/')).toBe('ami\nephemeral0\nroot\nswap');
      expect(await get('meta-data/block-device-mapping/ephemeral0')).toBe('sdb');
      expect(await get('meta-data/block-device-mapping/swap')).toBe('sdc');
      expect(await get('meta-data/instance-id')).toBe(plan.instanceId);
      expect(await get('meta-data/local-hostname')).toBe(plan.localHostname);
      expect(await get('meta-data/public-keys/0/openssh-key')).toBe('ssh-ed25519 AAAA me\n');
      expect(await get('user-data')).toBe(plan.userData);
    } finally {
      await server.close();
    }
  });
});

describe('userDataScript', () => {
  it('appends one line "<nonce> <boot id>" to the marker per run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emi-ud-'));
    try {
      // The script's own paths, moved into a temp folder so that it can run here.
      const script = userDataScript('00ff00ff00ff00ff').replaceAll('/var/lib/emi-verify', join(dir, 'state'));
      await writeFile(join(dir, 'user-data'), script);
      expect(script.startsWith('#!/bin/sh\n')).toBe(true);
      await runCommand('sh', [join(dir, 'user-data')]);
      await runCommand('sh', [join(dir, 'user-data')]);
      const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      expect(await readFile(join(dir, 'state', 'user-data.marker'), 'utf8')).toBe(
        `00ff00ff00ff00ff ${bootId}\n00ff00ff00ff00ff ${bootId}\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes only hex as the nonce', () => {
    expect(() => userDataScript('$(reboot)')).toThrow(/not hex/);
  });
});
