import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactSecrets } from '../../tools/cloud/cloud-errors.js';
import { cloudsFileCandidates, describeCloud, loadCloudConfig } from '../../tools/cloud/clouds-config.js';
import { imagesApiBase } from '../../tools/cloud/glance-client.js';
import { createTempDir as makeTempDir } from '../helpers/git-repo.js';

const made: string[] = [];
async function createTempDir(): Promise<string> {
  const dir = await makeTempDir('emi-clouds-');
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe('clouds.yaml', () => {
  it('is looked for where openstacksdk looks, OS_CLIENT_CONFIG_FILE first', () => {
    expect(cloudsFileCandidates({ HOME: '/home/u', OS_CLIENT_CONFIG_FILE: '/x/c.yaml' }, '/work')).toEqual([
      '/x/c.yaml',
      '/work/clouds.yaml',
      '/work/clouds.yml',
      '/home/u/.config/openstack/clouds.yaml',
      '/home/u/.config/openstack/clouds.yml',
      '/etc/openstack/clouds.yaml',
      '/etc/openstack/clouds.yml',
    ]);
  });

  it('reads the cloud named by OS_CLOUD from ./clouds.yaml, secure.yaml merged over it', async () => {
    const dir = await createTempDir();
    await writeFile(
      join(dir, 'clouds.yaml'),
      'clouds:\n  lab:\n    auth:\n      auth_url: https://k:5000/v3\n      username: u\n    region_name: R1\n    interface: internal\n',
    );
    await writeFile(join(dir, 'secure.yaml'), 'clouds:\n  lab:\n    auth:\n      password: from-secure\n');
    const config = await loadCloudConfig({ env: { HOME: dir, OS_CLOUD: 'lab' }, cwd: dir });
    expect(config).toMatchObject({
      name: 'lab',
      authType: 'password',
      regionName: 'R1',
      interface: 'internal',
      auth: { auth_url: 'https://k:5000/v3', username: 'u', password: 'from-secure' },
    });
    expect(JSON.stringify(describeCloud(config))).not.toContain('from-secure');
  });

  it('takes a missing password from OS_PASSWORD; --cloud wins over OS_CLOUD', async () => {
    const dir = await createTempDir();
    await mkdir(join(dir, '.config', 'openstack'), { recursive: true });
    await writeFile(
      join(dir, '.config', 'openstack', 'clouds.yaml'),
      'clouds:\n  a:\n    auth:\n      auth_url: http://k\n  b:\n    auth_type: none\n    image_endpoint_override: http://127.0.0.1:9292\n',
    );
    const env = { HOME: dir, OS_CLOUD: 'b', OS_PASSWORD: 'env-secret' };
    const a = await loadCloudConfig({ cloud: 'a', env, cwd: '/nonexistent' });
    expect(a.auth.password).toBe('env-secret');
    const b = await loadCloudConfig({ env, cwd: '/nonexistent' });
    expect(b).toMatchObject({ authType: 'none', imageEndpointOverride: 'http://127.0.0.1:9292' });
  });

  it('says what is wrong, without quoting the file', async () => {
    const dir = await createTempDir();
    const env = { HOME: dir, OS_CLIENT_CONFIG_FILE: join(dir, 'c.yaml') };
    await expect(loadCloudConfig({ env, cwd: dir })).rejects.toThrow(/give --cloud NAME or set OS_CLOUD/);
    await expect(loadCloudConfig({ cloud: 'x', env, cwd: dir })).rejects.toThrow(/no clouds.yaml found/);
    await writeFile(join(dir, 'c.yaml'), 'clouds:\n  x:\n    auth_type: none\n');
    await expect(loadCloudConfig({ cloud: 'x', env, cwd: dir })).rejects.toThrow(
      /no image_endpoint_override/,
    );
    await expect(loadCloudConfig({ cloud: 'y', env, cwd: dir })).rejects.toThrow(
      /no cloud named "y" \(clouds: x\)/,
    );
    await writeFile(join(dir, 'c.yaml'), 'clouds:\n  x:\n    auth:\n      password: "hunter2\n');
    const error = await loadCloudConfig({ cloud: 'x', env, cwd: dir }).catch((caught: Error) => caught);
    expect(String(error)).toMatch(/not a valid clouds.yaml/);
    expect(String(error)).not.toContain('hunter2');
    await writeFile(join(dir, 'c.yaml'), 'clouds:\n  x:\n    auth_type: saml2\n');
    await expect(loadCloudConfig({ cloud: 'x', env, cwd: dir })).rejects.toThrow(/"saml2" is not supported/);
  });
});

describe('small parts', () => {
  it('imagesApiBase adds /v2 unless the endpoint has it', () => {
    expect(imagesApiBase('http://g:9292').href).toBe('http://g:9292/v2/');
    expect(imagesApiBase('https://g/image/').href).toBe('https://g/image/v2/');
    expect(imagesApiBase('https://g/image/v2').href).toBe('https://g/image/v2/');
  });
  it('redactSecrets replaces every occurrence, longest first', () => {
    expect(redactSecrets('a abc abcd', ['abc', 'abcd'])).toBe('a [redacted] [redacted]');
  });
});
