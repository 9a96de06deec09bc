import { describe, expect, it } from 'vitest';
import { releaseAssetUrl, releasePageUrl, releaseTag } from '../../tools/github/release-tag.js';
import { runCommand } from '../../tools/lib/exec.js';

const record = { image_name: 'euca-debian-emi', image_arch: 'x86_64', image_version: '2026.11.27.1' };

describe('release tags', () => {
  it('spells the record file name and version', () => {
    expect(releaseTag(record)).toBe('euca-debian-emi.x86_64-2026.11.27.1');
  });

  it('is a valid git ref', async () => {
    const run = await runCommand('git', ['check-ref-format', `refs/tags/${releaseTag(record)}`], {
      reject: false,
    });
    expect(run.exitCode).toBe(0);
  });

  it('links the release and its assets on github.com and on an Enterprise Server', () => {
    const repo = { owner: 'acme', name: 'images' };
    expect(releaseAssetUrl(repo, record, 'a b.tgz')).toBe(
      'https://github.com/acme/images/releases/download/euca-debian-emi.x86_64-2026.11.27.1/a%20b.tgz',
    );
    expect(releasePageUrl({ ...repo, serverUrl: 'https://ghe.example/' }, record)).toBe(
      'https://ghe.example/acme/images/releases/tag/euca-debian-emi.x86_64-2026.11.27.1',
    );
  });
});
