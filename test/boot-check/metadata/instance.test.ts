/** instance.yaml: checked with file, line and field; user-data from text, base64 or a file. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { loadInstanceFile } from '../../../tools/boot-check/metadata/instance.js';
import { it } from '../../helpers/fixtures.js';

async function load(dir: string, text: string, files: Record<string, string> = {}) {
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const file = join(dir, 'instance.yaml');
  await writeFile(file, text);
  return loadInstanceFile(file);
}

describe('instance files', () => {
  it('loads an instance with defaults, keys, a mapping and user-data from a file', async ({
    tempDir: dir,
  }) => {
    const result = await load(
      dir,
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

  it('names the file, line and field of each problem', async ({ tempDir: dir }) => {
    const result = await load(
      dir,
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

  it('refuses two sources of user-data, and a user-data file that is missing', async ({ tempDir: dir }) => {
    const two = await load(dir, 'instance_id: i-1\nuser_data: x\nuser_data_base64: eA==\n');
    expect(two.ok).toBe(false);
    if (!two.ok) expect(two.problems[0]).toMatchObject({ line: 3, path: 'user_data_base64' });
    const missing = await load(dir, 'instance_id: i-1\nuser_data_file: nope.sh\n');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems[0]?.message).toContain('cannot read');
  });

  it('reports a missing instance file and one without instance_id', async ({ tempDir: dir }) => {
    const none = await loadInstanceFile(join(dir, 'absent.yaml'));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.problems[0]?.message).toBe('no such file');
    const noId = await load(dir, 'tokens: optional\n');
    expect(noId.ok).toBe(false);
    if (!noId.ok) expect(noId.problems[0]?.message).toBe('missing required field instance_id');
  });
});
