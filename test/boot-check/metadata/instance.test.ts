/** instance.yaml: checked with file, line and field; user-data from text, base64 or a file. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInstanceFile } from '../../../tools/boot-check/metadata/instance.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emi-instance-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string, files: Record<string, string> = {}) {
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const file = join(dir, 'instance.yaml');
  await writeFile(file, text);
  return loadInstanceFile(file);
}

describe('instance files', () => {
  it('loads an instance with defaults, keys, a mapping and user-data from a file', async () => {
    const result = await load(
      [
        'instance_id: i-0abc',
        'tokens: required',
        'public_keys:',
        '  - name: alice',
        '    key: ssh-ed25519 AAAA alice',
        'block_device_mapping:',
        '  ephemeral0: sdb',
        'user_data_file: boot.sh',
        'faults:',
        '  - path: /latest/meta-data/local-hostname',
        '    status: 503',
        '    retry_after: 2',
        '    times: 1',
        '',
      ].join('\n'),
      { 'boot.sh': '#!/bin/sh\necho hi\n' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ instanceId: 'i-0abc', tokens: 'required', tokenTtlMax: 21600 });
    expect(result.value.userData?.toString()).toBe('#!/bin/sh\necho hi\n');
    expect(result.value.metaData.get('block-device-mapping/ephemeral0')).toBe('sdb');
    expect(result.value.metaData.get('local-hostname')).toBe('ip-172-31-0-10.ec2.internal');
    expect(result.value.faults).toHaveLength(1);
  });

  it('names the file, line and field of each problem', async () => {
    const result = await load(
      'instance_id: i-1\ntokens: sometimes\nfaults:\n  - path: /x\n    stauts: 500\n',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => `${problem.line} ${problem.path} ${problem.message}`)).toEqual([
      expect.stringMatching(/^2 tokens "sometimes" is not one of/),
      expect.stringMatching(/^5 faults\[0\]\.stauts unknown field "stauts"/),
    ]);
    expect(result.problems[0]?.file).toBe(join(dir, 'instance.yaml'));
  });

  it('refuses two sources of user-data, and a user-data file that is missing', async () => {
    const two = await load('instance_id: i-1\nuser_data: x\nuser_data_base64: eA==\n');
    expect(two.ok).toBe(false);
    if (!two.ok) expect(two.problems[0]).toMatchObject({ line: 3, path: 'user_data_base64' });
    const missing = await load('instance_id: i-1\nuser_data_file: nope.sh\n');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems[0]?.message).toContain('cannot read');
  });

  it('reports a missing instance file and one without instance_id', async () => {
    const none = await loadInstanceFile(join(dir, 'absent.yaml'));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.problems[0]?.message).toBe('no such file');
    const noId = await load('tokens: optional\n');
    expect(noId.ok).toBe(false);
    if (!noId.ok) expect(noId.problems[0]?.message).toBe('missing required field instance_id');
  });

  // Issue 13: the user-data file stays inside the instance file's folder.
  it('refuses a user_data_file that leaves the folder: .., an absolute path, a symbolic link', async () => {
    for (const name of ['../../../etc/shadow', '/etc/passwd', 'sub/../../x']) {
      const result = await load(`instance_id: i-1\nuser_data_file: ${name}\n`);
      expect(result.ok, name).toBe(false);
      if (!result.ok)
        expect(result.problems[0]).toMatchObject({
          line: 2,
          path: 'user_data_file',
          message: expect.stringContaining("inside the instance file's folder"),
        });
    }
    await symlink('/etc/passwd', join(dir, 'link.sh'));
    const linked = await load('instance_id: i-1\nuser_data_file: link.sh\n');
    expect(linked.ok).toBe(false);
    if (!linked.ok)
      expect(linked.problems[0]?.message).toMatch(/leads outside .* \(to \/etc\/passwd\): refused/);
    await mkdir(join(dir, 'scripts'));
    await writeFile(join(dir, 'scripts', 'boot.sh'), '#!/bin/sh\n');
    const inside = await load('instance_id: i-1\nuser_data_file: scripts/boot.sh\n');
    expect(inside.ok).toBe(true);
    if (inside.ok) expect(inside.value.userData?.toString()).toBe('#!/bin/sh\n');
  });

  it('refuses user_data_base64 that is not base64, and accepts wrapped base64', async () => {
    for (const bad of ['not base64!', 'eA=', 'e===', '#!/bin/sh']) {
      const result = await load(`instance_id: i-1\nuser_data_base64: ${JSON.stringify(bad)}\n`);
      expect(result.ok, bad).toBe(false);
      if (!result.ok)
        expect(result.problems[0]).toMatchObject({
          line: 2,
          path: 'user_data_base64',
          message: expect.stringContaining('is not base64'),
        });
    }
    const wrapped = await load('instance_id: i-1\nuser_data_base64: |\n  IyEvYmlu\n  L3NoCg==\n');
    expect(wrapped.ok).toBe(true);
    if (wrapped.ok) expect(wrapped.value.userData?.toString()).toBe('#!/bin/sh\n');
  });

  it('catches invalid addresses, MACs, hostnames and devices unless allow_invalid is set', async () => {
    const text = [
      'instance_id: i-1',
      'local_ipv4: 10.0.0.300',
      'mac: 02:00:0a:01:00',
      'local_hostname: web_01.example',
      'block_device_mapping:',
      '  ephemeral0: ../sdb',
      'public_keys:',
      '  - name: a',
      '    key: "ssh-ed25519 AAAA a\\nssh-rsa BBBB b"',
      '',
    ].join('\n');
    const result = await load(text);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((problem) => `${problem.line} ${problem.path}`)).toEqual([
        '2 local_ipv4',
        '3 mac',
        '4 local_hostname',
        '6 block_device_mapping.ephemeral0',
        '9 public_keys[0].key',
      ]);
    if (!result.ok) expect(result.problems[0]?.message).toContain('allow_invalid: true');
    const allowed = await load(`allow_invalid: true\n${text}`);
    expect(allowed.ok).toBe(true);
    if (allowed.ok) {
      expect(allowed.value.metaData.get('local-ipv4')).toBe('10.0.0.300');
      expect(allowed.value.metaData.get('local-hostname')).toBe('web_01.example');
    }
    // A fault may serve anything without the switch: that is what faults are for.
    const fault = await load(
      'instance_id: i-1\nfaults:\n  - path: /latest/meta-data/local-hostname\n    body: "web\\0evil"\n',
    );
    expect(fault.ok).toBe(true);
  });
});
